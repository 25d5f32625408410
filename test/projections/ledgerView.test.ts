import t from 'tap'
import { eventTypes } from '../../events/index.js'
import { ledgerView } from '../../projections/ledgerView.js'
import { resolveKnownAt } from '../../projections/resolveKnownAt.js'
import { sortedEntries } from '../../projections/timeline.js'
import { eventLog } from '../support/eventBuilders.js'
import { DETAINER, fold, PHILLY, phillyLog } from './fixtures/ledger.js'

t.test('names itself and handles every event type, nothing else', async (t) => {
  t.equal(ledgerView.name, 'ledgerView')
  for (const type of eventTypes) t.ok(ledgerView.canHandle(type), type)
  t.notOk(ledgerView.canHandle('SomethingElse'))
})

t.test('starts empty, and each initial state is its own', async (t) => {
  const a = ledgerView.initialState()
  const b = ledgerView.initialState()
  t.equal(a.size, 0)
  t.not(a.jurisdictions, b.jurisdictions)
})

t.test('a position already applied is a replay and changes nothing', async (t) => {
  const log = phillyLog()
  const claim = log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
  const state = fold(log.events)
  const again = ledgerView.evolve(state, claim)
  t.equal(again, state)
  t.equal(state.size, 3)
  t.equal(sortedEntries(state.byJurisdiction.get(PHILLY)!.timelines.get(DETAINER)!).length, 1)
})

t.test('a skipped position still advances the record-time index', async (t) => {
  const log = eventLog()
  log.source('a', {}, { recordedAt: '2024-01-01T00:00:00.000Z' })
  log.source('b', {}, { recordedAt: '2024-01-02T00:00:00.000Z' })
  log.source('c', {}, { recordedAt: '2024-01-03T00:00:00.000Z' })
  const state = fold([log.events[0]!, log.events[2]!])
  t.equal(state.size, 3)
  t.strictSame(state.recordedAtMaxMs, [
    Date.parse('2024-01-01T00:00:00.000Z'),
    Date.parse('2024-01-03T00:00:00.000Z'),
    Date.parse('2024-01-03T00:00:00.000Z'),
  ])
  t.equal(resolveKnownAt(state, { timestamp: Date.parse('2024-01-02T12:00:00.000Z') }), 0)
})

t.test('keeps the first registration of an id', async (t) => {
  const log = eventLog()
  log.jurisdiction(PHILLY, { name: 'Philadelphia' })
  log.jurisdiction(PHILLY, { name: 'Another' })
  log.source('abc', { title: 'First' })
  log.source('abc', { title: 'Second' })
  const state = fold(log.events)
  t.equal(state.jurisdictions.get(PHILLY)?.name, 'Philadelphia')
  t.equal(state.jurisdictions.get(PHILLY)?.position, 0)
  t.equal(state.sources.get('abc')?.title, 'First')
})

t.test(
  'corrections and retractions aimed at no claim of their jurisdiction are skipped',
  async (t) => {
    const log = phillyLog()
    log.jurisdiction('us-il-chicago')
    const claim = log.claim({
      jurisdictionId: PHILLY,
      on: '2016',
      stances: { [DETAINER]: 'decline_all' },
    })
    log.correct(claim, { on: '2017' }, { jurisdictionId: 'us-il-chicago' })
    log.retract(claim, { jurisdictionId: 'us-il-chicago' })
    log.append({
      type: 'ClaimRetracted',
      data: {
        jurisdictionId: PHILLY,
        retractsEventId: '00000000-0000-4000-8000-00000000ffff',
        reason: 'no such claim',
      },
    })
    const state = fold(log.events)
    const record = state.claims.get(claim.id)
    t.strictSame(record?.corrections, [])
    t.equal(record?.retraction, null)
    t.equal(state.byJurisdiction.get(PHILLY)?.lastChangePosition, claim.position)
    t.notOk(state.byJurisdiction.has('us-il-chicago'))
  },
)

t.test('a second retraction of a claim leaves the first in place', async (t) => {
  const log = phillyLog()
  const claim = log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
  const first = log.retract(claim, { reason: 'wrong city' })
  log.retract(claim, { reason: 'again' })
  t.equal(fold(log.events).claims.get(claim.id)?.retraction?.eventId, first.id)
})

t.test(
  'a correction of a retracted claim is kept but the claim stays out of the timelines',
  async (t) => {
    const log = phillyLog()
    const claim = log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
    log.retract(claim)
    log.correct(claim, { on: '2015' })
    const state = fold(log.events)
    t.equal(state.claims.get(claim.id)?.corrections.length, 1)
    t.strictSame(sortedEntries(state.byJurisdiction.get(PHILLY)!.timelines.get(DETAINER)!), [])
  },
)
