import { deepStrictEqual } from 'node:assert/strict'
import fc from 'fast-check'
import t from 'tap'
import {
  changeTypes,
  claimTypes,
  comparePartialDates,
  endOf,
  startOf,
  type Actor,
  type ClaimType,
  type RecordedEvent,
  type Stance,
} from '../../events/index.js'
import { eventLog } from '../support/eventBuilders.js'
import {
  referenceClaims,
  referenceDesignations,
  referenceOrder,
  referenceChanges,
  referenceStance,
} from '../support/referenceStance.js'
import { LedgerReader } from '../../src/readModels/ledgerReader.js'
import { fold, foldInto } from './fixtures/ledger.js'

const RUNS = 600

const JURISDICTIONS = ['us-aa', 'us-bb', 'us-cc']
const SOURCES = ['one', 'two', 'three']
const VALUES: Record<string, readonly string[]> = {
  detainer_hold: ['honor_all', 'decline_all'],
  declared_status: ['sanctuary', 'welcoming'],
  agreement_287g: ['active', 'none'],
}
/** The asserted dimensions plus one nobody asserts. */
const ASKED = [...Object.keys(VALUES), 'release_notification']
const ACTORS: readonly Actor[] = [
  { id: 'mayor', name: 'Mayor' },
  { id: 'chief', name: 'Chief', office: 'Police', role: 'official' },
  { id: 'doj', name: 'DOJ', role: 'third-party' },
  { id: 'paper', name: 'Paper', role: 'third-party' },
]

