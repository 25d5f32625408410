import { deepStrictEqual } from 'node:assert/strict'
import fc from 'fast-check'
import t from 'tap'
import { eventLog } from '../support/eventBuilders.js'
import { referenceKnownAt } from '../support/referenceStance.js'
import { fold } from './fixtures/ledger.js'

const ms = (iso: string) => Date.parse(iso)

function ledgerAt(times: readonly string[]) {
  const log = eventLog()
  times.forEach((recordedAt, i) => log.source(`s${i}`, {}, { recordedAt }))
  return fold(log.events)
}

t.test('an empty ledger knows nothing whatever is asked', async (t) => {
  const state = fold([])
  t.equal(state.size(), 0)
  t.equal(state.resolveKnownAt(undefined), null)
  t.equal(state.resolveKnownAt({ timestamp: ms('2030-01-01T00:00:00Z') }), null)
})

t.test('no knownAt means everything applied', async (t) => {
  const state = ledgerAt(['2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'])
  t.equal(state.size(), 2)
  t.equal(state.resolveKnownAt(undefined), 1)
})

t.test('a position is taken as given: the caller checks it against appliedSize', async (t) => {
  const state = ledgerAt(['2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'])
  t.equal(state.resolveKnownAt({ position: 0 }), 0)
  t.equal(state.resolveKnownAt({ position: 7 }), 7)
})

t.test('a timestamp selects the longest prefix recorded at or before it', async (t) => {
  const state = ledgerAt([
    '2024-01-01T00:00:00Z',
    '2024-01-02T00:00:00Z',
    '2024-01-02T00:00:00Z',
    '2024-01-03T00:00:00Z',
  ])
  t.equal(
    state.resolveKnownAt({ timestamp: ms('2023-12-31T23:59:59.999Z') }),
    null,
    'before the first',
  )
  t.equal(
    state.resolveKnownAt({ timestamp: ms('2024-01-01T00:00:00Z') }),
    0,
    'exactly at the first',
  )
  t.equal(state.resolveKnownAt({ timestamp: ms('2024-01-02T00:00:00Z') }), 2, 'ties all count')
  t.equal(
    state.resolveKnownAt({ timestamp: ms('2024-01-02T23:59:59.999Z') }),
    2,
    'the end of a day',
  )
  t.equal(state.resolveKnownAt({ timestamp: ms('2031-01-01T00:00:00Z') }), 3, 'after the last')
})

t.test(
  'when recordedAt goes backwards, the prefix stops at the first event after the timestamp',
  async (t) => {
    const state = ledgerAt([
      '2024-01-01T00:00:00Z',
      '2024-01-05T00:00:00Z',
      '2024-01-03T00:00:00Z',
      '2024-01-06T00:00:00Z',
    ])
    t.equal(
      state.resolveKnownAt({ timestamp: ms('2024-01-04T00:00:00Z') }),
      0,
      'position 2 is earlier, but 1 is not',
    )
    t.equal(state.resolveKnownAt({ timestamp: ms('2024-01-05T00:00:00Z') }), 2)
  },
)

t.test('resolveKnownAt agrees with the naive reference, time going backwards once', async (t) => {
  const runs = 500
  const scenario = fc.record({
    steps: fc.array(fc.constantFrom(0, 1, 1_000, 60_000), { minLength: 0, maxLength: 40 }),
    back: fc.option(fc.record({ at: fc.nat(), by: fc.integer({ min: 1, max: 120_000 }) })),
    probe: fc.nat(),
    offset: fc.constantFrom(-1, 0, 1),
  })
  fc.assert(
    fc.property(scenario, ({ steps, back, probe, offset }) => {
      const log = eventLog()
      let clock = ms('2024-01-01T00:00:00Z')
      steps.forEach((step, i) => {
        clock += step
        if (back !== null && i === back.at % steps.length) clock -= back.by
        log.source(`s${i}`, {}, { recordedAt: new Date(clock).toISOString() })
      })
      const state = fold(log.events)
      const times = log.events.map((event) => ms(event.metadata.recordedAt))
      const timestamp = (times[probe % Math.max(times.length, 1)] ?? clock) + offset
      deepStrictEqual(state.resolveKnownAt({ timestamp }), referenceKnownAt(log.events, timestamp))
    }),
    { numRuns: runs },
  )
  t.pass(`${runs} random ledgers`)
})
