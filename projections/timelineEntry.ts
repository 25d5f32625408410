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
  /** Backed by a policy event, not only words: see `isPolicyBacked`. */
  policy: boolean
}

/**
 * A policy event backs a value: enacted, amended, rescinded, enjoined, or a reaffirmation of an
 * enacted policy it names. A reaffirmation that names no policy (a chief telling a paper that nothing
 * will change) is words, like a statement: counting it as a policy would rank a remark with an order.
 */
export function isPolicyBacked(type: string, data: { policyId?: string }): boolean {
  if (type === 'StatementMade') return false
  return type !== 'PolicyReaffirmed' || data.policyId !== undefined
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
    policy: isPolicyBacked(claim.type, data as { policyId?: string }),
  }))
}
