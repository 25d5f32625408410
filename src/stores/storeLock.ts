import Database from 'better-sqlite3'
import { mkdirSync, readFileSync, truncateSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { LedgerError } from '../errors.js'
import { isOutOfSpace } from './outOfSpace.js'

/**
 * `serve` holds a lock beside an embedded store, and commands that write refuse while it is held.
 *
 * The lock is the kernel's, not a pid in a file: `<store>.lock` is a small SQLite database, and the
 * holder keeps a write transaction open on it for as long as it runs (SQLite's RESERVED lock, an
 * fcntl lock on one byte of the file). The kernel drops that lock when the process ends however it
 * ends: a kill -9, an OOM kill, a container's PID 1, a process the parent has not reaped yet (a
 * zombie holds no files). So the next start succeeds at once, and no pid is ever compared: a pid says
 * nothing in another PID namespace, where the restarted container is PID 1 again.
 *
 * The holder's pid and host are also written into the database, only to say who holds it: a RESERVED
 * lock lets others read, so a refused start can name the holder.
 *
 * POSIX locks belong to the process and vanish when it closes any descriptor of the file, so nothing
 * in this process may open the lock file except SQLite (which knows this and keeps such descriptors
 * open); the pid is read back through SQLite, never with fs.
 */

export interface StoreLock {
  release(): void
}

export function lockPathFor(storePath: string): string {
  return `${storePath}.lock`
}

/** Held locks: their connections must not be garbage-collected (closing one would free the lock). */
const held = new Set<Database.Database>()

interface Holder {
  pid: number
  host: string
  since: string
}

/** The previous releases wrote `<pid>\n` into the same path. */
const legacyPidFile = /^\s*(\d+)\s*$/

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function refusal(storePath: string, purpose: string, holder: Holder | undefined): LedgerError {
  const who =
    holder === undefined
      ? 'another process'
      : `process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}`
  return new LedgerError(
    'store_locked',
    `${storePath} is held by ${who} (a running \`policy-ledger serve\`?); stop it to ${purpose}, or send the events to the running service with --url`,
  )
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  return (
    typeof code === 'string' &&
    (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED')
  )
}

function readHolder(db: Database.Database): Holder | undefined {
  try {
    return db.prepare<[], Holder>('SELECT pid, host, since FROM holder').get()
  } catch {
    return undefined
  }
}

/**
 * A lock file written by an earlier release (a pid in text) is replaced in place (truncated, so that
 * a concurrent starter locks the very same inode), unless that pid is another live process: then an
 * older `serve` may still be running on the store.
 */
function replaceLegacyPidFile(path: string, storePath: string, purpose: string): void {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new LedgerError(
      'store_locked',
      `cannot read the lock file ${path}: ${(error as Error).message}`,
    )
  }
  const legacy = legacyPidFile.exec(text)
  if (legacy === null) {
    throw new LedgerError(
      'store_locked',
      `the lock file ${path} is neither a lock database nor an old pid file; when no policy-ledger process runs on ${storePath}, remove it and start again`,
    )
  }
  const pid = Number(legacy[1])
  if (pid !== process.pid && isAlive(pid)) {
    throw refusal(storePath, purpose, { pid, host: hostname(), since: '' })
  }
  truncateSync(path, 0)
}

function open(path: string): Database.Database {
  const db = new Database(path)
  try {
    // a start racing another one waits this long for the other's first commit, then refuses
    db.pragma('busy_timeout = 250')
    // the rollback journal stays allocated between starts, so saying who holds the lock needs no new
    // space: a start on a full disk still takes it (and then answers reads)
    db.pragma('journal_mode = PERSIST')
    db.exec(
      'CREATE TABLE IF NOT EXISTS holder (one INTEGER PRIMARY KEY CHECK (one = 1), pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL)',
    )
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

export function acquireStoreLock(storePath: string, purpose: string): StoreLock {
  const path = lockPathFor(storePath)
  mkdirSync(dirname(path), { recursive: true })
  let db: Database.Database
  try {
    db = open(path)
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'SQLITE_NOTADB') {
      if (isBusy(error)) throw refusal(storePath, purpose, undefined)
      // a new lock file on a full disk: the start says so (compose.ts), naming the store
      if (isOutOfSpace(error)) throw error
      throw new LedgerError(
        'store_locked',
        `cannot open the lock file ${path}: ${(error as Error).message}`,
      )
    }
    replaceLegacyPidFile(path, storePath, purpose)
    db = open(path)
  }
  try {
    // Say who holds it, then hold it: the first transaction commits the pid (so that others can read
    // it); the second stays open for the life of the process. Two starters racing between the two
    // cannot both hold: only one transaction at a time can have the RESERVED lock.
    db.exec('BEGIN IMMEDIATE')
    try {
      db.prepare('INSERT OR REPLACE INTO holder (one, pid, host, since) VALUES (1, ?, ?, ?)').run(
        process.pid,
        hostname(),
        new Date().toISOString(),
      )
      db.exec('COMMIT')
    } catch (error) {
      // No space for the journal (a lock file from before it was kept): hold the lock all the same.
      // It is the kernel's either way; only a refusal's "held by" names the previous holder.
      if (!isOutOfSpace(error)) throw error
      if (db.inTransaction) db.exec('ROLLBACK')
    }
    db.exec('BEGIN IMMEDIATE')
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    const holder = readHolder(db)
    db.close()
    if (isBusy(error)) throw refusal(storePath, purpose, holder)
    throw new LedgerError('store_locked', `cannot lock ${path}: ${(error as Error).message}`)
  }
  held.add(db)
  return {
    release: () => {
      if (!held.delete(db)) return
      // closing the connection ends the transaction, and with it the kernel's lock
      db.close()
    },
  }
}
