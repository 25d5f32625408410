import type { LedgerView } from './ledgerView.js'

/** `knownAt` as the API parsed it: a position, or an instant in epoch milliseconds. */
export type KnownAt = { position: number } | { timestamp: number }

/**
 * The highest position a query considers, or null when it considers nothing. A position is taken as
 * given (the caller compares it with `appliedSize` first); a timestamp selects the longest prefix of the
 * ledger whose `recordedAt` are all at or before it; no `knownAt` means everything applied.
 */
export function resolveKnownAt(state: LedgerView, knownAt: KnownAt | undefined): number | null {
  if (knownAt === undefined) return state.size > 0 ? state.size - 1 : null
  if ('position' in knownAt) return knownAt.position
  const maxima = state.recordedAtMaxMs
  let low = 0
  let high = state.size
  while (low < high) {
    const mid = (low + high) >>> 1
    if (maxima[mid]! <= knownAt.timestamp) low = mid + 1
    else high = mid
  }
  return low > 0 ? low - 1 : null
}
