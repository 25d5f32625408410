import fc from 'fast-check'
import { changeTypes, claimTypes, type Actor, type ClaimType, type RecordedEvent, type Stance } from '../../../events/index.js'
import { eventLog } from '../eventBuilders.js'

/**
 * Random ledgers for property tests: a few jurisdictions, sources and actors (official and third-party),
 * claims of every type on few distinct dates (so equal starts, equal dates, backdated claims and period
 * boundaries come up often), with few values (so a claim often reaffirms the value in force), and
 * corrections and retractions of earlier claims. `buildLedger` turns a script into the events.
 */

export const JURISDICTIONS = ['us-aa', 'us-bb', 'us-cc']
export const SOURCES = ['one', 'two', 'three']
export const VALUES: Record<string, readonly string[]> = {
  detainer_hold: ['honor_all', 'decline_all'],
  declared_status: ['sanctuary', 'welcoming'],
  agreement_287g: ['active', 'none'],
}
/** The asserted dimensions plus one nobody asserts. */
export const ASKED = [...Object.keys(VALUES), 'release_notification']
export const ACTORS: readonly Actor[] = [
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
export const partialDate = fc
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

export const asOfDate = fc
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

export type Command =
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

/** A script of up to `maxLength` commands. */
export function claimScript(maxLength = 30): fc.Arbitrary<Command[]> {
  return fc.array(command, { maxLength })
}

export function buildLedger(commands: readonly Command[]): RecordedEvent[] {
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
