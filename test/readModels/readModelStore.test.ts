import t from 'tap'
import { eventTypes } from '../../events/index.js'
import { readModels } from '../../projections/index.js'
import { eventLog } from '../support/eventBuilders.js'
import { DETAINER, fold, foldInto, PHILLY, phillyLog } from './fixtures/ledger.js'

t.test('each read model names itself and its version, and every event type is some read model’s', async (t) => {
  t.strictSame(Object.keys(readModels), ['jurisdictions', 'sources', 'claims', 'recordTime'])
  for (const [name, model] of Object.entries(readModels)) {
    t.equal(model.name, name)
    t.ok(Number.isInteger(model.version) && model.version >= 1, `${name} has a version`)
  }
  for (const type of eventTypes) t.ok(Object.values(readModels).some((model) => model.canHandle(type)), type)
  t.notOk(readModels.jurisdictions.canHandle('SourceRegistered'))
  t.notOk(readModels.claims.canHandle('JurisdictionRegistered'))
})

t.test('catching up skips what a read model has already folded', async (t) => {
  const log = phillyLog()
  log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
  const folded = foldInto(log.events)
  const result = folded.readModels.catchUp(() => log.events.map((event) => ({ ...event, leafHash: Buffer.alloc(32) })), 3)
  t.strictSame(result, { rebuilt: [], folded: 0 })
  t.equal(folded.reader.timelinePoints(PHILLY, DETAINER, 2).length, 1, 'the claim is in the timeline once')
})

t.test('record time: the longest prefix whose recordedAt are all at or before the instant', async (t) => {
  const log = eventLog()
  log.source('a', {}, { recordedAt: '2024-01-01T00:00:00.000Z' })
  log.source('b', {}, { recordedAt: '2024-01-03T00:00:00.000Z' })
  // a writer whose clock was behind: the running maximum stays
  log.source('c', {}, { recordedAt: '2024-01-02T00:00:00.000Z' })
  log.source('d', {}, { recordedAt: '2024-01-04T00:00:00.000Z' })
  const state = fold(log.events)
  t.equal(state.size(), 4)
  const at = (instant: string) => state.resolveKnownAt({ timestamp: Date.parse(instant) })
  t.equal(at('2023-12-31T00:00:00.000Z'), null)
  t.equal(at('2024-01-02T12:00:00.000Z'), 0)
  t.equal(at('2024-01-03T00:00:00.000Z'), 2, 'c is no later than the maximum before it')
  t.equal(at('2024-01-05T00:00:00.000Z'), 3)
})

t.test('keeps the first registration of an id', async (t) => {
  const log = eventLog()
  log.jurisdiction(PHILLY, { name: 'Philadelphia' })
  log.jurisdiction(PHILLY, { name: 'Another' })
  log.source('abc', { title: 'First' })
  log.source('abc', { title: 'Second' })
  const state = fold(log.events)
  t.equal(state.jurisdictionOf(PHILLY)?.name, 'Philadelphia')
  t.equal(state.jurisdictionOf(PHILLY)?.position, 0)
  t.equal(state.sourceOf('abc')?.title, 'First')
})

t.test('corrections and retractions aimed at no claim of their jurisdiction are skipped', async (t) => {
  const log = phillyLog()
  log.jurisdiction('us-il-chicago')
  const claim = log.claim({ jurisdictionId: PHILLY, on: '2016', stances: { [DETAINER]: 'decline_all' } })
  log.correct(claim, { on: '2017' }, { jurisdictionId: 'us-il-chicago' })
  log.retract(claim, { jurisdictionId: 'us-il-chicago' })
  log.append({
    type: 'ClaimRetracted',
    data: { jurisdictionId: PHILLY, retractsEventId: '00000000-0000-4000-8000-00000000ffff', reason: 'no such claim' },
  })
  const state = fold(log.events)
  const latest = log.events.length - 1
  t.strictSame(state.correctedClaim(claim.id, latest)?.corrections, [])
  t.equal(state.correctedClaim(claim.id, latest)?.retraction, null)
  t.equal(state.stanceAnswer(PHILLY, '2016-06-01', latest).stance[DETAINER]?.value, 'decline_all')
  t.strictSame(state.historyOf('us-il-chicago', { knownAtPosition: latest }).claims, [])
})

t.test('a second retraction of a claim leaves the first in place', async (t) => {
  const log = phillyLog()
  const claim = log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
  const first = log.retract(claim, { reason: 'wrong city' })
  log.retract(claim, { reason: 'again' })
  t.equal(fold(log.events).claimStatus(claim.id)?.retractedBy, first.id)
})

t.test('a correction of a retracted claim is kept but the claim stays out of the timelines', async (t) => {
  const log = phillyLog()
  const claim = log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
  log.retract(claim)
  log.correct(claim, { on: '2015' })
  const state = fold(log.events)
  t.equal(state.correctedClaim(claim.id, 4)?.corrections.length, 1)
  t.strictSame(state.timelinePoints(PHILLY, DETAINER, 4), [])
  t.equal(state.stanceValue(PHILLY, DETAINER, '2016-06-01', 4), 'unknown')
})
