import t from 'tap'
import * as projections from '../../projections/index.js'

t.test('the folder exports the projection and every query', async (t) => {
  for (const name of [
    'ledgerView',
    'resolveKnownAt',
    'appliedSize',
    'stanceAnswer',
    'stanceValue',
    'listJurisdictions',
    'historyOf',
    'designationsOf',
    'claimsCitingSource',
    'actorView',
    'claimStatus',
    'correctedClaim',
    'jurisdictionOf',
    'sourceOf',
  ]) {
    t.ok(name in projections, name)
  }
  t.equal(typeof projections.ledgerView.evolve, 'function')
})
