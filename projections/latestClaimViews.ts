import { claimAt } from './claimAt.js'
import { claimView, type ClaimView } from './claimView.js'
import type { LedgerView } from './ledgerView.js'

/** Claims by id as known now, in position order. */
export function latestClaimViews(state: LedgerView, claimIds: Iterable<string>): ClaimView[] {
  return [...claimIds]
    .map((claimId) => state.claims.get(claimId)!)
    .sort((a, b) => a.position - b.position)
    .map((record) => claimView(claimAt(record, state.size - 1)))
}
