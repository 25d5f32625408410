import t from 'tap'
import * as projections from '../../projections/index.js'

t.test('the folder exports every read model and the pure pieces the queries shape answers with', async (t) => {
  for (const name of [
    'readModels',
    'jurisdictionsReadModel',
    'sourcesReadModel',
    'claimsReadModel',
    'recordTimeReadModel',
    'entriesOf',
    'dimensionStance',
    'claimView',
    'correctedClaim',
    'mergeChanges',
    'validTimeKey',
  ]) {
    t.ok(name in projections, name)
  }
  t.equal(typeof projections.claimsReadModel.evolve, 'function')
})
