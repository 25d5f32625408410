import t from 'tap'
import { DETAINER, fold, PHILLY, phillyLog } from './fixtures/ledger.js'

/** The claim ids of Philadelphia's detainer timeline as known at `knownAt`, in valid-time order. */
function order(log: ReturnType<typeof phillyLog>, knownAt = log.events.length - 1) {
  return fold(log.events).timelinePoints(PHILLY, DETAINER, knownAt)
}

t.test('a third-party claim contributes nothing to the stance timeline', async (t) => {
  const log = phillyLog()
  log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' }, actor: { id: 'doj', name: 'DOJ', role: 'third-party' } })
  t.strictSame(order(log), [])
})

t.test('entries in valid time: start, coarser precision first, then position, as claims and corrections move them', async (t) => {
  const log = phillyLog()
  const at = (on: string) => log.claim({ on, stances: { [DETAINER]: 'decline_all' } })
  const a = at('2016-03-01')
  const b = at('2016-01-01')
  const ids = (knownAt?: number) => order(log, knownAt).map((point) => point.claimId)
  t.strictSame(ids(), [b.id, a.id])
  const c = at('2016-02')
  const d = at('2017')
  const e = at('2016-02-01')
  t.strictSame(ids(), [b.id, c.id, e.id, a.id, d.id], 'a month sorts before a day that starts with it')
  const f = at('2018')
  t.strictSame(ids(), [b.id, c.id, e.id, a.id, d.id, f.id], 'appended')
  log.retract(c)
  t.strictSame(ids(), [b.id, e.id, a.id, d.id, f.id], 'retracted')
  // a correction moves a claim, maybe more than once
  log.correct(b, { on: '2019' })
  log.correct(b, { on: '2016-02-15' })
  t.strictSame(
    order(log).map((point) => [point.claimId, point.on]),
    [
      [e.id, '2016-02-01'],
      [b.id, '2016-02-15'],
      [a.id, '2016-03-01'],
      [d.id, '2017'],
      [f.id, '2018'],
    ],
  )
  t.strictSame(ids(7), [b.id, c.id, e.id, a.id, d.id, f.id], 'as known before the retraction and the corrections')
  t.strictSame(ids(9), [e.id, a.id, d.id, f.id, b.id], 'as known after the first correction')
})

t.test('the stance follows each change', async (t) => {
  const log = phillyLog()
  log.claim({ on: '2016-01-01', stances: { [DETAINER]: 'decline_all' }, sourceId: 'abc' })
  t.strictSame(fold(log.events).stanceAnswer(PHILLY, '2016-06-01', 2).stance[DETAINER]?.sources, ['abc'])
  log.source('two')
  log.claim({ on: '2016-02-01', stances: { [DETAINER]: 'decline_all' }, sourceId: 'two' })
  const state = fold(log.events)
  t.strictSame(state.stanceAnswer(PHILLY, '2016-06-01', 4).stance[DETAINER]?.sources, ['two', 'abc'])
  t.equal(state.stanceValue(PHILLY, DETAINER, '2015-06-01', 4), 'unknown')
})

t.test('distinct sources of a long run with many sources, newest first', async (t) => {
  const log = phillyLog()
  for (let i = 1; i < 5; i++) log.source(`s${i}`)
  const sourceOf = (i: number) => (i % 5 === 0 ? 'abc' : `s${i % 5}`)
  for (let i = 0; i < 37; i++) {
    const on = `2016-01-${String(1 + (i % 28)).padStart(2, '0')}`
    log.claim({ on, stances: { [DETAINER]: 'decline_all' }, sourceId: sourceOf(i) })
  }
  const state = fold(log.events)
  const latest = log.events.length - 1
  const expected: string[] = []
  const points = state.timelinePoints(PHILLY, DETAINER, latest)
  const sourceById = new Map(log.events.flatMap((event) => ('sourceId' in event.data && event.type !== 'SourceRegistered' ? [[event.id, event.data.sourceId]] : [])))
  for (const point of [...points].reverse()) {
    const source = sourceById.get(point.claimId)!
    if (!expected.includes(source)) expected.push(source)
  }
  t.strictSame(state.stanceAnswer(PHILLY, '2016-12-31', latest).stance[DETAINER]?.sources, expected)
  t.equal(state.stanceAnswer(PHILLY, '2016-12-31', latest).stance[DETAINER]?.basisCount, 37)
})
