import Database from 'better-sqlite3'
import { accessSync, closeSync, constants, openSync, readSync, statSync, type Stats } from 'node:fs'
import { dirname } from 'node:path'
import { LedgerError } from '../errors.js'
import { isOutOfSpace, storeFull } from './outOfSpace.js'

/**
 * Opens an embedded store's SQLite file, and turns what SQLite says about a damaged or foreign file
 * (SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_CANTOPEN, ...) into an error that names the file, says what
 * is wrong and what to do.
 *
 * A read-write open is checked first through a read-only connection (the header, the file's length
 * against the page count its header states, the schema, then `PRAGMA quick_check`), so that a start
 * that fails never writes to the file: the read-write open would switch on WAL, create tables, sign a
 * checkpoint, and checkpoint a leftover WAL into a file that is already damaged. quick_check reads
 * every page, about a second a gigabyte from the page cache: since a start no longer reads the
 * events, that would make a start's time grow with the ledger, so it runs on files up to
 * `deepCheckUpTo` bytes (512 MiB by default). On a larger file a damaged page is found when it is read
 * (`isDamaged`: a request answers 503 store_damaged), and `policy-ledger verify` runs
 * quick_check on any file.
 * A read-only open (export, verify, backup beside a server) cannot harm the file, so it only gets the
 * cheap checks.
 *
 * A file system with no space left is told apart from a damaged file (src/stores/outOfSpace.ts).
 */

export interface OpenSqliteFileOptions {
  readonly?: boolean
  fileMustExist?: boolean
  /**
   * A table every file of this kind has: a database holding tables but not this one belongs to
   * something else, and must not get ours created in it.
   */
  requiredTable?: string
  /** A read-write open runs quick_check (every page) on a file up to this size. */
  deepCheckUpTo?: number
}

export const DEEP_CHECK_UP_TO = 512 * 1024 * 1024

const restore =
  'restore the store from a backup (see "Backup and restore" in the README: `policy-ledger backup` makes one while it serves)'

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw inaccessible(path, (error as Error).message)
  }
}

function inaccessible(path: string, why: string): LedgerError {
  const user =
    typeof process.getuid === 'function' ? ` (this process runs as uid ${process.getuid()})` : ''
  return new LedgerError(
    'store_inaccessible',
    `cannot use the store ${path}: ${why}. Check that LEDGER_STORE names the store, and that this user${user} may read and write the file and its directory (SQLite keeps -wal and -shm files beside it).`,
    { path },
  )
}

function notSqlite(path: string): LedgerError {
  return new LedgerError(
    'store_not_a_ledger',
    `${path} is not a SQLite database (its first bytes are not the SQLite header), so it is no policy-ledger store. Nothing was written to it. Check that LEDGER_STORE names the store; if it does, the file was overwritten: ${restore}.`,
    { path },
  )
}

function damaged(path: string, finding: string): LedgerError {
  return new LedgerError(
    'store_damaged',
    `${path} is damaged: ${finding}. Nothing was written to it. Keep a copy of the file as it is, and ${restore}. Without a backup, \`sqlite3 <copy> .recover | sqlite3 recovered.sqlite\` may salvage rows; \`policy-ledger verify\` on the result says what survived.`,
    { path },
  )
}

/** SQLite found a damaged page: at an open, or later in whatever read met it. */
export function isDamaged(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('SQLITE_CORRUPT')
}

/** What SQLite said, as one of ours when it is about the file; anything else as it was. */
export function sqliteFileError(path: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code
  const message = error instanceof Error ? error.message : String(error)
  if (typeof code !== 'string') return error
  if (code === 'SQLITE_NOTADB') return notSqlite(path)
  if (isDamaged(error)) return damaged(path, `SQLite reports "${message}"`)
  // a full disk fails the open too (the -shm index cannot be made): that is no damage
  if (isOutOfSpace(error, path)) return storeFull(path, 'open it', error)
  if (code.startsWith('SQLITE_IOERR'))
    return damaged(path, `reading it fails ("${message}", ${code}); the disk may be failing`)
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code === 'SQLITE_PERM' ||
    code === 'SQLITE_AUTH' ||
    code.startsWith('SQLITE_READONLY')
  ) {
    return inaccessible(path, `${message} (${code})`)
  }
  return error
}

