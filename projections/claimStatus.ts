import type { ClaimStatus } from './claimAt.js'
import type { LedgerView } from './ledgerView.js'

export interface ClaimStatusView {
  status: ClaimStatus
  correctedBy: string[]
  retractedBy: string | null
}

/** A claim's status as known now, for `GET /events/:id`; null when the event is not a claim. */
export function claimStatus(state: LedgerView, eventId: string): ClaimStatusView | null {
  const record = state.claims.get(eventId)
  if (record === undefined) return null
  const retractedBy = record.retraction?.eventId ?? null
  return {
    status:
      retractedBy !== null ? 'retracted' : record.corrections.length > 0 ? 'corrected' : 'active',
    correctedBy: record.corrections.map((correction) => correction.eventId),
    retractedBy,
  }
}
