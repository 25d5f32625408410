import t from 'tap'
import type { HistoryQuery } from '../../projections/index.js'
import { DETAINER, fold, PHILLY, phillyLog, STATUS } from './fixtures/ledger.js'

t.test('every claim, official or not, with empty stances too, in valid-time order', async (t) => {
  const log = phillyLog()
  const order = log.claim({
    type: 'PolicyEnacted',
    on: '2016-01-04',
    stances: { [DETAINER]: 'judicial_warrant_only' },
    policyId: 'eo-5-16',
    instrument: 'executive-order',
    title: 'Executive Order 5-16',
    dateBasis: 'signed on his first day',
    quote: { exact: 'a quote' },
  })
  const label = log.claim({
    on: '2016',
    stances: { [STATUS]: 'sanctuary' },
    actor: { id: 'abc-news', name: 'ABC News', role: 'third-party' },
  })
  const remark = log.claim({ on: '2016-11-14', summary: 'said nothing codable' })
  const history = fold(log.events).historyOf(PHILLY, { knownAtPosition: 4 })
  t.equal(history.jurisdictionId, PHILLY)
  t.equal(history.knownAtPosition, 4)
  t.strictSame(
    history.claims.map((claim) => claim.eventId),
    [label.id, order.id, remark.id],
  )
  t.strictSame(history.claims[1], {
    eventId: order.id,
    type: 'PolicyEnacted',
    jurisdictionId: PHILLY,
    position: 2,
    recordedAt: order.metadata.recordedAt,
    recordedBy: 'test',
    status: 'active',
    role: 'official',
    actor: { id: 'mayor', name: 'The Mayor' },
    on: '2016-01-04',
    dateBasis: 'signed on his first day',
    summary: 'claim on 2016-01-04',
    quote: { exact: 'a quote' },
    sourceId: 'abc',
    stances: [{ dimension: DETAINER, value: 'judicial_warrant_only' }],
    policyId: 'eo-5-16',
    instrument: 'executive-order',
    title: 'Executive Order 5-16',
    recorded: order.data,
    corrections: [],
    retraction: null,
  })
  t.equal(history.claims[0]?.role, 'third-party')
  t.strictSame(history.claims[2]?.stances, [])
  t.notOk('policyId' in history.claims[2]!)
})

t.test(
  'corrections and the retraction known at knownAt are nested, their fields merged on top',
  async (t) => {
    const log = phillyLog()
    log.source('wpvi')
    const claim = log.claim({ on: '2016-01-04', stances: { [DETAINER]: 'decline_all' } })
    const correction = log.correct(
      claim,
      { on: '2016-01-05', sourceId: 'wpvi' },
      { reason: 'the order was signed a day later', evidenceSourceId: 'wpvi' },
    )
    const retraction = log.retract(claim, { reason: 'not Philadelphia', evidenceSourceId: 'abc' })
    const state = fold(log.events)
    const at = (knownAtPosition: number) => state.historyOf(PHILLY, { knownAtPosition }).claims[0]!
    t.equal(at(3).status, 'active')
    t.equal(at(3).on, '2016-01-04')
    t.strictSame(at(3).corrections, [])
    t.equal(at(4).status, 'corrected')
    t.equal(at(4).on, '2016-01-05')
    t.equal(at(4).sourceId, 'wpvi')
    t.equal(at(4).recorded.on, '2016-01-04')
    t.strictSame(at(4).corrections, [
      {
        eventId: correction.id,
        position: 4,
        recordedAt: correction.metadata.recordedAt,
        recordedBy: 'test',
        changes: { on: '2016-01-05', sourceId: 'wpvi' },
        reason: 'the order was signed a day later',
        evidenceSourceId: 'wpvi',
      },
    ])
    t.equal(at(4).retraction, null)
    t.equal(at(5).status, 'retracted', 'corrected and retracted is retracted')
    t.strictSame(at(5).retraction, {
      eventId: retraction.id,
      position: 5,
      recordedAt: retraction.metadata.recordedAt,
      recordedBy: 'test',
      reason: 'not Philadelphia',
      evidenceSourceId: 'abc',
    })
  },
)

t.test(
  'filters: dimension after correction, and from/to matching overlapping periods',
  async (t) => {
    const log = phillyLog()
    const year = log.claim({ on: '2015', stances: { [DETAINER]: 'honor_all' } })
    const month = log.claim({ on: '2016-01', stances: { [STATUS]: 'sanctuary' } })
    const day = log.claim({ on: '2016-03-01', stances: { [STATUS]: 'sanctuary' } })
    log.correct(month, { stances: { [DETAINER]: 'decline_all' } })
    const state = fold(log.events)
    const ids = (
      query: Omit<HistoryQuery, 'knownAtPosition'>,
      knownAtPosition = 5,
    ) =>
      state.historyOf(PHILLY, { ...query, knownAtPosition }).claims.map((claim) => claim.eventId)
    t.strictSame(ids({ dimension: DETAINER }), [year.id, month.id])
    t.strictSame(ids({ dimension: DETAINER }, 4), [year.id], 'before the correction')
    t.strictSame(ids({ dimension: STATUS }), [day.id])
    t.strictSame(
      ids({ from: '2015-12-31' }),
      [year.id, month.id, day.id],
      'the year 2015 overlaps its last day',
    )
    t.strictSame(ids({ from: '2016-01-31' }), [month.id, day.id])
    t.strictSame(ids({ from: '2016-02' }), [day.id])
    t.strictSame(ids({ to: '2016-01-01' }), [year.id, month.id], 'a month overlaps its first day')
    t.strictSame(ids({ to: '2015' }), [year.id])
    t.strictSame(ids({ from: '2016', to: '2016' }), [month.id, day.id])
    t.strictSame(ids({ from: '2016-02', to: '2016-02' }), [])
  },
)

t.test('nothing known: no claims', async (t) => {
  const log = phillyLog()
  log.claim({ on: '2016', stances: {} })
  const state = fold(log.events)
  t.strictSame(state.historyOf(PHILLY, { knownAtPosition: null }).claims, [])
  t.strictSame(state.historyOf(PHILLY, { knownAtPosition: 1 }).claims, [])
  t.strictSame(state.historyOf('us-nowhere', { knownAtPosition: 2 }).claims, [])
})
