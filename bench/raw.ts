/**
 * Baselines measured with better-sqlite3 alone, on the same store file: what the disk and SQLite allow
 * before any of the ledger's own work. One-row commits (the fsync rate) and the raw read + parse of the
 * log; the raw baseline of the ledger's appends replays its captured statements (bench/capture.ts).
 */
import Database from 'better-sqlite3'
import { existsSync, rmSync, statSync } from 'node:fs'
import { WAL_AUTOCHECKPOINT_PAGES } from '../src/stores/sqlite/ledgerFile.js'
import type { RawRow } from './appends.js'

export interface RawAppendResult {
  eventsPerTransaction: number
  events: number
  transactions: number
  /** Seconds spent inside the transactions (making the rows is not counted). */
  seconds: number
  eventsPerSecond: number
  transactionsPerSecond: number
}

/**
 * Inserts rows into the store's `events` table only (random UUID ids), `eventsPerTransaction` per
 * transaction, for about `seconds`, with the service's durability (WAL, synchronous=FULL: every commit
 * is fsynced) and its WAL checkpoint mark. With one a transaction: how many durable commits a second
 * this disk allows.
 */
export function rawAppend(storePath: string, nextRow: () => RawRow, eventsPerTransaction: number, seconds: number): RawAppendResult {
  const db = new Database(storePath)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`)
    if (db.pragma('journal_mode', { simple: true }) !== 'wal' || Number(db.pragma('synchronous', { simple: true })) !== 2) {
      throw new Error('raw baseline: could not set WAL with synchronous=FULL')
    }
    const insert = db.prepare('INSERT INTO events (position, id, stream, revision, entry, leaf_hash) VALUES (?, ?, ?, ?, ?, ?)')
    const revisionOf = db.prepare<[string], { r: number | null }>('SELECT MAX(revision) AS r FROM events WHERE stream = ?')
    let position = ((db.prepare('SELECT MAX(position) AS p FROM events').get() as { p: number | null }).p ?? -1) + 1
    const revisions = new Map<string, number>()
    const commit = db.transaction((rows: RawRow[]) => {
      for (const row of rows) {
        let revision = revisions.get(row.stream)
        if (revision === undefined) revision = revisionOf.get(row.stream)?.r ?? -1
        revision += 1
        revisions.set(row.stream, revision)
        insert.run(position, row.id, row.stream, revision, row.entry, row.leafHash)
        position += 1
      }
    })
    let spent = 0
    let events = 0
    let transactions = 0
    while (spent < seconds * 1000) {
      const rows = Array.from({ length: eventsPerTransaction }, nextRow)
      const started = performance.now()
      commit.immediate(rows)
      spent += performance.now() - started
      events += rows.length
      transactions += 1
    }
    return {
      eventsPerTransaction,
      events,
      transactions,
      seconds: spent / 1000,
      eventsPerSecond: events / (spent / 1000),
      transactionsPerSecond: transactions / (spent / 1000),
    }
  } finally {
    db.close()
  }
}

/** Several runs of the same raw baseline as one result: counts and time inside transactions added. */
export function combineRawAppends(parts: readonly RawAppendResult[]): RawAppendResult {
  const events = parts.reduce((sum, part) => sum + part.events, 0)
  const transactions = parts.reduce((sum, part) => sum + part.transactions, 0)
  const seconds = parts.reduce((sum, part) => sum + part.seconds, 0)
  return { eventsPerTransaction: parts[0]!.eventsPerTransaction, events, transactions, seconds, eventsPerSecond: events / seconds, transactionsPerSecond: transactions / seconds }
}

export interface RawReplayResult {
  events: number
  seconds: number
  eventsPerSecond: number
}

/** Reads every row in position order and JSON-parses its entry: the floor under a cold start. */
export function rawReplay(storePath: string): RawReplayResult {
  const db = new Database(storePath, { readonly: true })
  try {
    const rows = db.prepare('SELECT position, id, stream, revision, entry, leaf_hash FROM events ORDER BY position')
    const started = performance.now()
    let events = 0
    let check = 0
    for (const row of rows.iterate() as IterableIterator<{ position: number; entry: string; leaf_hash: Buffer }>) {
      const parsed = JSON.parse(row.entry) as { type: string }
      // use what was read, so none of it can be optimised away
      check += parsed.type.length + row.leaf_hash[0]!
      events += 1
    }
    const seconds = (performance.now() - started) / 1000
    if (check < 0) throw new Error('unreachable')
    return { events, seconds, eventsPerSecond: events / seconds }
  } finally {
    db.close()
    // a read-only connection to a WAL database leaves an empty -wal and its -shm behind
    if (!existsSync(`${storePath}-wal`) || statSync(`${storePath}-wal`).size === 0) {
      rmSync(`${storePath}-wal`, { force: true })
      rmSync(`${storePath}-shm`, { force: true })
    }
  }
}
