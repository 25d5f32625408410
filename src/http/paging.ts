import { createHash } from 'node:crypto'
import { z } from 'zod'
import { LedgerError } from '../errors.js'

/**
 * Every list is paged: `limit` (100 by default, 1 000 at most) and an opaque `cursor` in, a
 * `nextCursor` out (null at the end). A cursor pins what the first page was computed at (its
 * `knownAtPosition`, and `asOf` where a list has one) and carries the key of the last item sent, so a
 * list that grows meanwhile neither skips nor repeats an item. It is bound to its route and filters:
 * another query's cursor is refused rather than read wrongly. A page is also cut short of a byte
 * budget, so no answer grows past it whatever its items weigh.
 */

export const DEFAULT_LIMIT = 100
export const MAX_LIMIT = 1_000
/** A page's items stop before their JSON passes this; an answer stays well under 1 MB. */
export const PAGE_BYTES = 768 * 1024

export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT)
  .meta({ description: `items a page (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})` })

export const CursorParam = z
  .string()
  .max(2_000)
  .regex(/^[A-Za-z0-9_-]+$/, 'expected a cursor as a previous answer’s nextCursor gave it')
  .meta({ description: 'opaque: the nextCursor of the previous page' })

const Cursor = z.strictObject({
  /** version of this format */
  v: z.literal(1),
  /** route and filters, hashed */
  q: z.string(),
  /** knownAtPosition of the first page */
  k: z.number().int().min(-1),
  /** asOf of the first page, where the list has one */
  d: z.string().optional(),
  /** the last item's key */
  a: z.union([z.string(), z.number(), z.array(z.union([z.number(), z.string()]))]),
})
export type Cursor = z.infer<typeof Cursor>

/** What a cursor is bound to: the route and every filter but the paging itself. */
export function queryHash(route: string, filters: Record<string, unknown>): string {
  const fields = Object.entries(filters)
    .filter(([name, value]) => value !== undefined && name !== 'cursor' && name !== 'limit')
    .sort(([a], [b]) => (a < b ? -1 : 1))
  return createHash('sha256').update(JSON.stringify([route, fields])).digest('base64url').slice(0, 16)
}

export function encodeCursor(cursor: Omit<Cursor, 'v'>): string {
  return Buffer.from(JSON.stringify({ v: 1, ...cursor })).toString('base64url')
}

export function decodeCursor(text: string, query: string): Cursor {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    parsed = undefined
  }
  const cursor = Cursor.safeParse(parsed)
  if (!cursor.success) throw new LedgerError('invalid_cursor', 'cursor: not a cursor this service gave out; start again without one')
  if (cursor.data.q !== query) {
    throw new LedgerError('invalid_cursor', 'cursor: it belongs to another list or other filters; keep the filters of the first page')
  }
  return cursor.data
}

/**
 * The items that fit the page (its limit, then the byte budget; at least one), and whether the list
 * goes on after them. `items` holds up to `limit + 1`: one more than a page, to know.
 */
export function fitPage<T>(items: readonly T[], limit: number): { items: T[]; more: boolean } {
  const fitted: T[] = []
  let bytes = 0
  for (const item of items.slice(0, limit)) {
    bytes += JSON.stringify(item).length
    if (fitted.length > 0 && bytes > PAGE_BYTES) return { items: fitted, more: true }
    fitted.push(item)
  }
  return { items: fitted, more: items.length > limit }
}

/** Where a page starts: the first page's clocks (pinned by a cursor), and the key to continue after. */
export interface PageStart {
  cursor: Cursor | undefined
  limit: number
}

export function pageStart(query: { cursor?: string; limit?: number }, hash: string): PageStart {
  return {
    cursor: query.cursor === undefined ? undefined : decodeCursor(query.cursor, hash),
    limit: query.limit ?? DEFAULT_LIMIT,
  }
}

/** The `knownAt` a cursor pins, as the API takes it (its position), or undefined without a cursor. */
export function pinnedKnownAt(cursor: Cursor | undefined): { position: number } | undefined {
  return cursor === undefined || cursor.k < 0 ? undefined : { position: cursor.k }
}
