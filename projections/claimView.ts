import {
  roleOf,
  type Actor,
  type ClaimType,
  type Quote,
  type Role,
  type Stance,
} from '../events/index.js'
import type { ClaimData, ClaimRecord, ClaimStatus, CorrectionRecord, RetractionRecord } from './records.js'

export type CorrectionView = CorrectionRecord
export type RetractionView = RetractionRecord

/** A claim as known at a position: the version open then, and the corrections and retraction recorded by then. */
export interface ClaimAt {
  record: ClaimRecord
  data: ClaimData
  status: ClaimStatus
  corrections: CorrectionRecord[]
  retraction: RetractionRecord | null
}

/** A claim as history, sources and actors show it: the corrected fields on top, what changed nested. */
export interface ClaimView {
  eventId: string
  type: ClaimType
  jurisdictionId: string
  position: number
  recordedAt: string
  recordedBy: string
  status: ClaimStatus
  role: Role
  actor: Actor
  on: string
  dateBasis?: string
  summary: string
  quote?: Quote
  sourceId: string
  stances: Stance[]
  policyId?: string
  instrument?: string
  title?: string
  /** The data exactly as recorded. */
  recorded: ClaimData
  corrections: CorrectionView[]
  retraction: RetractionView | null
}

export function claimView(claim: ClaimAt): ClaimView {
  const { record, data } = claim
  const policy = data as Partial<Record<'policyId' | 'instrument' | 'title', string>>
  return {
    eventId: record.eventId,
    type: record.type,
    jurisdictionId: record.jurisdictionId,
    position: record.position,
    recordedAt: record.recordedAt,
    recordedBy: record.recordedBy,
    status: claim.status,
    role: roleOf(data.actor),
    actor: data.actor,
    on: data.on,
    ...(data.dateBasis !== undefined && { dateBasis: data.dateBasis }),
    summary: data.summary,
    ...(data.quote !== undefined && { quote: data.quote }),
    sourceId: data.sourceId,
    stances: data.stances,
    ...(policy.policyId !== undefined && { policyId: policy.policyId }),
    ...(policy.instrument !== undefined && { instrument: policy.instrument }),
    ...(policy.title !== undefined && { title: policy.title }),
    recorded: record.recorded,
    corrections: claim.corrections.map((correction) => ({ ...correction })),
    retraction: claim.retraction === null ? null : { ...claim.retraction },
  }
}

/** A claim as recorded and as corrected, as known at a position: the provenance of a claim. */
export interface CorrectedClaim extends ClaimRecord {
  status: ClaimStatus
  /** The data with the corrections known at the position applied. */
  corrected: ClaimData
  corrections: CorrectionView[]
  retraction: RetractionView | null
}

export function correctedClaim(claim: ClaimAt): CorrectedClaim {
  const { record } = claim
  return {
    eventId: record.eventId,
    type: record.type,
    jurisdictionId: record.jurisdictionId,
    position: record.position,
    stream: record.stream,
    revision: record.revision,
    recordedAt: record.recordedAt,
    recordedBy: record.recordedBy,
    status: claim.status,
    recorded: record.recorded,
    corrected: claim.data,
    corrections: claim.corrections.map((correction) => ({ ...correction })),
    retraction: claim.retraction === null ? null : { ...claim.retraction },
  }
}
