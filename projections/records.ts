import type {
  Claim,
  ClaimChanges,
  ClaimType,
  JurisdictionRegistered,
  SourceRegistered,
} from '../events/index.js'

/** The shapes the read models keep, as their queries read them back. */

export type ClaimData = Claim['data']

export type JurisdictionRecord = JurisdictionRegistered & { eventId: string; position: number }

/** A source's registered fields without its archived text, which is kept apart. */
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

/** Retracted wins over corrected: a claim both corrected and retracted is retracted. */
export type ClaimStatus = 'active' | 'corrected' | 'retracted'

/** What never changes about a claim: the event that recorded it. */
export interface ClaimRecord {
  eventId: string
  type: ClaimType
  jurisdictionId: string
  position: number
  stream: string
  revision: number
  recordedAt: string
  recordedBy: string
  /** The data exactly as recorded. */
  recorded: ClaimData
}

/**
 * A claim as it stood between two positions: opened by the claim itself or by a correction or
 * retraction, closed by the next one. A query as known at K reads the version open at K.
 */
export interface ClaimVersion {
  claim: ClaimRecord
  /** The position that opened this version. */
  from: number
  /** The data with the corrections up to `from` merged in. */
  data: ClaimData
  status: ClaimStatus
}
