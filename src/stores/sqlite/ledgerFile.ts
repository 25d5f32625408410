import type Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { LedgerError } from '../../errors.js'
import { openSqliteFile } from '../openSqliteFile.js'

/**
 * The ledger's SQLite file: the log (events, checkpoints) and, beside it, the read models and the
 * Merkle tree's nodes. The same layout serves the embedded store, where the file is the ledger, and an
 * EventStoreDB replica, where it is the replica's copy (LEDGER_READ_MODELS).
 *
 * `PRAGMA user_version` says which layout a file has: 0 is a file from before the read models were
 * kept in it (its log is read as it is and the read models are built beside it), a number above
 * FILE_VERSION was written by a newer build and is refused before anything is written to it. Opening
 * writes only to a new file; an older layout is brought up to date by `upgradeLedgerFile`, once the
 * start's other checks (the signing key) have passed, so a start that fails leaves the file as it was.
 */

export const FILE_VERSION = 1

/** The page cache of a connection, KiB. */
const CACHE_KIB = 64 * 1024

/**
 * Pages the WAL holds before the commit that passes the mark copies them into the file (SQLite's
 * default is 1 000). At 1M events a group commit dirties a few hundred pages of the read models'
 * indexes, so the default made every few commits a checkpoint that wrote the same hot pages again; at
 * 10 000 (a WAL of about 40 MiB, written again from its start after each checkpoint) single-event writes at 1M went from 1 121–1 204
 * to 1 711–1 784 writes/s, alternating in one sitting. What makes a commit durable is unchanged: the
 * WAL is fsynced at every commit (synchronous=FULL), and a crash replays it on the next open.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000

const logSchema = `
CREATE TABLE IF NOT EXISTS events (
  position  INTEGER PRIMARY KEY,
  id        TEXT    NOT NULL UNIQUE,
  stream    TEXT    NOT NULL,
  revision  INTEGER NOT NULL,
  entry     TEXT    NOT NULL,
  leaf_hash BLOB    NOT NULL,
  UNIQUE (stream, revision)
);
CREATE TABLE IF NOT EXISTS checkpoints (
  tree_size INTEGER PRIMARY KEY,
  root_hash BLOB    NOT NULL,
  note      TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS events_are_immutable BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
CREATE TRIGGER IF NOT EXISTS events_are_never_deleted BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are never deleted'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_are_immutable BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are immutable'); END;
`

/** The file's settings could lose an acknowledged write in a crash. */
export class StoreDurabilityError extends LedgerError {
  constructor(message: string) {
    super('store_durability', message)
  }
}

/** A file this build must not open: written by a newer one. */
export class ForeignStoreFile extends LedgerError {
  constructor(message: string) {
    super('foreign_store_file', message)
  }
}

export interface LedgerFileOptions {
  /** A file path, or `:memory:`. */
  path: string
  readonly?: boolean
}

export function openLedgerFile(options: LedgerFileOptions): Database.Database {
  const inMemory = options.path === ':memory:'
  const readonly = options.readonly ?? false
  if (!inMemory && !readonly) mkdirSync(dirname(options.path), { recursive: true })
  // a damaged or foreign file is refused, naming it, before anything is written to it
  const db = openSqliteFile(options.path, { readonly, fileMustExist: readonly, requiredTable: 'events' })
  try {
    db.pragma('busy_timeout = 5000')
    // the read models' indexes are written in valid-time and id order, not in insertion order: a page
    // cache this size (bounded, whatever the ledger's size) keeps a commit's pages in memory
    db.pragma(`cache_size = -${CACHE_KIB}`)
    const fresh = checkLayout(db, options.path)
    if (!readonly) {
      if (fresh) db.pragma('journal_mode = WAL')
      db.pragma('synchronous = FULL')
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`)
      if (fresh) upgradeLedgerFile(db)
    }
    if (!inMemory) {
      const problem = durabilityProblem(durabilitySettings(db), readonly)
      if (problem !== undefined) throw new StoreDurabilityError(problem)
    }
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

/**
 * Refuses, before anything is written, a file of a newer layout (openSqliteFile has refused one that
 * holds something else). True for a new, empty file.
 */
function checkLayout(db: Database.Database, path: string): boolean {
  const version = Number(db.pragma('user_version', { simple: true }))
  if (version > FILE_VERSION) {
    throw new ForeignStoreFile(
      `${path} was written by a newer policy-ledger (file layout ${version}; this build reads up to ${FILE_VERSION}). Nothing was written to it: run that version, or restore a backup this one made`,
    )
  }
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table'").get() === undefined
}

/** Brings the file to this build's layout (a no-op when it has it): WAL, the log's tables, the version. */
export function upgradeLedgerFile(db: Database.Database): void {
  if (db.readonly || Number(db.pragma('user_version', { simple: true })) === FILE_VERSION) return
  if (!db.memory) db.pragma('journal_mode = WAL')
  db.transaction(() => {
    db.exec(logSchema)
    db.pragma(`user_version = ${FILE_VERSION}`)
  }).immediate()
}

export function durabilitySettings(db: Database.Database): { journalMode: string; synchronous: number } {
  return {
    journalMode: String(db.pragma('journal_mode', { simple: true })),
    synchronous: Number(db.pragma('synchronous', { simple: true })),
  }
}

/** An acknowledged write must survive a crash: refuse to run on settings that could lose one. */
export function durabilityProblem(
  settings: { journalMode: string; synchronous: number },
  readonly: boolean,
): string | undefined {
  if (settings.journalMode !== 'wal') return `journal_mode is ${settings.journalMode}, expected wal`
  if (!readonly && settings.synchronous !== 2) {
    return `synchronous is ${settings.synchronous}, expected 2 (FULL): a crash could lose acknowledged writes`
  }
  return undefined
}
