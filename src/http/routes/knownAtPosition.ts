import type { RouteContext } from '../app.js'
import { checkKnownPosition, type KnownAt } from '../readContext.js'

/** The highest position a read considers (null: nothing), after checking a position exists here. */
export async function knownAtPositionFor(
  context: RouteContext,
  knownAt: KnownAt | undefined,
): Promise<number | null> {
  if (knownAt !== undefined && 'position' in knownAt) {
    await checkKnownPosition(knownAt.position, context.runner.size, () => context.store.head())
  }
  return context.reader.resolveKnownAt(knownAt)
}
