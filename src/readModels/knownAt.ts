import { z } from 'zod'
import { CalendarDate } from '../../events/index.js'
import type { KnownAt as KnownAtValue } from '../../projections/index.js'
import { LedgerError } from '../errors.js'
import type { EventStore } from '../stores/eventStore.js'
import type { LedgerReader } from './ledgerReader.js'

/**
 * The two clocks of a read, parsed once for every reader (the API, the pages, the CLI): `asOf` (valid
 * time, a calendar day) and `knownAt` (record time: a position, an RFC 3339 timestamp, or a date
 * meaning the end of that day UTC), and how `knownAt` becomes the highest position a read considers.
 */

export const AsOf = CalendarDate.describe('valid time: a calendar day, YYYY-MM-DD (default: today, UTC)')

export const KnownAt = z
  .string()
  .max(40)
  .transform((text, ctx): KnownAtValue => {
    if (/^\d{1,15}$/.test(text)) return { position: Number(text) }
    if (CalendarDate.safeParse(text).success) return { timestamp: Date.parse(`${text}T23:59:59.999Z`) }
    if (z.iso.datetime({ offset: true }).safeParse(text).success) return { timestamp: Date.parse(text) }
    ctx.addIssue({ code: 'custom', message: 'expected a position (digits), an RFC 3339 timestamp or a date YYYY-MM-DD' })
    return z.NEVER
  })
  .describe('record time: a ledger position (digits), an RFC 3339 timestamp, or a date (end of that day, UTC)')
export type KnownAt = KnownAtValue

/** The default `asOf`: today, UTC. */
export function todayUtc(clock: () => Date): string {
  return clock().toISOString().slice(0, 10)
}

const DAY_MS = 86_400_000

/**
 * `todayUtc` for a caller that asks on every request (the response cache's generation): the day is
 * formatted again only when the clock leaves it, in either direction (a test's clock may go back).
 */
export function todayUtcOf(clock: () => Date): () => string {
  let day = ''
  let from = Number.POSITIVE_INFINITY
  let until = Number.NEGATIVE_INFINITY
  return () => {
    const now = clock().getTime()
    if (now < from || now >= until) {
      from = Math.floor(now / DAY_MS) * DAY_MS
      until = from + DAY_MS
      day = new Date(from).toISOString().slice(0, 10)
    }
    return day
  }
}

/**
 * A position beyond what this replica has applied: 503 with Retry-After if the store has it (the
 * replica will catch up), 400 if nobody does.
 */
export async function checkKnownPosition(position: number, applied: number, storeHead: () => Promise<number>): Promise<void> {
  if (position < applied) return
  const head = await storeHead()
  if (position < head) {
    throw new LedgerError('not_yet_applied', `position ${position} is in the store but this replica has applied ${applied} events so far`, { retryAfter: 1 })
  }
  throw new LedgerError(
    'invalid_known_at',
    head === 0 ? `the ledger is empty: there is no position ${position}` : `position ${position} is beyond the ledger's last position (${head - 1})`,
  )
}

/** What resolving `knownAt` reads: how far this replica has applied the log, and the store's head. */
export interface KnownAtDeps {
  reader: Pick<LedgerReader, 'resolveKnownAt'>
  runner: { readonly size: number }
  store: Pick<EventStore, 'head'>
}

/** The highest position a read considers (null: nothing), after checking a position exists here. */
export async function knownAtPositionFor(context: KnownAtDeps, knownAt: KnownAt | undefined): Promise<number | null> {
  if (knownAt !== undefined && 'position' in knownAt) {
    await checkKnownPosition(knownAt.position, context.runner.size, () => context.store.head())
  }
  return context.reader.resolveKnownAt(knownAt)
}
