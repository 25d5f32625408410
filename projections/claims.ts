import { isClaim, type Actor, type RecordedEvent } from '../events/index.js'
import { mergeChanges } from './mergeChanges.js'
import type { Projection } from './projection.js'
import type { ClaimData, ClaimRecord, ClaimVersion, CorrectionRecord, RetractionRecord } from './records.js'
import { entriesOf, type TimelineEntry } from './timelineEntry.js'

/**
 * Claims and everything that hangs off them: their versions in record time (every correction and the
 * retraction close one and open the next), the bitemporal timeline entries of each version, the
 * corrections and retraction themselves, the policies enacted, which claims cite a source and which an
 * actor made. One read model, because each of those follows from a claim's data as corrected so far.
 */

export interface StandingClaim {
  record: ClaimRecord
  /** As corrected so far. */
  data: ClaimData
  retracted: boolean
}

export interface ClaimTables {
  claim(claimId: string): StandingClaim | undefined
  insert(record: ClaimRecord): void
  /** Opens a version with its timeline entries; the claim's previous version is closed first. */
  open(version: ClaimVersion, entries: TimelineEntry[]): void
  /** Closes the claim's open version, and its entries, at `position`. */
  close(claimPosition: number, position: number): void
  correct(claimPosition: number, correction: CorrectionRecord): void
  retract(claimPosition: number, retraction: RetractionRecord): void
  /** The first enactment of a policy id in a jurisdiction stands. */
  enact(jurisdictionId: string, policyId: string, eventId: string): void
  /** The claim cites the source, as recorded or after a correction, from position `at` (kept once: the first). */
  cite(sourceId: string, claimPosition: number, at: number): void
  /**
   * The claim is the actor's from position `at` (kept once: the first); the latest name and office
   * seen for the actor, a mention without an office keeping the last one.
   */
  seeActor(actor: Actor, claimPosition: number, at: number): void
}

function openVersion(tables: ClaimTables, version: ClaimVersion): void {
  tables.open(version, entriesOf(version))
}

function recordClaim(tables: ClaimTables, event: RecordedEvent): void {
  if (!isClaim(event)) return
  const record: ClaimRecord = {
    eventId: event.id,
    type: event.type,
    jurisdictionId: event.data.jurisdictionId,
    position: event.position,
    stream: event.stream,
    revision: event.revision,
    recordedAt: event.metadata.recordedAt,
    recordedBy: event.metadata.recordedBy,
    recorded: event.data,
  }
  tables.insert(record)
  openVersion(tables, { claim: record, from: event.position, data: event.data, status: 'active' })
  if (event.type === 'PolicyEnacted') tables.enact(event.data.jurisdictionId, event.data.policyId, event.id)
  tables.cite(event.data.sourceId, event.position, event.position)
  tables.seeActor(event.data.actor, event.position, event.position)
}

/** The claim a correction or retraction targets; events aimed elsewhere are not the ledger's and are skipped. */
function targetOf(tables: ClaimTables, jurisdictionId: string, claimId: string): StandingClaim | undefined {
  const claim = tables.claim(claimId)
  return claim?.record.jurisdictionId === jurisdictionId ? claim : undefined
}

/** Who recorded a correction or retraction and when; the field order is the answers' order. */
function trail(event: RecordedEvent) {
  return {
    eventId: event.id,
    position: event.position,
    recordedAt: event.metadata.recordedAt,
    recordedBy: event.metadata.recordedBy,
  }
}

function evidence(evidenceSourceId: string | undefined) {
  return evidenceSourceId === undefined ? {} : { evidenceSourceId }
}

export const claimsReadModel: Projection<ClaimTables> = {
  name: 'claims',
  // 5: the rm_staged_* tables of a rebuild under way, a state of the tables version 4's code would not see
  version: 5,
  canHandle: (type) => type !== 'JurisdictionRegistered' && type !== 'SourceRegistered',
  evolve(tables, event) {
    switch (event.type) {
      case 'JurisdictionRegistered':
      case 'SourceRegistered':
        return
      case 'StatementMade':
      case 'PolicyEnacted':
      case 'PolicyReaffirmed':
      case 'PolicyAmended':
      case 'PolicyRescinded':
      case 'PolicyEnjoined':
        return recordClaim(tables, event)
      case 'ClaimCorrected': {
        const { changes, reason, evidenceSourceId } = event.data
        const target = targetOf(tables, event.data.jurisdictionId, event.data.correctsEventId)
        if (target === undefined) return
        const { position } = target.record
        tables.close(position, event.position)
        tables.correct(position, { ...trail(event), changes, reason, ...evidence(evidenceSourceId) })
        openVersion(tables, {
          claim: target.record,
          from: event.position,
          data: mergeChanges(target.data, changes),
          status: target.retracted ? 'retracted' : 'corrected',
        })
        if (changes.sourceId !== undefined) tables.cite(changes.sourceId, position, event.position)
        if (changes.actor !== undefined) tables.seeActor(changes.actor, position, event.position)
        return
      }
      case 'ClaimRetracted': {
        const { reason, evidenceSourceId } = event.data
        const target = targetOf(tables, event.data.jurisdictionId, event.data.retractsEventId)
        if (target === undefined || target.retracted) return
        const { position } = target.record
        tables.close(position, event.position)
        tables.retract(position, { ...trail(event), reason, ...evidence(evidenceSourceId) })
        openVersion(tables, { claim: target.record, from: event.position, data: target.data, status: 'retracted' })
        return
      }
    }
  },
}
