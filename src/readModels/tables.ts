import type Database from 'better-sqlite3'
import { endOf, roleOf, type Actor } from '../../events/index.js'
import type {
  ClaimData,
  ClaimRecord,
  ClaimTables,
  ClaimVersion,
  JurisdictionTables,
  ReadModelName,
  RecordTimeTables,
  SourceTables,
  StandingClaim,
  TimelineEntry,
} from '../../projections/index.js'
import { validTimeKey } from '../../projections/index.js'
import { claimRows } from './claimRows.js'

/**
 * The read models' state as SQLite tables: what each projection's `evolve` reads and writes, behind
 * the interface the projection declares. Statements are prepared once; every call runs inside the
 * caller's transaction.
 */

export interface ReadModelTables {
  jurisdictions: JurisdictionTables
  sources: SourceTables
  claims: ClaimTables
  recordTime: RecordTimeTables
}

/**
 * Tables that may put work off while a rebuild folds the log into them, and do it once the log is
 * folded (the claims' changes: see changeTables.ts).
 */
export interface Settling {
  /** Does what was put off, if anything was; in the caller's transaction. */
  settle(): void
}

export const readModelTables: { [Name in ReadModelName]: (db: Database.Database) => ReadModelTables[Name] & Partial<Settling> } = {
  jurisdictions: jurisdictionTables,
  sources: sourceTables,
  claims: claimTables,
  recordTime: recordTimeTables,
}

function jurisdictionTables(db: Database.Database): JurisdictionTables {
  const has = db.prepare<[string], number>('SELECT 1 FROM rm_jurisdictions WHERE jurisdiction_id = ?').pluck()
  const insert = db.prepare<[string, string, number, string, string]>(
    'INSERT INTO rm_jurisdictions (jurisdiction_id, event_id, position, kind, record) VALUES (?, ?, ?, ?, ?)',
  )
  return {
    has: (id) => has.get(id) !== undefined,
    insert: (record) =>
      void insert.run(record.jurisdictionId, record.eventId, record.position, record.kind, JSON.stringify(record)),
  }
}

function sourceTables(db: Database.Database): SourceTables {
  const has = db.prepare<[string], number>('SELECT 1 FROM rm_sources WHERE source_id = ?').pluck()
  const insert = db.prepare<[string, string, number, string | null, string, string | null]>(
    'INSERT INTO rm_sources (source_id, event_id, position, via, record, content) VALUES (?, ?, ?, ?, ?, ?)',
  )
  return {
    has: (id) => has.get(id) !== undefined,
    insert: (record, content) =>
      void insert.run(record.sourceId, record.eventId, record.position, record.via ?? null, JSON.stringify(record), content ?? null),
  }
}

function recordTimeTables(db: Database.Database): RecordTimeTables {
  const latest = db.prepare<[], number>('SELECT max_ms FROM rm_record_time ORDER BY max_ms DESC LIMIT 1').pluck()
  const rise = db.prepare<[number, number]>('INSERT INTO rm_record_time (max_ms, position) VALUES (?, ?)')
  return {
    latest: () => latest.get(),
    rise: (maxMs, position) => void rise.run(maxMs, position),
  }
}

/** A claim's row as stored: what `claimRecordOf` reads back. */
export interface ClaimRow {
  position: number
  claim_id: string
  type: ClaimRecord['type']
  jurisdiction_id: string
  stream: string
  revision: number
  recorded_at: string
  recorded_by: string
  recorded: string
}

export function claimRecordOf(row: ClaimRow): ClaimRecord {
  return {
    eventId: row.claim_id,
    type: row.type,
    jurisdictionId: row.jurisdiction_id,
    position: row.position,
    stream: row.stream,
    revision: row.revision,
    recordedAt: row.recorded_at,
    recordedBy: row.recorded_by,
    recorded: JSON.parse(row.recorded) as ClaimData,
  }
}

/** Stored only when a correction changed it: the first version's data is the claim as recorded. */
export function versionData(record: ClaimRecord, data: string | null): ClaimData {
  return data === null ? record.recorded : (JSON.parse(data) as ClaimData)
}

