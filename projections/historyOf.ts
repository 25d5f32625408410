import { endOf, startOf } from '../events/index.js'
import { byValidTime, knownClaimsOf } from './claimAt.js'
import { claimView, type ClaimView } from './claimView.js'
import type { LedgerView } from './ledgerView.js'

export interface HistoryQuery {
  /** Only claims asserting this dimension (after correction). */
  dimension?: string
  /** Partial dates, inclusive: a claim matches when its `on` period overlaps `from`..`to`. */
  from?: string
  to?: string
  knownAtPosition: number | null
}

export interface History {
  jurisdictionId: string
  knownAtPosition: number | null
  claims: ClaimView[]
}

/** Every claim of a jurisdiction known at a position, official or not, in valid-time order. */
export function historyOf(state: LedgerView, jurisdictionId: string, query: HistoryQuery): History {
  const { dimension, from, to, knownAtPosition } = query
  const claims = knownClaimsOf(state, jurisdictionId, knownAtPosition).filter(
    ({ data }) =>
      (dimension === undefined || data.stances.some((stance) => stance.dimension === dimension)) &&
      (from === undefined || endOf(data.on) >= startOf(from)) &&
      (to === undefined || startOf(data.on) <= endOf(to)),
  )
  return { jurisdictionId, knownAtPosition, claims: claims.sort(byValidTime).map(claimView) }
}
