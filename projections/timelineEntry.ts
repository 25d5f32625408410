import { roleOf } from '../events/index.js'
import type { ClaimVersion } from './records.js'
import { validTimeKey } from './validTime.js'

/**
 * One claim version asserting one dimension: the row a timeline index holds. A stance reads the
 * counted entries in valid-time order (`key`, then the claim's position); history reads them all.
 */
export interface TimelineEntry {
  jurisdictionId: string
  dimension: string
  /** `validTimeKey(on)`. */
  key: number
  claimPosition: number
  claimId: string
  value: string
  on: string
  sourceId: string
  /** Official and not retracted: it counts toward the stance. */
  counted: boolean
  /** Made by a policy event (enacted, reaffirmed, amended, rescinded, enjoined), not only words. */
  policy: boolean
}

export function isPolicyType(type: string): boolean {
  return type !== 'StatementMade'
}

/** The entries a claim version contributes: one per stance it asserts. */
export function entriesOf(version: ClaimVersion): TimelineEntry[] {
  const { claim, data, status } = version
  const counted = status !== 'retracted' && roleOf(data.actor) === 'official'
  const key = validTimeKey(data.on)
  return data.stances.map((stance) => ({
    jurisdictionId: claim.jurisdictionId,
    dimension: stance.dimension,
    key,
    claimPosition: claim.position,
    claimId: claim.eventId,
    value: stance.value,
    on: data.on,
    sourceId: data.sourceId,
    counted,
    policy: isPolicyType(claim.type),
  }))
}
