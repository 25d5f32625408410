import type { LedgerView, SourceRecord } from './ledgerView.js'

/** A source's registered fields without its content (`hasContent` says whether the store has it). */
export function sourceOf(state: LedgerView, sourceId: string): SourceRecord | null {
  const source = state.sources.get(sourceId)
  return source === undefined ? null : { ...source }
}
