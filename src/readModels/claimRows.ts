import type Database from 'better-sqlite3'
import type { TimelineEntry } from '../../projections/index.js'
import { changeTables, type ChangeTables } from './changeTables.js'
import type { ClaimRow } from './tables.js'

/**
 * The claims' rows whose keys do not follow the log: timeline entries (by valid time), the changes
 * they make, citations (by source) and claims by actor. Live, each goes to its table as it comes.
 * A claims read model made afresh for a rebuild has the rm_staged_* tables: while they exist the fold
 * appends to them in position order (one page at the end, where an insertion in key order dirties a
 * page anywhere in a large tree, commit after commit) and leaves rm_changes alone; `settle`, with the
 * last events, sorts them into their tables, works every timeline's changes out in one sweep and
 * drops them. The rows are exactly the ones the live fold writes.
 */
export interface ClaimRows {
  /** A claim by its id, with its open version's data. */
  standing(claimId: string): StandingRow | undefined
  /** A timeline entry of a claim version opened at `from`. */
  open(entry: TimelineEntry, from: number): void
  /** The entry of the version opened at `from` for `dimension` closes at `position`. */
  close(entry: { jurisdictionId: string; dimension: string; key: number; claimPosition: number }, from: number, position: number): void
  /** A counted entry came or went at `position`: its day's change and the next day's are worked out again. */
  changed(jurisdictionId: string, dimension: string, key: number, position: number): void
  /** The first citation of a source by a claim stands (and the first claim of an actor's). */
  cite(sourceId: string, claimPosition: number, at: number): void
  actorClaim(actorId: string, claimPosition: number, at: number): void
  /** Sorts the staged rows into their tables and works the changes out, if there are any; in the caller's transaction. */
  settle(): void
}

export type StandingRow = ClaimRow & { retraction_position: number | null; data: string | null }

type Writes = Omit<ClaimRows, 'settle'>

const STANDING = `SELECT c.*, v.data FROM rm_claims c
  JOIN rm_claim_versions v ON v.claim_position = c.position AND v.to_position IS NULL`

export function claimRows(db: Database.Database): ClaimRows {
  const changes = changeTables(db)
  const live = liveWrites(db, changes)
  const staging = db.prepare<[], number>("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rm_staged_timeline'").pluck().get() !== undefined
  let writes: Writes = staging ? stagedWrites(db) : live
  return {
    standing: (claimId) => writes.standing(claimId),
    open: (entry, from) => writes.open(entry, from),
    close: (entry, from, position) => writes.close(entry, from, position),
    changed: (jurisdictionId, dimension, key, position) => writes.changed(jurisdictionId, dimension, key, position),
    cite: (sourceId, claimPosition, at) => writes.cite(sourceId, claimPosition, at),
    actorClaim: (actorId, claimPosition, at) => writes.actorClaim(actorId, claimPosition, at),
    settle() {
      if (writes === live) return
      // the order of each table's key: the insertions go to the end of its tree, one after another
      db.exec(`
INSERT INTO rm_timeline (jurisdiction_id, dimension, key, claim_position, from_position, to_position, counted, value, on_date, source_id, policy)
  SELECT jurisdiction_id, dimension, key, claim_position, from_position, to_position, counted, value, on_date, source_id, policy
  FROM rm_staged_timeline ORDER BY jurisdiction_id, dimension, key, claim_position, from_position;
INSERT OR IGNORE INTO rm_source_claims (source_id, claim_position, from_position)
  SELECT source_id, claim_position, from_position FROM rm_staged_source_claims ORDER BY source_id, claim_position, from_position;
INSERT OR IGNORE INTO rm_actor_claims (actor_id, claim_position, from_position)
  SELECT actor_id, claim_position, from_position FROM rm_staged_actor_claims ORDER BY actor_id, claim_position, from_position;`)
      changes.sweep()
      db.exec('DROP TABLE rm_staged_timeline; DROP TABLE rm_staged_source_claims; DROP TABLE rm_staged_actor_claims;')
      writes = live
    },
  }
}

