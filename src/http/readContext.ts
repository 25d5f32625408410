import { z } from 'zod'
import { CalendarDate } from '../../events/index.js'
import { LedgerError } from '../errors.js'

/**
 * The two clocks of a read: `asOf` (valid time, a calendar day) and `knownAt` (record time: a position,
 * an RFC 3339 timestamp, or a date meaning the end of that day UTC).
 */
export const AsOf = CalendarDate.describe('valid time: a calendar day, YYYY-MM-DD (default: today, UTC)')

export const KnownAt = z
  .string()
  .max(40)
  .transform((text, ctx): { position: number } | { timestamp: number } => {
    if (/^\d{1,15}$/.test(text)) return { position: Number(text) }
    if (CalendarDate.safeParse(text).success) return { timestamp: Date.parse(`${text}T23:59:59.999Z`) }
    if (z.iso.datetime({ offset: true }).safeParse(text).success) return { timestamp: Date.parse(text) }
    ctx.addIssue({ code: 'custom', message: 'expected a position (digits), an RFC 3339 timestamp or a date YYYY-MM-DD' })
    return z.NEVER
  })
  .describe('record time: a ledger position (digits), an RFC 3339 timestamp, or a date (end of that day, UTC)')
export type KnownAt = z.output<typeof KnownAt>

export function todayUtc(clock: () => Date): string {
  return clock().toISOString().slice(0, 10)
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

/**
 * Whether a read names both clocks exactly: `knownAt` as a position and an explicit `asOf`. Its answer
 * is then the same forever, on any replica (answerValidators.ts makes it immutable). A `knownAt`
 * timestamp is not enough: a later write may still be recorded before it.
 */
export function pinsBothClocks(request: { query: unknown }): boolean {
  const query = request.query as { asOf?: string; knownAt?: KnownAt }
  return query.asOf !== undefined && query.knownAt !== undefined && 'position' in query.knownAt
}
