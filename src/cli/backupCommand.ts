import { SingleBar } from 'cli-progress'
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { z } from 'zod'
import type { Config } from '../config/config.js'
import { LedgerError } from '../errors.js'
import { openSqliteEventStore } from '../stores/sqlite/sqliteEventStore.js'
import { lockPathFor } from '../stores/storeLock.js'

/**
 * `backup FILE [--force]`: a consistent copy of the embedded store, taken while it serves and writes,
 * through SQLite's online backup API. The copy is a whole store file (events, checkpoints and any
 * other table the file holds): `serve` starts on it with the same root, and `verify` passes on it.
 *
 * The copy is one snapshot. The backup API restarts whenever another connection writes between two
 * of its steps, so under steady writes a stepped backup may never finish (tried: a write between
 * every step of a 200 MB store, not done after 60 s). Holding one read transaction on the source for
 * the whole copy pins it to the snapshot that transaction sees (WAL lets the server keep writing
 * meanwhile); the steps are then only for the progress bar. Everything acknowledged before the backup
 * began is in that snapshot.
 *
 * The copy is written beside FILE and renamed into place once complete and synced, so FILE is never a
 * half-written store.
 */

export const BackupArguments = z.object({
  file: z.string().min(1, 'name the file to write the copy to'),
  force: z.boolean().default(false),
})
export type BackupArguments = z.infer<typeof BackupArguments>

/** Pages copied per step: about 4 MiB at SQLite's default page size. */
const PAGES_PER_STEP = 1_024

type Out = (line: string) => void

function progressReporter(stream: NodeJS.WriteStream) {
  const started = Date.now()
  if (stream.isTTY === true) {
    const bar = new SingleBar({
      stream,
      format: 'backing up [{bar}] {percentage}% | {value}/{total} pages | ETA {eta_formatted}',
      hideCursor: true,
    })
    let begun = false
    return {
      update: (done: number, total: number) => {
        if (!begun) bar.start(total, 0)
        begun = true
        bar.setTotal(total)
        bar.update(done)
      },
      stop: () => bar.stop(),
    }
  }
  let last = 0
  return {
    update: (done: number, total: number) => {
      if (Date.now() - last < 2_000 && done < total) return
      last = Date.now()
      const seconds = ((Date.now() - started) / 1_000).toFixed(1)
      stream.write(`backing up: ${done}/${total} pages (${seconds} s)\n`)
    },
    stop: () => undefined,
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Makes a rename durable; best effort where a directory cannot be opened (Windows). */
function syncDirectory(path: string): void {
  try {
    syncFile(path)
  } catch {
    // the file itself was synced
  }
}

function removeCopy(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true })
}

export async function backupCommand(
  args: BackupArguments,
  config: Config,
  out: Out = (line) => process.stdout.write(`${line}\n`),
  progressStream: NodeJS.WriteStream = process.stderr,
): Promise<number> {
  const { file, force } = BackupArguments.parse(args)
  if (config.store.kind !== 'sqlite' || config.store.path === ':memory:') {
    throw new LedgerError(
      'invalid_request',
      'backup copies an embedded store file (LEDGER_STORE=sqlite:<path>); back up EventStoreDB with its own tools (see the README, "Backup and restore")',
    )
  }
  const storePath = config.store.path
  const keyPath = config.signingKeyPath ?? `${storePath}.signing-key.pem`
  const target = resolve(file)
  const own = [storePath, `${storePath}-wal`, `${storePath}-shm`, lockPathFor(storePath), keyPath]
  if (own.some((path) => resolve(path) === target)) {
    throw new LedgerError(
      'invalid_request',
      `${file} is the store's own file; write the backup somewhere else`,
    )
  }
  if (!force && existsSync(target)) {
    throw new LedgerError('invalid_request', `${file} already exists; pass --force to replace it`)
  }
  if (!existsSync(dirname(target))) {
    throw new LedgerError('invalid_request', `the directory of ${file} does not exist`)
  }

  const started = Date.now()
  const partial = `${dirname(target)}/.${basename(target)}.partial-${process.pid}`
  // a Ctrl-C mid-copy leaves no half-written file behind
  const interrupted = () => {
    removeCopy(partial)
    process.exit(130)
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  const source = openSqliteEventStore({ path: storePath, readonly: true })
  const progress = progressReporter(progressStream)
  let snapshot: { events: number; checkpoint: number | undefined }
  try {
    // one read transaction for the whole copy: its snapshot is what is copied (see above)
    source.db.exec('BEGIN')
    snapshot = {
      events: await source.head(),
      checkpoint: (await source.latestCheckpoint())?.treeSize,
    }
    const { totalPages } = await source.db.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        progress.update(totalPages - remainingPages, totalPages)
        return PAGES_PER_STEP
      },
    })
    progress.update(totalPages, totalPages)
    source.db.exec('COMMIT')
  } catch (error) {
    removeCopy(partial)
    throw error
  } finally {
    progress.stop()
    await source.close()
  }

  try {
    // the copy is opened the way `serve` opens it (quick_check included) before it takes FILE's place
    const copy = openSqliteEventStore({ path: partial })
    try {
      const events = await copy.head()
      if (events !== snapshot.events) {
        throw new Error(`the copy holds ${events} events, the snapshot ${snapshot.events}`)
      }
    } finally {
      await copy.close()
    }
    syncFile(partial)
    if (force) {
      renameSync(partial, target)
    } else {
      try {
        linkSync(partial, target) // unlike rename, never replaces a file that appeared meanwhile
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new LedgerError(
            'invalid_request',
            `${file} already exists; pass --force to replace it`,
          )
        }
        throw error
      }
    }
    syncDirectory(dirname(target))
  } finally {
    removeCopy(partial)
    process.removeListener('SIGINT', interrupted)
    process.removeListener('SIGTERM', interrupted)
  }

  const megabytes = (statSync(target).size / 1_048_576).toFixed(1)
  const seconds = ((Date.now() - started) / 1_000).toFixed(1)
  out(
    `backed up ${storePath} to ${file}: ${snapshot.events} events, the latest checkpoint of size ${snapshot.checkpoint ?? 'none'}; ${megabytes} MiB in ${seconds} s`,
  )
  out(
    `keep the signing key with it: ${keyPath} (to restore, put it beside the restored store as <store>.signing-key.pem, mode 0600; without it the restored store will not start)`,
  )
  return 0
}