function open(
  path: string,
  options: { readonly: boolean; fileMustExist: boolean },
): Database.Database {
  try {
    return new Database(path, options)
  } catch (error) {
    throw sqliteFileError(path, error)
  }
}

/**
 * A file cut short: shorter than the page count its header states. SQLite trusts that count only when
 * the header's version-valid-for equals its change counter; and while a WAL holds pages not yet copied
 * back (a checkpoint a crash interrupted), the file may rightly be short, so a non-empty -wal is left
 * to SQLite.
 */
function truncation(path: string, size: number): string | undefined {
  if (size < 100 || (statOf(`${path}-wal`)?.size ?? 0) > 0) return undefined
  const header = Buffer.alloc(100)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, header, 0, 100, 0)
  } finally {
    closeSync(fd)
  }
  if (!header.subarray(0, 16).equals(Buffer.from('SQLite format 3\0', 'latin1'))) return undefined
  const pageSize = header.readUInt16BE(16) === 1 ? 65_536 : header.readUInt16BE(16)
  const pages = header.readUInt32BE(28)
  if (pages === 0 || header.readUInt32BE(92) !== header.readUInt32BE(24)) return undefined
  const stated = pages * pageSize
  return size < stated
    ? `it is shorter than its header says (${pages} pages of ${pageSize} bytes, ${stated} bytes; the file has ${size}): it was cut short`
    : undefined
}

/** The header and the schema (cheap), then every page when `deep`. */
function check(
  db: Database.Database,
  path: string,
  requiredTable: string | undefined,
  deep: boolean,
): void {
  try {
    const tables = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
      )
      .all()
      .map((row) => row.name)
    if (requiredTable !== undefined && tables.length > 0 && !tables.includes(requiredTable)) {
      throw new LedgerError(
        'store_not_a_ledger',
        `${path} is a SQLite database but no policy-ledger store: it has no ${requiredTable} table (it has ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''}). Nothing was written to it. Check that LEDGER_STORE names the store.`,
        { path },
      )
    }
    if (deep) quickCheck(db, path)
  } catch (error) {
    throw error instanceof LedgerError ? error : sqliteFileError(path, error)
  }
}

/** Every page of the file read by SQLite's quick_check: a `store_damaged` error naming the first findings. */
export function quickCheck(db: Database.Database, path: string): void {
  try {
    const findings = db
      .prepare<[], { quick_check: string }>('PRAGMA quick_check')
      .all()
      .map((row) => row.quick_check)
    if (findings.length !== 1 || findings[0] !== 'ok') {
      const first = findings
        .flatMap((finding) => finding.split('\n'))
        .filter((line) => line !== '' && !line.startsWith('***'))
      throw damaged(
        path,
        `SQLite's quick_check finds ${first.slice(0, 3).join('; ')}${first.length > 3 ? ` (and ${first.length - 3} more)` : ''}`,
      )
    }
  } catch (error) {
    throw error instanceof LedgerError ? error : sqliteFileError(path, error)
  }
}

export function openSqliteFile(
  path: string,
  options: OpenSqliteFileOptions = {},
): Database.Database {
  const readonly = options.readonly ?? false
  const fileMustExist = options.fileMustExist ?? false
  if (path === ':memory:') return new Database(path, { readonly, fileMustExist })
  const stats = statOf(path)
  if (stats === undefined) {
    if (fileMustExist) throw inaccessible(path, 'there is no such file')
    return open(path, { readonly, fileMustExist })
  }
  if (!stats.isFile()) throw inaccessible(path, 'it is not a regular file')
  const cut = truncation(path, stats.size)
  if (cut !== undefined) throw damaged(path, cut)
  if (readonly) {
    const db = open(path, { readonly: true, fileMustExist: true })
    try {
      check(db, path, options.requiredTable, false)
    } catch (error) {
      db.close()
      throw error
    }
    return db
  }
  try {
    accessSync(path, constants.R_OK | constants.W_OK)
    accessSync(dirname(path), constants.W_OK)
  } catch (error) {
    throw inaccessible(path, (error as Error).message)
  }
  const probe = open(path, { readonly: true, fileMustExist: true })
  try {
    check(probe, path, options.requiredTable, stats.size <= (options.deepCheckUpTo ?? DEEP_CHECK_UP_TO))
  } finally {
    probe.close()
  }
  return open(path, { readonly: false, fileMustExist })
}
