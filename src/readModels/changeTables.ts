import type Database from 'better-sqlite3'
import { changeHistory, refreshAround, type ChangeTimeline, type CountedEntry, type OpenChange } from '../../projections/index.js'

/**
 * Each timeline's changes (projections/changes.ts) as rows of rm_changes, valid in record time. Live,
 * each counted entry that comes or goes refreshes its day and the next one through queries on
 * rm_timeline. A rebuild does not: once the log is folded, `sweep` works every timeline's changes out
 * of rm_timeline's history, one timeline at a time in memory; the same rows, without five queries an
 * entry.
 */
export interface ChangeTables {
  /** A counted entry of (jurisdiction, dimension) at `key` came or went at `position`. */
  refreshAround(jurisdictionId: string, dimension: string, key: number, position: number): void
  /** rm_changes made again from rm_timeline; in the caller's transaction. */
  sweep(): void
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

/** An rm_timeline row as the sweep reads it: `raw()`, in the order of its SELECT's columns. */
type EntryRow = [key: number, claimPosition: number, from: number, to: number | null, value: string, on: string, sourceId: string, policy: number]

export function changeTables(db: Database.Database): ChangeTables {
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
  const insertChange = db.prepare<[string, string, number, number, number | null, number, number, string, string, string, string, number]>(
    `INSERT INTO rm_changes (jurisdiction_id, dimension, day, from_position, to_position, key, claim_position, before, after, on_date, source_id, policy)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  // the timelines one by one, in rm_timeline's key order: each a seek past the last
  const timelineAfter = db.prepare<[string, string], { jurisdiction_id: string; dimension: string }>(
    `SELECT jurisdiction_id, dimension FROM rm_timeline WHERE (jurisdiction_id, dimension) > (?, ?)
     ORDER BY jurisdiction_id, dimension LIMIT 1`,
  )
  const countedEntries = db.prepare<[string, string], EntryRow>(
    `SELECT key, claim_position, from_position, to_position, value, on_date, source_id, policy FROM rm_timeline
     WHERE jurisdiction_id = ? AND dimension = ? AND counted = 1`,
  ).raw()

  const tableTimeline = (jurisdictionId: string, dimension: string): ChangeTimeline => ({
    winner(from, to) {
      const top = winner.get(jurisdictionId, dimension, from, to)
      return top === undefined
        ? undefined
        : { key: top.key, claimPosition: top.claim_position, value: top.value, on: top.on_date, sourceId: top.source_id, policy: top.policy === 1 }
    },
    valueBefore: (key) => valueBefore.get(jurisdictionId, dimension, key),
    nextKey: (key) => nextKey.get(jurisdictionId, dimension, key),
    openChange(day): OpenChange | undefined {
      const row = openChange.get(jurisdictionId, dimension, day)
      return row === undefined
        ? undefined
        : { key: row.key, claimPosition: row.claim_position, value: row.after, before: row.before, on: row.on_date, sourceId: row.source_id, policy: row.policy === 1, from: row.from_position }
    },
    closeChange: (day, from, position) => void closeChange.run(position, jurisdictionId, dimension, day, from),
    dropChange: (day, from) => void dropChange.run(jurisdictionId, dimension, day, from),
    insertChange: (day, position, change) =>
      void insertChange.run(jurisdictionId, dimension, day, position, null, change.key, change.claimPosition, change.before, change.value, change.on, change.sourceId, change.policy ? 1 : 0),
  })

  const entryOf = ([key, claimPosition, from, to, value, on, sourceId, policy]: EntryRow): CountedEntry => ({ key, claimPosition, value, on, sourceId, policy: policy === 1, from, to })

  return {
    refreshAround: (jurisdictionId, dimension, key, position) => refreshAround(tableTimeline(jurisdictionId, dimension), key, position),
    sweep() {
      db.exec('DELETE FROM rm_changes')
      for (let at = timelineAfter.get('', ''); at !== undefined; at = timelineAfter.get(at.jurisdiction_id, at.dimension)) {
        const { jurisdiction_id: jurisdictionId, dimension } = at
        for (const span of changeHistory(countedEntries.all(jurisdictionId, dimension).map(entryOf))) {
          insertChange.run(jurisdictionId, dimension, span.day, span.from, span.to, span.key, span.claimPosition, span.before, span.value, span.on, span.sourceId, span.policy ? 1 : 0)
        }
      }
    },
  }
}
