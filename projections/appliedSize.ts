import type { LedgerView } from './ledgerView.js'

/** How many positions the view has applied; a `knownAt` position at or beyond it is not known here yet. */
export function appliedSize(state: LedgerView): number {
  return state.size
}