function liveWrites(db: Database.Database, changes: ChangeTables): Writes {
  const standing = db.prepare<[string], StandingRow>(`${STANDING} WHERE c.claim_id = ?`)
  const insertEntry = db.prepare<[string, string, number, number, number, number, string, string, string, number]>(
    `INSERT INTO rm_timeline (jurisdiction_id, dimension, key, claim_position, from_position, to_position, counted, value, on_date, source_id, policy)
     VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)`,
  )
  const closeEntry = db.prepare<[number, string, string, number, number, number]>(
    `UPDATE rm_timeline SET to_position = ?
     WHERE jurisdiction_id = ? AND dimension = ? AND key = ? AND claim_position = ? AND from_position = ?`,
  )
  const cite = db.prepare<[string, number, number]>(
    'INSERT OR IGNORE INTO rm_source_claims (source_id, claim_position, from_position) VALUES (?, ?, ?)',
  )
  const actorClaim = db.prepare<[string, number, number]>(
    'INSERT OR IGNORE INTO rm_actor_claims (actor_id, claim_position, from_position) VALUES (?, ?, ?)',
  )
  return {
    standing: (claimId) => standing.get(claimId),
    open: (entry, from) =>
      void insertEntry.run(entry.jurisdictionId, entry.dimension, entry.key, entry.claimPosition, from, entry.counted ? 1 : 0, entry.value, entry.on, entry.sourceId, entry.policy ? 1 : 0),
    close: (entry, from, position) => void closeEntry.run(position, entry.jurisdictionId, entry.dimension, entry.key, entry.claimPosition, from),
    changed: (jurisdictionId, dimension, key, position) => changes.refreshAround(jurisdictionId, dimension, key, position),
    cite: (sourceId, claimPosition, at) => void cite.run(sourceId, claimPosition, at),
    actorClaim: (actorId, claimPosition, at) => void actorClaim.run(actorId, claimPosition, at),
  }
}

function stagedWrites(db: Database.Database): Writes {
  // rm_claims_by_id is made once the log is folded: until then a claim is found by the log's own index
  // of event ids (a claim's position is its event's)
  const standing = db.prepare<[string], StandingRow>(`${STANDING} WHERE c.position = (SELECT position FROM events WHERE id = ?)`)
  const insertEntry = db.prepare<[number, string, string, number, number, number, string, string, string, number]>(
    `INSERT INTO rm_staged_timeline (from_position, dimension, jurisdiction_id, key, claim_position, to_position, counted, value, on_date, source_id, policy)
     VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)`,
  )
  // a version's entries are the ones the event at its first position opened, one per dimension
  const closeEntry = db.prepare<[number, number, string]>('UPDATE rm_staged_timeline SET to_position = ? WHERE from_position = ? AND dimension = ?')
  const cite = db.prepare<[string, number, number]>('INSERT INTO rm_staged_source_claims (source_id, claim_position, from_position) VALUES (?, ?, ?)')
  const actorClaim = db.prepare<[string, number, number]>('INSERT INTO rm_staged_actor_claims (actor_id, claim_position, from_position) VALUES (?, ?, ?)')
  return {
    standing: (claimId) => standing.get(claimId),
    open: (entry, from) =>
      void insertEntry.run(from, entry.dimension, entry.jurisdictionId, entry.key, entry.claimPosition, entry.counted ? 1 : 0, entry.value, entry.on, entry.sourceId, entry.policy ? 1 : 0),
    close: (entry, from, position) => void closeEntry.run(position, from, entry.dimension),
    changed: () => undefined,
    cite: (sourceId, claimPosition, at) => void cite.run(sourceId, claimPosition, at),
    actorClaim: (actorId, claimPosition, at) => void actorClaim.run(actorId, claimPosition, at),
  }
}
