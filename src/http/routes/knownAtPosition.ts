import { appliedSize, resolveKnownAt } from '../../../projections/index.js'
import type { LedgerView } from '../../../projections/ledgerView.js'
import type { EventStore } from '../../stores/eventStore.js'
import { checkKnownPosition, type KnownAt } from '../readContext.js'

/** The highest position a read considers (null: nothing), after checking a position exists here. */
export async function knownAtPositionFor(
  context: { view: () => LedgerView; store: Pick<EventStore, 'head'> },
  knownAt: KnownAt | undefined,
): Promise<number | null> {
  const view = context.view()
  if (knownAt !== undefined && 'position' in knownAt) {
    await checkKnownPosition(knownAt.position, appliedSize(view), () => context.store.head())
  }
  return resolveKnownAt(view, knownAt)
}
