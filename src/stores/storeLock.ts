import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { LedgerError } from '../errors.js'

/**
 * `serve` holds a lock beside an embedded store, and commands that write refuse while it is held.
 * The lock file names the holder's pid; a lock whose process is gone (killed with -9, say) is stale and
 * is taken over.
 */
export interface StoreLock {
  release(): void
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function lockPathFor(storePath: string): string {
  return `${storePath}.lock`
}

/** The pid holding the lock, if a live process does. */
export function lockHolder(storePath: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockPathFor(storePath), 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined
  } catch {
    return undefined
  }
}

export function acquireStoreLock(storePath: string, purpose: string): StoreLock {
  const path = lockPathFor(storePath)
  mkdirSync(dirname(path), { recursive: true })
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      return {
        release: () => {
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path)
          } catch {
            // already gone
          }
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const holder = lockHolder(storePath)
      if (holder !== undefined) {
        throw new LedgerError(
          'store_locked',
          `${storePath} is held by process ${holder} (a running \`policy-ledger serve\`?); stop it to ${purpose}, or send the events to the running service with --url`,
        )
      }
      unlinkSync(path) // stale: its process is gone
    }
  }
  throw new LedgerError('store_locked', `could not lock ${storePath}`)
}
