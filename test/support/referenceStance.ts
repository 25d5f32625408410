import {
  endOf,
  isClaim,
  startOf,
  UNKNOWN,
  type Claim,
  type ClaimCorrected,
  type ClaimRetracted,
  type RecordedEvent,
} from '../../events/index.js'

/**
 * A naive reading of DESIGN.md's "Stance semantics", written straight from the text and sharing no code
 * with projections/: filter, sort, fold, every time. Property tests hold the projection to it.
 */

export interface ReferenceClaim {
  id: string
  type: string
  position: number
  recorded: Claim['data']
  /** With every correction known at knownAt merged field by field, in ledger order. */
  data: Claim['data']
  corrections: (RecordedEvent & { data: ClaimCorrected })[]
  retraction: (RecordedEvent & { data: ClaimRetracted }) | null
  status: 'active' | 'corrected' | 'retracted'
}

export interface ReferenceStance {
  value: string
  since: string | null
  lastAffirmedOn: string | null
  basis: string[]
  basisCount: number
  sources: string[]
  uncertain: boolean
  /** `policy` when a policy event is in the run, `statement` when only statements are; null for unknown. */
  support: 'policy' | 'statement' | null
}

/** The claims of a jurisdiction known at `knownAt` (a position; null: nothing), in position order. */
export function referenceClaims(
  events: readonly RecordedEvent[],
  jurisdictionId: string,
  knownAt: number | null,
): ReferenceClaim[] {
  const known = events.filter((event) => knownAt !== null && event.position <= knownAt)
  const claims: ReferenceClaim[] = []
  for (const event of known) {
    if (!isClaim(event) || event.data.jurisdictionId !== jurisdictionId) continue
    const corrections = known.filter(
      (other): other is RecordedEvent & { data: ClaimCorrected } =>
        other.type === 'ClaimCorrected' &&
        other.data.correctsEventId === event.id &&
        other.data.jurisdictionId === jurisdictionId,
    )
    const retractions = known.filter(
      (other): other is RecordedEvent & { data: ClaimRetracted } =>
        other.type === 'ClaimRetracted' &&
        other.data.retractsEventId === event.id &&
        other.data.jurisdictionId === jurisdictionId,
    )
    const data: Record<string, unknown> = { ...event.data }
    for (const correction of corrections) {
      for (const [field, value] of Object.entries(correction.data.changes)) data[field] = value
    }
    claims.push({
      id: event.id,
      type: event.type,
      position: event.position,
      recorded: event.data,
      data: data as Claim['data'],
      corrections,
      retraction: retractions[0] ?? null,
      status:
        retractions.length > 0 ? 'retracted' : corrections.length > 0 ? 'corrected' : 'active',
    })
  }
  return claims
}

function precision(on: string): number {
  return on.length === 4 ? 0 : on.length === 7 ? 1 : 2
}

/** Start of `on`, then coarser precision first, then position. */
export function referenceOrder(a: ReferenceClaim, b: ReferenceClaim): number {
  const aStart = startOf(a.data.on)
  const bStart = startOf(b.data.on)
  if (aStart !== bStart) return aStart < bStart ? -1 : 1
  if (precision(a.data.on) !== precision(b.data.on))
    return precision(a.data.on) - precision(b.data.on)
  return a.position - b.position
}

function isOfficial(claim: ReferenceClaim): boolean {
  return (claim.data.actor.role ?? 'official') === 'official'
}