function claimTables(db: Database.Database): ClaimTables & Settling {
  const insertClaim = db.prepare<[number, string, string, string, string, number, string, string, string]>(
    `INSERT INTO rm_claims (position, claim_id, type, jurisdiction_id, stream, revision, recorded_at, recorded_by, recorded)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insertVersion = db.prepare<[number, number, string, number, string, number, string, number, string | null]>(
    `INSERT INTO rm_claim_versions (claim_position, from_position, to_position, jurisdiction_id, key, on_end, third_party, status, corrections, data)
     VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const openVersion = db.prepare<
    [number],
    { from_position: number; jurisdiction_id: string; data: string | null; recorded: string; third_party: number; status: string }
  >(
    `SELECT v.from_position, v.jurisdiction_id, v.data, c.recorded, v.third_party, v.status FROM rm_claim_versions v
     JOIN rm_claims c ON c.position = v.claim_position
     WHERE v.claim_position = ? AND v.to_position IS NULL`,
  )
  const closeVersion = db.prepare<[number, number, number]>(
    'UPDATE rm_claim_versions SET to_position = ? WHERE claim_position = ? AND from_position = ?',
  )
  const countCorrections = db
    .prepare<[number], number>('SELECT COUNT(*) FROM rm_claim_corrections WHERE claim_position = ?')
    .pluck()
  const insertCorrection = db.prepare<[number, number, string]>(
    'INSERT INTO rm_claim_corrections (claim_position, position, correction) VALUES (?, ?, ?)',
  )
  const retract = db.prepare<[number, string, number]>(
    'UPDATE rm_claims SET retraction_position = ?, retraction = ? WHERE position = ?',
  )
  const enact = db.prepare<[string, string, string]>(
    'INSERT OR IGNORE INTO rm_policies (jurisdiction_id, policy_id, event_id) VALUES (?, ?, ?)',
  )
  const seeActor = db.prepare<[string, string, string | null]>(
    `INSERT INTO rm_actors (actor_id, name, office) VALUES (?, ?, ?)
     ON CONFLICT (actor_id) DO UPDATE SET name = excluded.name, office = coalesce(excluded.office, office)
       -- most claims name an actor as seen before: then no row is rewritten, no page dirtied
       WHERE name IS NOT excluded.name OR (excluded.office IS NOT NULL AND office IS NOT excluded.office)`,
  )
  const rows = claimRows(db)

  return {
    claim(claimId): StandingClaim | undefined {
      const row = rows.standing(claimId)
      if (row === undefined) return undefined
      const record = claimRecordOf(row)
      return { record, data: versionData(record, row.data), retracted: row.retraction_position !== null }
    },
    insert(record) {
      insertClaim.run(
        record.position,
        record.eventId,
        record.type,
        record.jurisdictionId,
        record.stream,
        record.revision,
        record.recordedAt,
        record.recordedBy,
        JSON.stringify(record.recorded),
      )
    },
    open(version: ClaimVersion, entries: readonly TimelineEntry[]) {
      const { claim, from, data, status } = version
      const first = from === claim.position
      insertVersion.run(
        claim.position,
        from,
        claim.jurisdictionId,
        validTimeKey(data.on),
        endOf(data.on),
        roleOf(data.actor) === 'third-party' ? 1 : 0,
        status,
        first ? 0 : countCorrections.get(claim.position)!,
        first ? null : JSON.stringify(data),
      )
      for (const entry of entries) rows.open(entry, from)
      for (const entry of entries) if (entry.counted) rows.changed(entry.jurisdictionId, entry.dimension, entry.key, from)
    },
    close(claimPosition, position) {
      const open = openVersion.get(claimPosition)
      if (open === undefined) return
      closeVersion.run(position, claimPosition, open.from_position)
      const data = JSON.parse(open.data ?? open.recorded) as ClaimData
      const key = validTimeKey(data.on)
      const counted = open.third_party === 0 && open.status !== 'retracted'
      for (const { dimension } of data.stances) {
        rows.close({ jurisdictionId: open.jurisdiction_id, dimension, key, claimPosition }, open.from_position, position)
        if (counted) rows.changed(open.jurisdiction_id, dimension, key, position)
      }
    },
    correct(claimPosition, correction) {
      insertCorrection.run(claimPosition, correction.position, JSON.stringify(correction))
    },
    retract(claimPosition, retraction) {
      retract.run(retraction.position, JSON.stringify(retraction), claimPosition)
    },
    enact: (jurisdictionId, policyId, eventId) => void enact.run(jurisdictionId, policyId, eventId),
    cite: (sourceId, claimPosition, at) => rows.cite(sourceId, claimPosition, at),
    seeActor(actor: Actor, claimPosition, at) {
      seeActor.run(actor.id, actor.name, actor.office ?? null)
      rows.actorClaim(actor.id, claimPosition, at)
    },
    settle: () => rows.settle(),
  }
}
