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
import { changeOn, sameChange, validTimeKey, type ChangePoint, type ChangeWinner } from '../../projections/index.js'

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

export function readModelTables(db: Database.Database): { [Name in ReadModelName]: ReadModelTables[Name] } {
  return {
    jurisdictions: jurisdictionTables(db),
    sources: sourceTables(db),
    claims: claimTables(db),
    recordTime: recordTimeTables(db),
  }
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

function claimTables(db: Database.Database): ClaimTables {
  const standing = db.prepare<[string], ClaimRow & { retraction_position: number | null; data: string | null }>(
    `SELECT c.*, v.data FROM rm_claims c
     JOIN rm_claim_versions v ON v.claim_position = c.position AND v.to_position IS NULL
     WHERE c.claim_id = ?`,
  )
  const insertClaim = db.prepare<[number, string, string, string, string, number, string, string, string]>(
    `INSERT INTO rm_claims (position, claim_id, type, jurisdiction_id, stream, revision, recorded_at, recorded_by, recorded)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insertVersion = db.prepare<[number, number, string, number, string, number, string, number, string | null]>(
    `INSERT INTO rm_claim_versions (claim_position, from_position, to_position, jurisdiction_id, key, on_end, third_party, status, corrections, data)
     VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insertEntry = db.prepare<[string, string, number, number, number, number, string, string, string, number]>(
    `INSERT INTO rm_timeline (jurisdiction_id, dimension, key, claim_position, from_position, to_position, counted, value, on_date, source_id, policy)
     VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)`,
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
  const closeEntry = db.prepare<[number, string, string, number, number, number]>(
    `UPDATE rm_timeline SET to_position = ?
     WHERE jurisdiction_id = ? AND dimension = ? AND key = ? AND claim_position = ? AND from_position = ?`,
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
  const cite = db.prepare<[string, number, number]>(
    'INSERT OR IGNORE INTO rm_source_claims (source_id, claim_position, from_position) VALUES (?, ?, ?)',
  )
  const seeActor = db.prepare<[string, string, string | null]>(
    `INSERT INTO rm_actors (actor_id, name, office) VALUES (?, ?, ?)
     ON CONFLICT (actor_id) DO UPDATE SET name = excluded.name, office = coalesce(excluded.office, office)
       -- most claims name an actor as seen before: then no row is rewritten, no page dirtied
       WHERE name IS NOT excluded.name OR (excluded.office IS NOT NULL AND office IS NOT excluded.office)`,
  )
  const actorClaim = db.prepare<[string, number, number]>(
    'INSERT OR IGNORE INTO rm_actor_claims (actor_id, claim_position, from_position) VALUES (?, ?, ?)',
  )

  const changes = changeTables(db)

  return {
    claim(claimId): StandingClaim | undefined {
      const row = standing.get(claimId)
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
      for (const entry of entries) {
        insertEntry.run(
          entry.jurisdictionId,
          entry.dimension,
          entry.key,
          entry.claimPosition,
          from,
          entry.counted ? 1 : 0,
          entry.value,
          entry.on,
          entry.sourceId,
          entry.policy ? 1 : 0,
        )
      }
      for (const entry of entries) if (entry.counted) changes.refreshAround(entry.jurisdictionId, entry.dimension, entry.key, from)
    },
    close(claimPosition, position) {
      const open = openVersion.get(claimPosition)
      if (open === undefined) return
      closeVersion.run(position, claimPosition, open.from_position)
      const data = JSON.parse(open.data ?? open.recorded) as ClaimData
      const key = validTimeKey(data.on)
      const counted = open.third_party === 0 && open.status !== 'retracted'
      for (const { dimension } of data.stances) {
        closeEntry.run(position, open.jurisdiction_id, dimension, key, claimPosition, open.from_position)
        if (counted) changes.refreshAround(open.jurisdiction_id, dimension, key, position)
      }
    },
    correct(claimPosition, correction) {
      insertCorrection.run(claimPosition, correction.position, JSON.stringify(correction))
    },
    retract(claimPosition, retraction) {
      retract.run(retraction.position, JSON.stringify(retraction), claimPosition)
    },
    enact: (jurisdictionId, policyId, eventId) => void enact.run(jurisdictionId, policyId, eventId),
    cite: (sourceId, claimPosition, at) => void cite.run(sourceId, claimPosition, at),
    seeActor(actor: Actor, claimPosition, at) {
      seeActor.run(actor.id, actor.name, actor.office ?? null)
      actorClaim.run(actor.id, claimPosition, at)
    },
  }
}

interface ChangeRow {
  key: number
  claim_position: number
  after: string
  before: string
  on_date: string
  source_id: string
  policy: number
  from_position: number
}

/**
 * Keeps each timeline's changes (projections/changes.ts) as rows valid in record time. When a counted
 * entry comes to or leaves a day, that day's change and the next day's (whose "before" it may be) are
 * worked out again from the open entries, and a row that no longer holds is closed at the position
 * that ended it, its successor opened there.
 */
function changeTables(db: Database.Database) {
  const winner = db.prepare<[string, string, number, number], { key: number; claim_position: number; value: string; on_date: string; source_id: string; policy: number }>(
    `SELECT key, claim_position, value, on_date, source_id, policy FROM rm_timeline
     WHERE jurisdiction_id = ? AND dimension = ? AND key BETWEEN ? AND ? AND counted = 1 AND to_position IS NULL
     ORDER BY key DESC, claim_position DESC LIMIT 1`,
  )
  const valueBefore = db
    .prepare<[string, string, number], string>(
      `SELECT value FROM rm_timeline
       WHERE jurisdiction_id = ? AND dimension = ? AND key < ? AND counted = 1 AND to_position IS NULL
       ORDER BY key DESC, claim_position DESC LIMIT 1`,
    )
    .pluck()
  const nextKey = db
    .prepare<[string, string, number], number>(
      `SELECT key FROM rm_timeline
       WHERE jurisdiction_id = ? AND dimension = ? AND key >= ? AND counted = 1 AND to_position IS NULL
       ORDER BY key LIMIT 1`,
    )
    .pluck()
  const openChange = db.prepare<[string, string, number], ChangeRow>(
    `SELECT key, claim_position, after, before, on_date, source_id, policy, from_position FROM rm_changes
     WHERE jurisdiction_id = ? AND dimension = ? AND day = ? AND to_position IS NULL`,
  )
  const closeChange = db.prepare<[number, string, string, number, number]>(
    'UPDATE rm_changes SET to_position = ? WHERE jurisdiction_id = ? AND dimension = ? AND day = ? AND from_position = ?',
  )
  const dropChange = db.prepare<[string, string, number, number]>(
    'DELETE FROM rm_changes WHERE jurisdiction_id = ? AND dimension = ? AND day = ? AND from_position = ?',
  )
  const insertChange = db.prepare<[string, string, number, number, number, number, string, string, string, string, number]>(
    `INSERT INTO rm_changes (jurisdiction_id, dimension, day, from_position, to_position, key, claim_position, before, after, on_date, source_id, policy)
     VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)`,
  )

  const stored = (row: ChangeRow | undefined): ChangePoint | null =>
    row === undefined
      ? null
      : { key: row.key, claimPosition: row.claim_position, value: row.after, before: row.before, on: row.on_date, sourceId: row.source_id, policy: row.policy === 1 }

  function refresh(jurisdictionId: string, dimension: string, day: number, position: number): void {
    const top = winner.get(jurisdictionId, dimension, day * 4, day * 4 + 3)
    const won: ChangeWinner | undefined =
      top === undefined
        ? undefined
        : { key: top.key, claimPosition: top.claim_position, value: top.value, on: top.on_date, sourceId: top.source_id, policy: top.policy === 1 }
    const wanted = changeOn(won, valueBefore.get(jurisdictionId, dimension, day * 4))
    const row = openChange.get(jurisdictionId, dimension, day)
    if (sameChange(stored(row), wanted)) return
    if (row !== undefined) {
      // a row the same event opened was never visible at any position: it goes, rather than closing empty
      if (row.from_position === position) dropChange.run(jurisdictionId, dimension, day, position)
      else closeChange.run(position, jurisdictionId, dimension, day, row.from_position)
    }
    if (wanted !== null) {
      insertChange.run(jurisdictionId, dimension, day, position, wanted.key, wanted.claimPosition, wanted.before, wanted.value, wanted.on, wanted.sourceId, wanted.policy ? 1 : 0)
    }
  }

  return {
    /** A counted entry of (jurisdiction, dimension) at `key` came or went at `position`. */
    refreshAround(jurisdictionId: string, dimension: string, key: number, position: number): void {
      const day = Math.floor(key / 4)
      refresh(jurisdictionId, dimension, day, position)
      const next = nextKey.get(jurisdictionId, dimension, (day + 1) * 4)
      if (next !== undefined) refresh(jurisdictionId, dimension, Math.floor(next / 4), position)
    },
  }
}
