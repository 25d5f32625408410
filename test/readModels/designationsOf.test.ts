import t from 'tap'
import { DETAINER, fold, PHILLY, phillyLog, STATUS } from './fixtures/ledger.js'

const doj = { id: 'doj', name: 'US Department of Justice', role: 'third-party' as const }
const cis = { id: 'cis', name: 'Center for Immigration Studies', role: 'third-party' as const }

t.test('active third-party claims, corrected, in valid-time order', async (t) => {
  const log = phillyLog()
  const list = log.claim({ on: '2016-05', stances: { [STATUS]: 'sanctuary' }, actor: doj })
  const map = log.claim({ on: '2015', stances: { [DETAINER]: 'decline_all' }, actor: cis })
  log.claim({ on: '2016-01-04', stances: { [DETAINER]: 'decline_all' } })
  log.correct(list, { on: '2016-05-31' })
  t.strictSame(fold(log.events).designationsOf(PHILLY, 5), [
    {
      eventId: map.id,
      actor: cis,
      on: '2015',
      stances: [{ dimension: DETAINER, value: 'decline_all' }],
      sourceId: 'abc',
    },
    {
      eventId: list.id,
      actor: doj,
      on: '2016-05-31',
      stances: [{ dimension: STATUS, value: 'sanctuary' }],
      sourceId: 'abc',
    },
  ])
})

t.test(
  'as known at a position: retractions and role corrections count from when they were recorded',
  async (t) => {
    const log = phillyLog()
    const label = log.claim({ on: '2016', stances: { [STATUS]: 'sanctuary' }, actor: doj })
    const misfiled = log.claim({ on: '2016', stances: { [STATUS]: 'sanctuary' } })
    log.correct(misfiled, { actor: cis })
    log.retract(label)
    log.correct(misfiled, { actor: { id: 'kenney', name: 'Jim Kenney' } })
    const state = fold(log.events)
    const ids = (knownAt: number | null) =>
      state.designationsOf(PHILLY, knownAt).map((d) => d.eventId)
    t.strictSame(ids(1), [])
    t.strictSame(ids(3), [label.id])
    t.strictSame(ids(4), [label.id, misfiled.id])
    t.strictSame(ids(5), [misfiled.id])
    t.strictSame(ids(6), [])
    t.strictSame(ids(null), [])
    t.strictSame(state.designationsOf('us-nowhere', 6), [])
  },
)
