import { statfsSync } from 'node:fs'
import { dirname } from 'node:path'
import { LedgerError } from '../errors.js'

/**
 * Whether an error means the file system holding the store has no space left, and the message that
 * says so. A full disk is transient and harms nothing (SQLite writes a transaction whole or not at
 * all), so it must never read as a damaged store: an operator told to restore a backup would throw
 * away a good file.
 *
 * The signs: SQLITE_FULL (a write found no space); SQLITE_IOERR_SHMSIZE (the WAL's -shm index could
 * not grow: SQLite writes its pages instead of mapping a hole precisely so that a full disk is an error
 * and not a SIGBUS); ENOSPC and EDQUOT from Node's own writes. Any other I/O error counts too when the
 * file system holding `path` has no byte left.
 */
const outOfSpaceCodes = new Set(['SQLITE_FULL', 'SQLITE_IOERR_SHMSIZE', 'ENOSPC', 'EDQUOT'])

export interface FreeSpace {
  /** Bytes an unprivileged writer may still use. */
  available: number
  size: number
}

/** The space on the file system holding `path` (a file that may not exist yet), if it can be asked. */
export function freeSpace(path: string): FreeSpace | undefined {
  try {
    const stats = statfsSync(dirname(path))
    return { available: stats.bavail * stats.bsize, size: stats.blocks * stats.bsize }
  } catch {
    return undefined
  }
}

export function isOutOfSpace(error: unknown, path?: string): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return false
  if (outOfSpaceCodes.has(code)) return true
  return code.startsWith('SQLITE_IOERR') && path !== undefined && freeSpace(path)?.available === 0
}

function kib(bytes: number): string {
  return bytes < 10 * 1024 * 1024 ? `${Math.floor(bytes / 1024)} KiB` : `${Math.floor(bytes / 1_048_576)} MiB`
}

/**
 * `doing` says what needed the space (`bring the read models up to date`). Nothing was lost: what a
 * failed write left is rolled back, and every acknowledged write is in the file.
 */
export function storeFull(path: string, doing: string, error: unknown): LedgerError {
  const space = freeSpace(path)
  const figures = space === undefined ? '' : ` (${kib(space.available)} free of ${kib(space.size)})`
  // SQLite's own words, when they are the cause (ours already said the rest)
  const said = error instanceof LedgerError ? '' : ` ("${error instanceof Error ? error.message : String(error)}")`
  return new LedgerError(
    'store_full',
    `the file system holding ${path} has no space left${figures} to ${doing}${said}. The store is not damaged and nothing acknowledged was lost: free space on that file system, or grow it, then try again.`,
    { path },
  )
}
