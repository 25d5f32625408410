import type { Actor, Stance } from '../events/index.js'
import type { ClaimView } from './claimView.js'
import type { DimensionStance } from './dimensionStance.js'
import type { ClaimStatus } from './records.js'

/** The shapes of the read answers, as the API serialises them (field order included). */

/** `knownAt` as the API parsed it: a position, or an instant in epoch milliseconds. */
export type KnownAt = { position: number } | { timestamp: number }

export interface StanceAnswer {
  jurisdictionId: string
  asOf: string
  knownAtPosition: number | null
  /** Every dimension of the taxonomy. */
  stance: Record<string, DimensionStance>
}

export interface JurisdictionListQuery {
  kind?: string
  /** Filters only together with `value`: the jurisdictions whose `dimension` is `value` on `asOf`. */
  dimension?: string
  value?: string
  /** With `dimension` and `value`: only where that value is backed so (policy: an enacted policy). */
  support?: 'policy' | 'statement'
  asOf: string
  knownAtPosition: number | null
}

export interface JurisdictionSummary {
  jurisdictionId: string
  name: string
  kind: string
  ocdId: string
  stance: Record<string, string>
  /** What backs each value: `policy`, `statement`, or null for unknown. */
  support: Record<string, 'policy' | 'statement' | null>
}

export interface JurisdictionList {
  asOf: string
  knownAtPosition: number | null
  jurisdictions: JurisdictionSummary[]
}

export interface HistoryQuery {
  /** Only claims asserting this dimension (after correction). */
  dimension?: string
  /** Partial dates, inclusive: a claim matches when its `on` period overlaps `from`..`to`. */
  from?: string
  to?: string
  knownAtPosition: number | null
}

export interface History {
  jurisdictionId: string
  knownAtPosition: number | null
  claims: ClaimView[]
}

export interface Designation {
  eventId: string
  actor: Actor
  on: string
  stances: Stance[]
  sourceId: string
}

export interface ActorView {
  actorId: string
  /** The latest name seen in ledger order. */
  name: string
  /** The latest office seen in ledger order; a mention without one does not erase it. */
  office?: string
  /** Claims by the actor as recorded or after a correction, as known now, in position order. */
  claims: ClaimView[]
}

export interface ClaimStatusView {
  status: ClaimStatus
  correctedBy: string[]
  retractedBy: string | null
}

/** One counted claim of a dimension's timeline, in valid-time order: what a step chart draws. */
export interface TimelinePoint {
  claimId: string
  on: string
  /** The first day of `on`, YYYY-MM-DD. */
  start: string
  value: string
}

/** A change in valid time: where a dimension's stance takes another value, and the claim that made it. */
export interface ValidTimeChange {
  jurisdictionId: string
  dimension: string
  /** The `on` of the claim that made the change. */
  on: string
  before: string
  after: string
  eventId: string
  sourceId: string
  /** The claim's date is known only to the month or year: the change happened at some point in it. */
  uncertain: boolean
  /** What backs the claim that made the change. */
  support: 'policy' | 'statement'
}

export interface ChangesQuery {
  /** Inclusive, partial dates. */
  from: string
  to: string
  knownAtPosition: number | null
  jurisdiction?: string
  kind?: string
  dimension?: string
}

/** A change in record time: today's answer as known at `since`, and as known now. */
export interface RecordTimeChange {
  jurisdictionId: string
  dimension: string
  before: string
  after: string
  /** The events after `since` (claims, corrections, retractions) that made the difference. */
  causedBy: string[]
}

/** A change as the feeds show it: when it was recorded, newest first. */
export interface RecordedChange extends ValidTimeChange {
  /** The position that made the change known, and when it was recorded. */
  position: number
  recordedAt: string
}
