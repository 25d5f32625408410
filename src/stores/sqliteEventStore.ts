import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { openSqliteFile } from './openSqliteFile.js'
import {
  DuplicateEventId,
  WrongExpectedRevision,
  type EventStore,
  type StoredCheckpoint,
  type StoredEvent,
  type StreamAppend,
  type Subscription,
  type SubscriptionHandlers,
} from './eventStore.js'

/**
 * The embedded store: SQLite through better-sqlite3. One row per event holding its entry bytes (the
 * canonical JSON line of the log, from which id, stream, type, data and metadata are all read back) and
 * the entry's leaf hash. Triggers refuse UPDATE and DELETE: the ledger only ever appends.
 */

const schema = `
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
CREATE TRIGGER IF NOT EXISTS events_are_immutable BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
CREATE TRIGGER IF NOT EXISTS events_are_never_deleted BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are never deleted'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_are_immutable BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are immutable'); END;
`

interface EventRow {
  position: number
  id: string
  stream: string
  revision: number
  entry: string
  leaf_hash: Buffer
}

interface CheckpointRow {
  tree_size: number
  root_hash: Buffer
  note: string
}

export class StoreDurabilityError extends Error {
  readonly code = 'store_durability'
}

/** The entry is the one stored truth; an entry that no longer parses (tampering) reads as empty fields. */
function parseEntry(entry: string): { type?: unknown; data?: unknown; metadata?: unknown } {
  try {
    const parsed: unknown = JSON.parse(entry)
    return typeof parsed === 'object' && parsed !== null ? parsed : {}
  } catch {
    return {}
  }
}

function toStoredEvent(row: EventRow): StoredEvent {
  const parsed = parseEntry(row.entry)
  return {
    position: row.position,
    id: row.id,
    stream: row.stream,
    revision: row.revision,
    type: typeof parsed.type === 'string' ? parsed.type : '',
    data: parsed.data,
    metadata: parsed.metadata,
    entry: row.entry,
    leafHash: row.leaf_hash,
  }
}

function toCheckpoint(row: CheckpointRow): StoredCheckpoint {
  return { treeSize: row.tree_size, rootHash: row.root_hash, note: row.note }
}

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. */
  path: string
  readonly?: boolean
}

