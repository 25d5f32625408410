import {
  eventTypes,
  roleOf,
  type Actor,
  type Claim,
  type ClaimChanges,
  type ClaimCorrected,
  type ClaimRetracted,
  type ClaimType,
  type JurisdictionRegistered,
  type RecordedEvent,
  type SourceRegistered,
} from '../events/index.js'
import { mergeChanges } from './mergeChanges.js'
import type { Projection } from './projection.js'
import { entriesOf, insertEntry, newTimeline, removeEntry, type Timeline } from './timeline.js'

export type ClaimData = Claim['data']

export type JurisdictionRecord = JurisdictionRegistered & { eventId: string; position: number }

/** A source's registered fields without its archived text, which stays in the store. */
export type SourceRecord = Omit<SourceRegistered, 'content'> & {
  hasContent: boolean
  eventId: string
  position: number
}

export interface CorrectionRecord {
  eventId: string
  position: number
  recordedAt: string
  recordedBy: string
  changes: ClaimChanges
  reason: string
  evidenceSourceId?: string
}

export interface RetractionRecord {
  eventId: string
  position: number
  recordedAt: string
  recordedBy: string
  reason: string
  evidenceSourceId?: string
}

export interface ClaimRecord {
  eventId: string
  type: ClaimType
  jurisdictionId: string
  position: number
  recordedAt: string
  recordedBy: string
  stream: string
  revision: number
  /** The data exactly as recorded. */
  recorded: ClaimData
  /** The data with every correction applied so far, in ledger order. */
  current: ClaimData
  corrections: CorrectionRecord[]
  retraction: RetractionRecord | null
}

export interface JurisdictionClaims {
  /** Every claim of the jurisdiction, in position order. */
  claimIds: string[]
  /** Claims that were third-party as recorded or after some correction: where designations come from. */
  designationCandidates: Set<string>
  /** Per dimension, the currently effective official claims asserting it. */
  timelines: Map<string, Timeline>
  /** The last position of a claim, correction or retraction of this jurisdiction. */
  lastChangePosition: number
}

export interface ActorRecord {
  actorId: string
  name: string
  office?: string
  /** Claims by this actor as recorded or after a correction. */
  claimIds: Set<string>
}

export interface LedgerView {
  /** How many positions have been applied: positions 0..size-1. */
  size: number
  /** `recordedAt` of each position, epoch ms. */
  recordedAtMs: number[]
  /** The running maximum of `recordedAtMs`: non-decreasing, so a timestamp is a binary search. */
  recordedAtMaxMs: number[]
  jurisdictions: Map<string, JurisdictionRecord>
  sources: Map<string, SourceRecord>
  /** Claims citing each source, as recorded or after a correction. */
  sourceClaims: Map<string, Set<string>>
  claims: Map<string, ClaimRecord>
  byJurisdiction: Map<string, JurisdictionClaims>
  actors: Map<string, ActorRecord>
  /** Timelines of a jurisdiction known at an earlier position, keyed `jurisdictionId@position`. */
  pastViews: Map<string, { timelines: Map<string, Timeline>; size: number }>
  /** How many entries the past views hold together. */
  pastViewsSize: number
}

function initialState(): LedgerView {
  return {
    size: 0,
    recordedAtMs: [],
    recordedAtMaxMs: [],
    jurisdictions: new Map(),
    sources: new Map(),
    sourceClaims: new Map(),
    claims: new Map(),
    byJurisdiction: new Map(),
    actors: new Map(),
    pastViews: new Map(),
    pastViewsSize: 0,
  }
}

function recordTime(state: LedgerView, event: RecordedEvent): void {
  const ms = Date.parse(event.metadata.recordedAt)
  // a position the runner skipped gets this event's time: writers stamp in order, so it was no later
  while (state.recordedAtMs.length <= event.position) {
    const previousMax = state.recordedAtMaxMs.at(-1) ?? ms
    state.recordedAtMs.push(ms)
    state.recordedAtMaxMs.push(Math.max(previousMax, ms))
  }
  state.size = event.position + 1
}

function claimsOf(state: LedgerView, jurisdictionId: string): JurisdictionClaims {
  let claims = state.byJurisdiction.get(jurisdictionId)
  if (claims === undefined) {
    claims = {
      claimIds: [],
      designationCandidates: new Set(),
      timelines: new Map(),
      lastChangePosition: -1,
    }
    state.byJurisdiction.set(jurisdictionId, claims)
  }
  return claims
}

function cite(state: LedgerView, sourceId: string, claimId: string): void {
  let claims = state.sourceClaims.get(sourceId)
  if (claims === undefined) {
    claims = new Set()
    state.sourceClaims.set(sourceId, claims)
  }
  claims.add(claimId)
}

/** The latest name and office seen for an actor; a later mention without an office keeps the last one. */
function seeActor(state: LedgerView, actor: Actor, claimId: string): void {
  const known = state.actors.get(actor.id)
  if (known === undefined) {
    state.actors.set(actor.id, {
      actorId: actor.id,
      name: actor.name,
      ...(actor.office !== undefined && { office: actor.office }),
      claimIds: new Set([claimId]),
    })
    return
  }
  known.name = actor.name
  if (actor.office !== undefined) known.office = actor.office
  known.claimIds.add(claimId)
}

function withdraw(claims: JurisdictionClaims, record: ClaimRecord): void {
  if (record.retraction !== null) return
  for (const entry of entriesOf(record.eventId, record.position, record.current)) {
    removeEntry(claims.timelines.get(entry.dimension)!, entry)
  }
}

