import { comparePartialDates } from '../events/index.js'
import type {
  ClaimData,
  ClaimRecord,
  CorrectionRecord,
  LedgerView,
  RetractionRecord,
} from './ledgerView.js'
import { mergeChanges } from './mergeChanges.js'

export type ClaimStatus = 'active' | 'corrected' | 'retracted'

/** A claim as known at a position: the corrections and retraction recorded up to it, applied. */
export interface ClaimAt {
  record: ClaimRecord
  data: ClaimData
  corrections: CorrectionRecord[]
  retraction: RetractionRecord | null
  /** Retracted wins over corrected: a claim both corrected and retracted is retracted. */
  status: ClaimStatus
}

/** `record` as known at `knownAtPosition`, which must be at or after the claim's own position. */
export function claimAt(record: ClaimRecord, knownAtPosition: number): ClaimAt {
  const all = record.corrections
  const corrections =
    (all.at(-1)?.position ?? -1) > knownAtPosition
      ? all.filter((correction) => correction.position <= knownAtPosition)
      : all
  const data =
    corrections === all
      ? record.current
      : corrections.reduce(
          (merged, correction) => mergeChanges(merged, correction.changes),
          record.recorded,
        )
  const retraction =
    record.retraction !== null && record.retraction.position <= knownAtPosition
      ? record.retraction
      : null
  const status = retraction !== null ? 'retracted' : corrections.length > 0 ? 'corrected' : 'active'
  return { record, data, corrections, retraction, status }
}

/** Valid-time order: start of the (corrected) `on`, coarser precision first, then position. */
export function byValidTime(a: ClaimAt, b: ClaimAt): number {
  return comparePartialDates(a.data.on, b.data.on) || a.record.position - b.record.position
}

/** The claims of a jurisdiction known at a position, in position order. */
export function knownClaimsOf(
  state: LedgerView,
  jurisdictionId: string,
  knownAtPosition: number | null,
): ClaimAt[] {
  const known: ClaimAt[] = []
  if (knownAtPosition === null) return known
  for (const claimId of state.byJurisdiction.get(jurisdictionId)?.claimIds ?? []) {
    const record = state.claims.get(claimId)!
    if (record.position > knownAtPosition) break
    known.push(claimAt(record, knownAtPosition))
  }
  return known
}