export function openSqliteEventStore(options: SqliteStoreOptions): SqliteEventStore {
  return new SqliteEventStore(options)
}

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite'
  readonly db: Database.Database
  private readonly listeners = new Set<() => void>()
  private readonly statements

  constructor(options: SqliteStoreOptions) {
    const inMemory = options.path === ':memory:'
    if (!inMemory && !options.readonly) mkdirSync(dirname(options.path), { recursive: true })
    this.db = openSqliteFile(options.path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false, requiredTable: 'events' })
    this.db.pragma('busy_timeout = 5000')
    if (!options.readonly) {
      this.db.pragma('journal_mode = WAL')
      this.db.pragma('synchronous = FULL')
      this.db.exec(schema)
    }
    this.assertDurability(inMemory)
    this.statements = {
      insert: this.db.prepare<[number, string, string, number, string, Buffer]>(
        'INSERT INTO events (position, id, stream, revision, entry, leaf_hash) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      head: this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events'),
      lastPosition: this.db.prepare<[], { p: number | null }>('SELECT MAX(position) AS p FROM events'),
      streamRevision: this.db.prepare<[string], { r: number | null }>(
        'SELECT MAX(revision) AS r FROM events WHERE stream = ?',
      ),
      readStream: this.db.prepare<[string], EventRow>('SELECT * FROM events WHERE stream = ? ORDER BY revision'),
      readAll: this.db.prepare<[number, number], EventRow>(
        'SELECT * FROM events WHERE position >= ? ORDER BY position LIMIT ?',
      ),
      byId: this.db.prepare<[string], EventRow>('SELECT * FROM events WHERE id = ?'),
      saveCheckpoint: this.db.prepare<[number, Buffer, string]>(
        'INSERT INTO checkpoints (tree_size, root_hash, note) VALUES (?, ?, ?) ON CONFLICT (tree_size) DO NOTHING',
      ),
      checkpoints: this.db.prepare<[], CheckpointRow>('SELECT * FROM checkpoints ORDER BY tree_size'),
      latestCheckpoint: this.db.prepare<[], CheckpointRow>(
        'SELECT * FROM checkpoints ORDER BY tree_size DESC LIMIT 1',
      ),
    }
  }

  /** An acknowledged write must survive a crash: refuse to run on settings that could lose one. */
  private assertDurability(inMemory: boolean): void {
    if (inMemory) return
    const problem = durabilityProblem(this.durabilitySettings(), this.db.readonly)
    if (problem !== undefined) throw new StoreDurabilityError(problem)
  }

  durabilitySettings(): { journalMode: string; synchronous: number } {
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
    }
  }

  async append(runs: StreamAppend[]): Promise<StoredEvent[]> {
    const stored = this.appendSync(runs)
    if (stored.length > 0) for (const listener of this.listeners) listener()
    return stored
  }

  /** One transaction for the whole request: all of it is written, or none. */
  private appendSync(runs: StreamAppend[]): StoredEvent[] {
    const write = this.db.transaction((): StoredEvent[] => {
      let position = (this.statements.lastPosition.get()?.p ?? -1) + 1
      const stored: StoredEvent[] = []
      for (const run of runs) {
        const current = this.statements.streamRevision.get(run.stream)?.r ?? null
        const expected = run.expectedRevision
        const matches =
          expected === 'any' || (expected === 'no_stream' ? current === null : current === expected)
        if (!matches) throw new WrongExpectedRevision(run.stream, expected, current)
        let revision = (current ?? -1) + 1
        for (const event of run.events) {
          if (event.stream !== run.stream) throw new Error(`event ${event.id} is not in stream ${run.stream}`)
          try {
            this.statements.insert.run(position, event.id, run.stream, revision, event.entry, event.leafHash)
          } catch (error) {
            if (isUniqueViolation(error, 'events.id')) throw new DuplicateEventId(event.id)
            throw error
          }
          stored.push({
            position,
            id: event.id,
            stream: run.stream,
            revision,
            type: event.type,
            data: event.data,
            metadata: event.metadata,
            entry: event.entry,
            leafHash: event.leafHash,
          })
          position += 1
          revision += 1
        }
      }
      return stored
    })
    return write.immediate()
  }

  async readStream(stream: string): Promise<StoredEvent[]> {
    return this.statements.readStream.all(stream).map(toStoredEvent)
  }

  async streamRevision(stream: string): Promise<number | null> {
    return this.statements.streamRevision.get(stream)?.r ?? null
  }

  async readAll(from: number, limit: number): Promise<StoredEvent[]> {
    return this.readAllSync(from, limit)
  }

  readAllSync(from: number, limit: number): StoredEvent[] {
    return this.statements.readAll.all(from, limit).map(toStoredEvent)
  }

  async eventById(id: string): Promise<StoredEvent | undefined> {
    const row = this.statements.byId.get(id)
    return row === undefined ? undefined : toStoredEvent(row)
  }

  async head(): Promise<number> {
    return (this.statements.lastPosition.get()?.p ?? -1) + 1
  }

  /**
   * Catch-up then live, from one loop: every wake-up reads whatever lies after the last delivered
   * position, so a commit that lands during catch-up is neither lost nor delivered twice.
   */
  subscribe(from: number, handlers: SubscriptionHandlers): Subscription {
    let next = from
    let closed = false
    let caughtUp = false
    let running: Promise<void> = Promise.resolve()
    const batch = 1_000
    const pump = async (): Promise<void> => {
      while (!closed) {
        const events = this.readAllSync(next, batch)
        if (events.length === 0) break
        next = events[events.length - 1]!.position + 1
        await handlers.onEvents(events)
      }
      if (!caughtUp && !closed) {
        caughtUp = true
        handlers.onCaughtUp?.()
      }
    }
    const wake = (): void => {
      running = running.then(pump).catch((error: unknown) => {
        closed = true
        this.listeners.delete(wake)
        handlers.onError?.(error instanceof Error ? error : new Error(String(error)))
      })
    }
    this.listeners.add(wake)
    handlers.onConnectionChange?.(true)
    wake()
    return {
      close: async () => {
        closed = true
        this.listeners.delete(wake)
        await running
      },
    }
  }

  /**
   * Kept without an fsync of its own (synchronous=NORMAL for this one commit): the next event commit's
   * fsync carries it to disk, and a checkpoint lost to a power cut is signed again, byte for byte
   * (Ed25519 is deterministic), when the service next catches up. Events themselves are always FULL.
   */
  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    if (this.db.memory) {
      this.statements.saveCheckpoint.run(checkpoint.treeSize, checkpoint.rootHash, checkpoint.note)
      return
    }
    this.db.pragma('synchronous = NORMAL')
    try {
      this.statements.saveCheckpoint.run(checkpoint.treeSize, checkpoint.rootHash, checkpoint.note)
    } finally {
      this.db.pragma('synchronous = FULL')
    }
  }

  async checkpoints(): Promise<StoredCheckpoint[]> {
    return this.statements.checkpoints.all().map(toCheckpoint)
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const row = this.statements.latestCheckpoint.get()
    return row === undefined ? undefined : toCheckpoint(row)
  }

  async close(): Promise<void> {
    this.listeners.clear()
    if (this.db.open) this.db.close()
  }
}

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

function isUniqueViolation(error: unknown, column: string): boolean {
  return (
    error instanceof Error &&
    (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    error.message.includes(column)
  )
}