function contribute(claims: JurisdictionClaims, record: ClaimRecord): void {
  if (record.retraction !== null) return
  for (const entry of entriesOf(record.eventId, record.position, record.current)) {
    let timeline = claims.timelines.get(entry.dimension)
    if (timeline === undefined) {
      timeline = newTimeline()
      claims.timelines.set(entry.dimension, timeline)
    }
    insertEntry(timeline, entry)
  }
}

function applyClaim(
  state: LedgerView,
  event: Extract<RecordedEvent, { type: ClaimType }>,
): LedgerView {
  const data = event.data
  const record: ClaimRecord = {
    eventId: event.id,
    type: event.type,
    jurisdictionId: data.jurisdictionId,
    position: event.position,
    recordedAt: event.metadata.recordedAt,
    recordedBy: event.metadata.recordedBy,
    stream: event.stream,
    revision: event.revision,
    recorded: data,
    current: data,
    corrections: [],
    retraction: null,
  }
  state.claims.set(event.id, record)
  const claims = claimsOf(state, data.jurisdictionId)
  claims.claimIds.push(event.id)
  claims.lastChangePosition = event.position
  if (roleOf(data.actor) === 'third-party') claims.designationCandidates.add(event.id)
  cite(state, data.sourceId, event.id)
  seeActor(state, data.actor, event.id)
  contribute(claims, record)
  return state
}

/** The claim a correction or retraction targets; events aimed elsewhere are not the ledger's and are skipped. */
function targetOf(
  state: LedgerView,
  jurisdictionId: string,
  claimId: string,
): ClaimRecord | undefined {
  const record = state.claims.get(claimId)
  return record?.jurisdictionId === jurisdictionId ? record : undefined
}

function applyCorrection(
  state: LedgerView,
  event: RecordedEvent & { data: ClaimCorrected },
): LedgerView {
  const { changes } = event.data
  const record = targetOf(state, event.data.jurisdictionId, event.data.correctsEventId)
  if (record === undefined) return state
  const claims = claimsOf(state, record.jurisdictionId)
  withdraw(claims, record)
  record.corrections.push({
    eventId: event.id,
    position: event.position,
    recordedAt: event.metadata.recordedAt,
    recordedBy: event.metadata.recordedBy,
    changes,
    reason: event.data.reason,
    ...(event.data.evidenceSourceId !== undefined && {
      evidenceSourceId: event.data.evidenceSourceId,
    }),
  })
  record.current = mergeChanges(record.current, changes)
  contribute(claims, record)
  claims.lastChangePosition = event.position
  if (changes.sourceId !== undefined) cite(state, changes.sourceId, record.eventId)
  if (changes.actor !== undefined) {
    seeActor(state, changes.actor, record.eventId)
    if (roleOf(changes.actor) === 'third-party') claims.designationCandidates.add(record.eventId)
  }
  return state
}

function applyRetraction(
  state: LedgerView,
  event: RecordedEvent & { data: ClaimRetracted },
): LedgerView {
  const record = targetOf(state, event.data.jurisdictionId, event.data.retractsEventId)
  if (record === undefined || record.retraction !== null) return state
  const claims = claimsOf(state, record.jurisdictionId)
  withdraw(claims, record)
  record.retraction = {
    eventId: event.id,
    position: event.position,
    recordedAt: event.metadata.recordedAt,
    recordedBy: event.metadata.recordedBy,
    reason: event.data.reason,
    ...(event.data.evidenceSourceId !== undefined && {
      evidenceSourceId: event.data.evidenceSourceId,
    }),
  }
  claims.lastChangePosition = event.position
  return state
}

function registerJurisdiction(
  state: LedgerView,
  event: RecordedEvent & { data: JurisdictionRegistered },
): LedgerView {
  // a second registration of an id is refused by the write model; the first one stands
  if (!state.jurisdictions.has(event.data.jurisdictionId)) {
    state.jurisdictions.set(event.data.jurisdictionId, {
      ...event.data,
      eventId: event.id,
      position: event.position,
    })
  }
  return state
}

function registerSource(
  state: LedgerView,
  event: RecordedEvent & { data: SourceRegistered },
): LedgerView {
  if (!state.sources.has(event.data.sourceId)) {
    const { content, ...fields } = event.data
    state.sources.set(event.data.sourceId, {
      ...fields,
      hasContent: content !== undefined,
      eventId: event.id,
      position: event.position,
    })
  }
  return state
}

function apply(state: LedgerView, event: RecordedEvent): LedgerView {
  switch (event.type) {
    case 'JurisdictionRegistered':
      return registerJurisdiction(state, event)
    case 'SourceRegistered':
      return registerSource(state, event)
    case 'StatementMade':
    case 'PolicyEnacted':
    case 'PolicyReaffirmed':
    case 'PolicyAmended':
    case 'PolicyRescinded':
    case 'PolicyEnjoined':
      return applyClaim(state, event)
    case 'ClaimCorrected':
      return applyCorrection(state, event)
    case 'ClaimRetracted':
      return applyRetraction(state, event)
  }
}

/** The read model behind every read endpoint: registrations, claims, their timelines and the record-time index. */
export const ledgerView: Projection<LedgerView> = {
  name: 'ledgerView',
  canHandle: (type) => (eventTypes as readonly string[]).includes(type),
  initialState,
  evolve(state, event) {
    // fed once per position; a repeated position is a replay of what is already applied
    if (event.position < state.size) return state
    recordTime(state, event)
    return apply(state, event)
  },
}
