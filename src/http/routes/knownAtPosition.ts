import { appliedSize, resolveKnownAt } from '../../../projections/index.js'
import type { RouteContext } from '../app.js'
import { checkKnownPosition, type KnownAt } from '../readContext.js'

/** The highest position a read considers (null: nothing), after checking a position exists here. */
export async function knownAtPositionFor(
  context: RouteContext,
  knownAt: KnownAt | undefined,
): Promise<number | null> {
  const view = context.view()
  if (knownAt !== undefined && 'position' in knownAt) {
    await checkKnownPosition(knownAt.position, appliedSize(view), () => context.store.head())
  }
  return resolveKnownAt(view, knownAt)
}
