import t from 'tap'
import { taxonomy } from '../../events/index.js'
import { stanceValue } from '../../projections/stanceValue.js'
import { PAST_VIEW_BUDGET, timelinesAt } from '../../projections/timelinesAt.js'
import { DETAINER, fold, PHILLY, phillyLog } from './fixtures/ledger.js'

t.test(
  'the maintained timelines serve any knownAt after the jurisdiction last changed',
  async (t) => {
    const log = phillyLog()
    log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
    log.source('other')
    const state = fold(log.events)
    const live = state.byJurisdiction.get(PHILLY)!.timelines
    t.equal(timelinesAt(state, PHILLY, 2), live)
    t.equal(timelinesAt(state, PHILLY, 3), live)
    t.equal(timelinesAt(state, PHILLY, 1).size, 0)
    t.equal(timelinesAt(state, PHILLY, null).size, 0)
    t.equal(timelinesAt(state, 'us-nowhere', 3).size, 0)
  },
)

/** A log of Philadelphia claims that each assert every dimension: 8 timeline entries a claim. */
function everyDimension(claims: number) {
  const log = phillyLog()
  const all = Object.fromEntries(
    Object.entries(taxonomy.dimensions).map(([d, values]) => [d, values[0]!]),
  )
  for (let i = 0; i < claims; i++) {
    log.claim({ on: '2016', stances: { ...all, [DETAINER]: i % 2 ? 'decline_all' : 'honor_all' } })
  }
  return log
}

t.test('past views are kept within a budget of entries, the oldest dropped first', async (t) => {
  const claims = PAST_VIEW_BUDGET / 16
  const state = fold(everyDimension(claims).events)
  const first = timelinesAt(state, PHILLY, 2)
  t.equal(timelinesAt(state, PHILLY, 2), first, 'kept')
  t.equal(stanceValue(state, PHILLY, DETAINER, '2016-01-01', 2), 'honor_all')
  const late = claims - 3
  timelinesAt(state, PHILLY, late)
  timelinesAt(state, PHILLY, late + 1)
  t.equal(state.pastViews.size, 3, 'two views of nearly half the budget and a small one fit')
  timelinesAt(state, PHILLY, late + 2)
  t.strictSame([...state.pastViews.keys()], [`${PHILLY}@${late + 1}`, `${PHILLY}@${late + 2}`])
  t.ok(state.pastViewsSize <= PAST_VIEW_BUDGET)
  t.not(timelinesAt(state, PHILLY, 2), first, 'dropped, then built again')
  t.equal(stanceValue(state, PHILLY, DETAINER, '2016-01-01', late), 'decline_all')
})

t.test('a past view larger than the whole budget is not kept', async (t) => {
  const claims = PAST_VIEW_BUDGET / 8 + 2
  const log = everyDimension(claims)
  const state = fold(log.events)
  const view = timelinesAt(state, PHILLY, log.events.length - 2)
  t.equal(state.pastViews.size, 0)
  t.equal(state.pastViewsSize, 0)
  t.equal(view.get(DETAINER)?.entries.length, claims - 1)
})
