import type { JurisdictionRecord, LedgerView } from './ledgerView.js'

/** A jurisdiction's registered fields with the event and position that registered it; null when unknown. */
export function jurisdictionOf(
  state: LedgerView,
  jurisdictionId: string,
): JurisdictionRecord | null {
  const jurisdiction = state.jurisdictions.get(jurisdictionId)
  return jurisdiction === undefined ? null : { ...jurisdiction }
}
