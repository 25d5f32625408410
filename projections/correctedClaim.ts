import { claimAt, type ClaimStatus } from './claimAt.js'
import type { CorrectionView, RetractionView } from './claimView.js'
import type { ClaimData, LedgerView } from './ledgerView.js'

export interface CorrectedClaim {
  eventId: string
  type: string
  jurisdictionId: string
  position: number
  stream: string
  revision: number
  recordedAt: string
  recordedBy: string
  status: ClaimStatus
  /** The data exactly as recorded. */
  recorded: ClaimData
  /** The data with the corrections known at the position applied. */
  corrected: ClaimData
  corrections: CorrectionView[]
  retraction: RetractionView | null
}

/** A claim as recorded and as corrected, as known at a position: the provenance of a claim. */
export function correctedClaim(
  state: LedgerView,
  eventId: string,
  knownAtPosition: number | null,
): CorrectedClaim | null {
  const record = state.claims.get(eventId)
  if (record === undefined || knownAtPosition === null || record.position > knownAtPosition)
    return null
  const claim = claimAt(record, knownAtPosition)
  return {
    eventId,
    type: record.type,
    jurisdictionId: record.jurisdictionId,
    position: record.position,
    stream: record.stream,
    revision: record.revision,
    recordedAt: record.recordedAt,
    recordedBy: record.recordedBy,
    status: claim.status,
    recorded: record.recorded,
    corrected: claim.data,
    corrections: claim.corrections.map((correction) => ({ ...correction })),
    retraction: claim.retraction === null ? null : { ...claim.retraction },
  }
}