function lastDay(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

const pad = (n: number) => String(n).padStart(2, '0')

/** Few distinct values, so equal starts, equal dates and period boundaries come up often. */
const partialDate = fc
  .tuple(
    fc.constantFrom(2015, 2016),
    fc.constantFrom('year', 'month', 'day'),
    fc.constantFrom(1, 2, 12),
    fc.constantFrom<number | 'last'>(1, 15, 'last'),
  )
  .map(([year, precision, month, day]) =>
    precision === 'year'
      ? String(year)
      : precision === 'month'
        ? `${year}-${pad(month)}`
        : `${year}-${pad(month)}-${pad(day === 'last' ? lastDay(year, month) : day)}`,
  )

const asOfDate = fc
  .tuple(
    fc.constantFrom(2014, 2015, 2016, 2017),
    fc.constantFrom(1, 2, 6, 12),
    fc.constantFrom<number | 'last'>(1, 15, 'last'),
  )
  .map(
    ([year, month, day]) =>
      `${year}-${pad(month)}-${pad(day === 'last' ? lastDay(year, month) : day)}`,
  )

/** Values may be `unknown`; only policy changes keep it (see `build`). */
const stances = fc
  .tuple(
    ...Object.entries(VALUES).map(([, values]) => fc.option(fc.constantFrom(...values, 'unknown'))),
  )
  .map((picked) =>
    Object.keys(VALUES).flatMap((dimension, i) => {
      const value = picked[i]
      return value === null || value === undefined ? [] : [{ dimension, value }]
    }),
  )

type Command =
  | {
      kind: 'claim'
      j: number
      type: ClaimType
      actor: number
      on: string
      source: number
      stances: Stance[]
    }
  | {
      kind: 'correct'
      target: number
      on: string | null
      stances: Stance[] | null
      actor: number | null
    }
  | { kind: 'retract'; target: number }

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('claim' as const),
      j: fc.nat(JURISDICTIONS.length - 1),
      type: fc.constantFrom(...claimTypes),
      actor: fc.nat(ACTORS.length - 1),
      on: partialDate,
      source: fc.nat(SOURCES.length - 1),
      stances,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('correct' as const),
      target: fc.nat(),
      on: fc.option(partialDate),
      stances: fc.option(stances),
      actor: fc.option(fc.nat(ACTORS.length - 1)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retract' as const), target: fc.nat() }) },
)

const script = fc.array(command, { maxLength: 30 })

function build(commands: readonly Command[]): RecordedEvent[] {
  const log = eventLog()
  for (const jurisdictionId of JURISDICTIONS) log.jurisdiction(jurisdictionId)
  for (const sourceId of SOURCES) log.source(sourceId)
  const claims: RecordedEvent[] = []
  for (const cmd of commands) {
    if (cmd.kind === 'claim') {
      const allowUnknown = changeTypes.includes(cmd.type)
      claims.push(
        log.claim({
          type: cmd.type,
          jurisdictionId: JURISDICTIONS[cmd.j]!,
          actor: ACTORS[cmd.actor]!,
          on: cmd.on,
          sourceId: SOURCES[cmd.source]!,
          stances: cmd.stances.filter((stance) => allowUnknown || stance.value !== 'unknown'),
        }),
      )
      continue
    }
    const target = claims[cmd.target % Math.max(claims.length, 1)]
    if (target === undefined) continue
    if (cmd.kind === 'retract') {
      log.retract(target)
      continue
    }
    log.correct(target, {
      ...(cmd.on !== null && { on: cmd.on }),
      ...(cmd.stances !== null && { stances: cmd.stances }),
      ...(cmd.actor !== null && { actor: ACTORS[cmd.actor]! }),
      ...(cmd.on === null && cmd.stances === null && cmd.actor === null && { summary: 'reworded' }),
    })
  }
  return log.events
}

const scenario = fc.record({
  events: script.map(build),
  asOfs: fc.array(asOfDate, { minLength: 1, maxLength: 3 }),
  knownAtSeed: fc.nat(),
})

t.test('stanceAnswer agrees with the naive reference, on every path', async (t) => {
  fc.assert(
    fc.property(scenario, ({ events, asOfs, knownAtSeed }) => {
      const folded = foldInto(events)
      const state = folded.reader
      const latest = events.length - 1
      // the same tables read as if more were folded: every answer comes from the versions, none from the open rows
      const versions = new LedgerReader(folded.db, () => events.length + 1)
      const knownAt = knownAtSeed % events.length
      const prefix = fold(events.slice(0, knownAt + 1))
      for (const jurisdictionId of JURISDICTIONS) {
        for (const asOf of asOfs) {
          const paths = {
            'at knownAt': state.stanceAnswer(jurisdictionId, asOf, knownAt),
            'maintained timelines': state.stanceAnswer(jurisdictionId, asOf, latest),
            'the versions at the latest position': versions.stanceAnswer(jurisdictionId, asOf, latest),
            'maintained timelines of the prefix': prefix.stanceAnswer(jurisdictionId, asOf, knownAt),
          }
          for (const dimension of ASKED) {
            const thenExpected = referenceStance(events, jurisdictionId, dimension, asOf, knownAt)
            const nowExpected = referenceStance(events, jurisdictionId, dimension, asOf, latest)
            for (const [path, answer] of Object.entries(paths)) {
              const expected =
                path === 'at knownAt' || path.endsWith('prefix') ? thenExpected : nowExpected
              deepStrictEqual(
                answer.stance[dimension],
                expected,
                `${path}: ${jurisdictionId} ${dimension} ${asOf}`,
              )
            }
            deepStrictEqual(
              state.stanceValue(jurisdictionId, dimension, asOf, knownAt),
              thenExpected.value,
            )
          }
        }
      }
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} random ledgers`)
})

t.test('the maintained timelines stay right when reads and writes interleave', async (t) => {
  fc.assert(
    fc.property(
      scenario,
      fc.array(fc.boolean(), { minLength: 1 }),
      ({ events, asOfs }, readAfter) => {
        const folded = foldInto()
        const state = folded.reader
        for (const event of events) {
          folded.apply([event])
          if (!readAfter[event.position % readAfter.length]) continue
          const asOf = asOfs[event.position % asOfs.length]!
          for (const jurisdictionId of JURISDICTIONS) {
            const answer = state.stanceAnswer(jurisdictionId, asOf, event.position)
            for (const dimension of ASKED) {
              deepStrictEqual(
                answer.stance[dimension],
                referenceStance(events, jurisdictionId, dimension, asOf, event.position),
                `after position ${event.position}: ${jurisdictionId} ${dimension} ${asOf}`,
              )
            }
          }
        }
      },
    ),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} random ledgers`)
})

t.test('listJurisdictions agrees with the naive reference', async (t) => {
  fc.assert(
    fc.property(
      scenario,
      fc.constantFrom(...Object.keys(VALUES)),
      fc.constantFrom('decline_all', 'sanctuary', 'none', 'unknown'),
      ({ events, asOfs, knownAtSeed }, dimension, value) => {
        const state = fold(events)
        const knownAt = knownAtSeed % events.length
        const asOf = asOfs[0]!
        const listed = state.listJurisdictions({
          dimension,
          value,
          asOf,
          knownAtPosition: knownAt,
        })
        const expected = JURISDICTIONS.filter(
          (jurisdictionId, i) =>
            i <= knownAt &&
            referenceStance(events, jurisdictionId, dimension, asOf, knownAt).value === value,
        )
        deepStrictEqual(
          listed.jurisdictions.map((jurisdiction) => jurisdiction.jurisdictionId),
          expected,
        )
        for (const jurisdiction of listed.jurisdictions) {
          for (const asked of ASKED) {
            deepStrictEqual(
              jurisdiction.stance[asked],
              referenceStance(events, jurisdiction.jurisdictionId, asked, asOf, knownAt).value,
            )
          }
        }
      },
    ),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} random ledgers`)
})

const window = fc.record({
  from: fc.option(partialDate),
  to: fc.option(partialDate),
  dimension: fc.option(fc.constantFrom(...ASKED)),
})

t.test('historyOf and designationsOf agree with the naive reference', async (t) => {
  fc.assert(
    fc.property(scenario, window, ({ events, knownAtSeed }, { from, to, dimension }) => {
      const state = fold(events)
      const knownAt = knownAtSeed % events.length
      for (const jurisdictionId of JURISDICTIONS) {
        const history = state.historyOf(jurisdictionId, {
          knownAtPosition: knownAt,
          ...(from !== null && { from }),
          ...(to !== null && { to }),
          ...(dimension !== null && { dimension }),
        })
        const expected = referenceClaims(events, jurisdictionId, knownAt)
          .filter(
            (claim) =>
              (dimension === null ||
                claim.data.stances.some((stance) => stance.dimension === dimension)) &&
              (from === null || endOf(claim.data.on) >= startOf(from)) &&
              (to === null || startOf(claim.data.on) <= endOf(to)),
          )
          .sort(referenceOrder)
        deepStrictEqual(
          history.claims.map((claim) => ({
            id: claim.eventId,
            status: claim.status,
            on: claim.on,
            actor: claim.actor,
            stances: claim.stances,
            recorded: claim.recorded,
            corrections: claim.corrections.map((correction) => correction.eventId),
            retraction: claim.retraction?.eventId ?? null,
          })),
          expected.map((claim) => ({
            id: claim.id,
            status: claim.status,
            on: claim.data.on,
            actor: claim.data.actor,
            stances: claim.data.stances,
            recorded: claim.recorded,
            corrections: claim.corrections.map((correction) => correction.id),
            retraction: claim.retraction?.id ?? null,
          })),
        )
        deepStrictEqual(
          state.designationsOf(jurisdictionId, knownAt),
          referenceDesignations(events, jurisdictionId, knownAt).map((claim) => ({
            eventId: claim.id,
            actor: claim.data.actor,
            on: claim.data.on,
            stances: claim.data.stances,
            sourceId: claim.data.sourceId,
          })),
        )
      }
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} random ledgers`)
})

t.test('changes in valid time agree with the naive reference, as known at any position', async (t) => {
  fc.assert(
    fc.property(scenario, fc.constantFrom<[string, string]>(['2014-01-01', '2017-12-31'], ['2015-06-01', '2016-02-15'], ['2016-01-01', '2016-01-31']), ({ events, knownAtSeed }, [from, to]) => {
      const folded = foldInto(events)
      const latest = events.length - 1
      const knownAt = knownAtSeed % events.length
      for (const k of [knownAt, latest]) {
        for (const jurisdictionId of JURISDICTIONS) {
          const expected = ASKED.flatMap((dimension) => referenceChanges(events, jurisdictionId, dimension, from, to, k))
          const byPlace = (a: { on: string; eventId: string; dimension: string }, b: { on: string; eventId: string; dimension: string }) => {
            const pa = events.find((event) => event.id === a.eventId)!.position
            const pb = events.find((event) => event.id === b.eventId)!.position
            return comparePartialDates(a.on, b.on) || pa - pb || (a.dimension < b.dimension ? -1 : a.dimension > b.dimension ? 1 : 0)
          }
          deepStrictEqual(
            folded.reader.changesBetween({ from, to, knownAtPosition: k, jurisdiction: jurisdictionId }),
            expected.sort(byPlace),
            `${jurisdictionId} ${from}..${to} known at ${k}`,
          )
        }
        // across jurisdictions, the same changes, in one order
        const all = folded.reader.changesBetween({ from, to, knownAtPosition: k })
        deepStrictEqual(all.length, JURISDICTIONS.reduce((n, j) => n + folded.reader.changesBetween({ from, to, knownAtPosition: k, jurisdiction: j }).length, 0))
      }
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} random ledgers`)
})
