import type { LedgerView } from './ledgerView.js'
import { UNKNOWN_VALUE, valueAt } from './timeline.js'
import { timelinesAt } from './timelinesAt.js'

/** Just the value of one dimension on `asOf` as known at a position: what lists and filters need. */
export function stanceValue(
  state: LedgerView,
  jurisdictionId: string,
  dimension: string,
  asOf: string,
  knownAtPosition: number | null,
): string {
  const timeline = timelinesAt(state, jurisdictionId, knownAtPosition).get(dimension)
  return timeline === undefined ? UNKNOWN_VALUE : valueAt(timeline, asOf)
}
