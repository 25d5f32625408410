import { deepStrictEqual } from 'node:assert/strict'
import fc from 'fast-check'
import t from 'tap'
import { comparePartialDates, endOf, startOf } from '../../events/index.js'
import { ASKED, asOfDate, buildLedger, claimScript, JURISDICTIONS, partialDate, VALUES } from '../support/fuzz/claimScript.js'
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

const scenario = fc.record({
  events: claimScript().map(buildLedger),
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
