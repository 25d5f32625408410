import type { LedgerReader } from '../../readModels/ledgerReader.js'
import type { EventStore } from '../../stores/eventStore.js'
import { checkKnownPosition, type KnownAt } from '../readContext.js'

/** What resolving `knownAt` reads: how far this replica has applied the log, and the store's head. */
export interface KnownAtDeps {
  reader: Pick<LedgerReader, 'resolveKnownAt'>
  runner: { readonly size: number }
  store: Pick<EventStore, 'head'>
}

/** The highest position a read considers (null: nothing), after checking a position exists here. */
export async function knownAtPositionFor(context: KnownAtDeps, knownAt: KnownAt | undefined): Promise<number | null> {
  if (knownAt !== undefined && 'position' in knownAt) {
    await checkKnownPosition(knownAt.position, context.runner.size, () => context.store.head())
  }
  return context.reader.resolveKnownAt(knownAt)
}
