import { roleOf } from '../events/index.js'
import { knownClaimsOf } from './claimAt.js'
import type { LedgerView } from './ledgerView.js'
import {
  compareEntries,
  entriesOf,
  newTimeline,
  type Timeline,
  type TimelineEntry,
} from './timeline.js'

/**
 * How many timeline entries the kept past views may hold together. A view of a past position never
 * changes, so it is kept for repeated as-of-then queries until newer views push it out.
 */
export const PAST_VIEW_BUDGET = 200_000

const nothing: ReadonlyMap<string, Timeline> = new Map()

/**
 * The per-dimension timelines of a jurisdiction as known at a position. When nothing about the
 * jurisdiction was recorded after that position, these are the maintained timelines; otherwise the
 * view is built from the jurisdiction's claims once and kept.
 */
export function timelinesAt(
  state: LedgerView,
  jurisdictionId: string,
  knownAtPosition: number | null,
): ReadonlyMap<string, Timeline> {
  const claims = state.byJurisdiction.get(jurisdictionId)
  if (knownAtPosition === null || claims === undefined) return nothing
  if (knownAtPosition >= claims.lastChangePosition) return claims.timelines
  const key = `${jurisdictionId}@${knownAtPosition}`
  const kept = state.pastViews.get(key)
  if (kept !== undefined) return kept.timelines
  const timelines = buildTimelinesAt(state, jurisdictionId, knownAtPosition)
  let size = 0
  for (const timeline of timelines.values()) size += timeline.entries.length
  for (const [oldest, view] of state.pastViews) {
    if (state.pastViewsSize + size <= PAST_VIEW_BUDGET) break
    state.pastViews.delete(oldest)
    state.pastViewsSize -= view.size
  }
  if (size <= PAST_VIEW_BUDGET) {
    state.pastViews.set(key, { timelines, size })
    state.pastViewsSize += size
  }
  return timelines
}

/** The timelines rebuilt from the claims known at a position, with what was known of them then. */
export function buildTimelinesAt(
  state: LedgerView,
  jurisdictionId: string,
  knownAtPosition: number,
): Map<string, Timeline> {
  const entries = new Map<string, TimelineEntry[]>()
  for (const claim of knownClaimsOf(state, jurisdictionId, knownAtPosition)) {
    if (claim.status === 'retracted' || roleOf(claim.data.actor) !== 'official') continue
    for (const entry of entriesOf(claim.record.eventId, claim.record.position, claim.data)) {
      const list = entries.get(entry.dimension)
      if (list === undefined) entries.set(entry.dimension, [entry])
      else list.push(entry)
    }
  }
  const view = new Map<string, Timeline>()
  for (const [dimension, list] of entries)
    view.set(dimension, newTimeline(list.sort(compareEntries)))
  return view
}
