import type { ClaimView } from './claimView.js'
import { latestClaimViews } from './latestClaimViews.js'
import type { LedgerView } from './ledgerView.js'

/** Every claim citing a source, as recorded or after a correction, as known now, in position order. */
export function claimsCitingSource(state: LedgerView, sourceId: string): ClaimView[] {
  return latestClaimViews(state, state.sourceClaims.get(sourceId) ?? [])
}
