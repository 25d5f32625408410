import { dimensions } from '../events/index.js'
import type { LedgerView } from './ledgerView.js'
import { stanceAt, unknownStance, type DimensionStance, type Timeline } from './timeline.js'
import { timelinesAt } from './timelinesAt.js'

export interface StanceAnswer {
  jurisdictionId: string
  asOf: string
  knownAtPosition: number | null
  /** Every dimension of the taxonomy. */
  stance: Record<string, DimensionStance>
}

/** The stance of a jurisdiction on `asOf` (YYYY-MM-DD) as known at a position (see DESIGN, "Stance semantics"). */
export function stanceAnswer(
  state: LedgerView,
  jurisdictionId: string,
  asOf: string,
  knownAtPosition: number | null,
): StanceAnswer {
  return answerFromTimelines(
    timelinesAt(state, jurisdictionId, knownAtPosition),
    jurisdictionId,
    asOf,
    knownAtPosition,
  )
}

export function answerFromTimelines(
  timelines: ReadonlyMap<string, Timeline>,
  jurisdictionId: string,
  asOf: string,
  knownAtPosition: number | null,
): StanceAnswer {
  const stance: Record<string, DimensionStance> = {}
  for (const dimension of dimensions) {
    const timeline = timelines.get(dimension)
    stance[dimension] = timeline === undefined ? unknownStance() : stanceAt(timeline, asOf)
  }
  return { jurisdictionId, asOf, knownAtPosition, stance }
}