export function referenceStance(
  events: readonly RecordedEvent[],
  jurisdictionId: string,
  dimension: string,
  asOf: string,
  knownAt: number | null,
): ReferenceStance {
  const valueOf = (claim: ReferenceClaim): string | undefined =>
    claim.data.stances.find((stance) => stance.dimension === dimension)?.value
  const counted = referenceClaims(events, jurisdictionId, knownAt)
    .filter(
      (claim) =>
        claim.status !== 'retracted' &&
        isOfficial(claim) &&
        startOf(claim.data.on) <= asOf &&
        valueOf(claim) !== undefined,
    )
    .sort(referenceOrder)
  const winner = counted[counted.length - 1]
  if (winner === undefined) {
    return {
      value: UNKNOWN,
      since: null,
      lastAffirmedOn: null,
      basis: [],
      basisCount: 0,
      sources: [],
      uncertain: false,
      support: null,
    }
  }
  let first = counted.length - 1
  while (first > 0 && valueOf(counted[first - 1]!) === valueOf(winner)) first--
  const run = counted.slice(first).reverse()
  return {
    value: valueOf(winner)!,
    since: counted[first]!.data.on,
    lastAffirmedOn: winner.data.on,
    basis: run.slice(0, 100).map((claim) => claim.id),
    basisCount: run.length,
    sources: [...new Set(run.map((claim) => claim.data.sourceId))],
    uncertain: counted.some(
      (claim) =>
        precision(claim.data.on) < 2 &&
        startOf(claim.data.on) <= asOf &&
        asOf <= endOf(claim.data.on) &&
        asOf !== endOf(claim.data.on),
    ),
    // a policy event backs it; a reaffirmation only when it names the policy it reaffirms
    support: run.some((claim) => claim.type !== 'StatementMade' && (claim.type !== 'PolicyReaffirmed' || 'policyId' in claim.data)) ? 'policy' : 'statement',
  }
}

/** Active third-party claims known at `knownAt`, in valid-time order. */
export function referenceDesignations(
  events: readonly RecordedEvent[],
  jurisdictionId: string,
  knownAt: number | null,
): ReferenceClaim[] {
  return referenceClaims(events, jurisdictionId, knownAt)
    .filter((claim) => claim.status !== 'retracted' && !isOfficial(claim))
    .sort(referenceOrder)
}

/** The longest prefix whose recordedAt are all at or before `timestamp`: its last position, or null. */
export function referenceKnownAt(
  events: readonly RecordedEvent[],
  timestamp: number,
): number | null {
  let last: number | null = null
  for (const event of events) {
    if (Date.parse(event.metadata.recordedAt) > timestamp) break
    last = event.position
  }
  return last
}

export interface ReferenceChange {
  jurisdictionId: string
  dimension: string
  on: string
  before: string
  after: string
  eventId: string
  sourceId: string
  uncertain: boolean
  support: 'policy' | 'statement'
}

function dayBefore(day: string): string {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() - 1)
  return date.toISOString().slice(0, 10)
}

/**
 * The changes of one dimension within [from, to] (calendar days), straight from the definition: every
 * day some counted claim starts on is a change when the stance that day differs from the day before.
 */
export function referenceChanges(
  events: readonly RecordedEvent[],
  jurisdictionId: string,
  dimension: string,
  from: string,
  to: string,
  knownAt: number | null,
): ReferenceChange[] {
  const days = new Set(
    referenceClaims(events, jurisdictionId, knownAt)
      .filter((claim) => claim.status !== 'retracted' && isOfficial(claim) && claim.data.stances.some((stance) => stance.dimension === dimension))
      .map((claim) => startOf(claim.data.on)),
  )
  const changes: ReferenceChange[] = []
  for (const day of [...days].sort()) {
    if (day < from || day > to) continue
    const now = referenceStance(events, jurisdictionId, dimension, day, knownAt)
    const then = referenceStance(events, jurisdictionId, dimension, dayBefore(day), knownAt)
    if (now.value === then.value) continue
    const winner = referenceClaims(events, jurisdictionId, knownAt).find((claim) => claim.id === now.basis[0])!
    changes.push({
      jurisdictionId,
      dimension,
      on: winner.data.on,
      before: then.value,
      after: now.value,
      eventId: winner.id,
      sourceId: winner.data.sourceId,
      uncertain: winner.data.on.length < 10,
      support: winner.type !== 'StatementMade' && (winner.type !== 'PolicyReaffirmed' || 'policyId' in winner.data) ? 'policy' : 'statement',
    })
  }
  return changes
}
