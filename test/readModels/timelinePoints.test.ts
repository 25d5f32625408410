import t from 'tap'
import { taxonomy } from '../../events/index.js'
import { DETAINER, fold, PHILLY, phillyLog } from './fixtures/ledger.js'

t.test('a timeline as known at any position after the jurisdiction last changed is the same', async (t) => {
  const log = phillyLog()
  const claim = log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
  log.source('other')
  const state = fold(log.events)
  const points = [{ claimId: claim.id, on: '2016', start: '2016-01-01', value: 'decline_all' }]
  t.strictSame(state.timelinePoints(PHILLY, DETAINER, 2), points)
  t.strictSame(state.timelinePoints(PHILLY, DETAINER, 3), points)
  t.strictSame(state.timelinePoints(PHILLY, DETAINER, 1), [], 'before the claim')
  t.strictSame(state.timelinePoints(PHILLY, DETAINER, null), [])
  t.strictSame(state.timelinePoints('us-nowhere', DETAINER, 3), [])
})

/** A log of Philadelphia claims that each assert every dimension: 8 timeline entries a claim. */
function everyDimension(claims: number) {
  const log = phillyLog()
  const all = Object.fromEntries(Object.entries(taxonomy.dimensions).map(([d, values]) => [d, values[0]!]))
  for (let i = 0; i < claims; i++) {
    log.claim({ on: '2016', stances: { ...all, [DETAINER]: i % 2 ? 'decline_all' : 'honor_all' } })
  }
  return log
}

t.test('past positions of a long timeline answer from the versions, whichever is asked first', async (t) => {
  const claims = 12_500
  const log = everyDimension(claims)
  const state = fold(log.events)
  t.equal(state.stanceValue(PHILLY, DETAINER, '2016-01-01', 2), 'honor_all')
  const late = claims - 3
  t.equal(state.stanceValue(PHILLY, DETAINER, '2016-01-01', late), 'decline_all')
  t.equal(state.stanceValue(PHILLY, DETAINER, '2016-01-01', 2), 'honor_all', 'the early position again')
  t.equal(state.timelinePoints(PHILLY, DETAINER, log.events.length - 2).length, claims - 1)
})
