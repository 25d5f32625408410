import type Database from 'better-sqlite3'
import {
  DuplicateEventId,
  StoreFull,
  WrongExpectedRevision,
  type EventStore,
  type InlineFold,
  type StoredCheckpoint,
  type StoredEvent,
  type StreamAppend,
  type Subscription,
  type SubscriptionHandlers,
} from '../eventStore.js'
import { isOutOfSpace } from '../outOfSpace.js'
import { EventRows } from './eventRows.js'
import { openLedgerFile } from './ledgerFile.js'

/**
 * The embedded store: the ledger file is the ledger. An append is one SQLite transaction holding the
 * events, whatever the inline fold writes (the read models, the Merkle tree's nodes, the signed
 * checkpoint) and nothing else, committed with one fsync (WAL, synchronous=FULL). Triggers refuse
 * UPDATE and DELETE of events: the ledger only ever appends.
 */

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. */
  path: string
  readonly?: boolean
}

export function openSqliteEventStore(options: SqliteStoreOptions): SqliteEventStore {
  return new SqliteEventStore(openLedgerFile(options))
}

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite'
  readonly rows: EventRows
  private readonly listeners = new Set<() => void>()
  private inline: InlineFold | undefined

  constructor(readonly db: Database.Database) {
    this.rows = new EventRows(db)
  }

  foldInline(fold: InlineFold): void {
    this.inline = fold
  }

  async append(runs: StreamAppend[]): Promise<StoredEvent[]> {
    const stored = this.appendSync(runs)
    if (stored.length > 0) for (const listener of this.listeners) listener()
    return stored
  }

  /** One transaction for the whole request: all of it is written and folded, or none of it. */
  appendSync(runs: StreamAppend[]): StoredEvent[] {
    const write = this.db.transaction((): StoredEvent[] => {
      let position = this.rows.head()
      const stored: StoredEvent[] = []
      for (const run of runs) {
        const current = this.rows.streamRevision(run.stream)
        const expected = run.expectedRevision
        const matches = expected === 'any' || (expected === 'no_stream' ? current === null : current === expected)
        if (!matches) throw new WrongExpectedRevision(run.stream, expected, current)
        let revision = (current ?? -1) + 1
        for (const event of run.events) {
          if (event.stream !== run.stream) throw new Error(`event ${event.id} is not in stream ${run.stream}`)
          const row = { ...event, position, revision }
          try {
            this.rows.insert(row)
          } catch (error) {
            if (isUniqueViolation(error, 'events.id')) throw new DuplicateEventId(event.id)
            throw error
          }
          stored.push(row)
          position += 1
          revision += 1
        }
      }
      this.inline?.apply(stored)
      return stored
    })
    let stored: StoredEvent[]
    try {
      stored = write.immediate()
    } catch (error) {
      this.inline?.rolledBack()
      throw isOutOfSpace(error) ? new StoreFull() : error
    }
    this.inline?.committed()
    return stored
  }

  async readStream(stream: string): Promise<StoredEvent[]> {
    return this.rows.readStream(stream)
  }

  async streamRevision(stream: string): Promise<number | null> {
    return this.rows.streamRevision(stream)
  }

  localRevision(stream: string): number | null {
    return this.rows.streamRevision(stream)
  }

  async readAll(from: number, limit: number): Promise<StoredEvent[]> {
    return this.rows.readAll(from, limit)
  }

  async eventById(id: string): Promise<StoredEvent | undefined> {
    return this.rows.byId(id)
  }

  async eventsByIds(ids: readonly string[]): Promise<StoredEvent[]> {
    return this.rows.byIds(ids)
  }

  async head(): Promise<number> {
    return this.rows.head()
  }

  /** Events are folded as they are stored; what a subscriber gets is each commit's events, after it. */
  subscribe(from: number, handlers: SubscriptionHandlers): Subscription {
    let next = from
    let closed = false
    let caughtUp = false
    let running: Promise<void> = Promise.resolve()
    const batch = 1_000
    const pump = async (): Promise<void> => {
      while (!closed) {
        const events = this.rows.readAll(next, batch)
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

  /** Outside an append (the inline fold keeps each commit's checkpoint in the commit itself). */
  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    try {
      this.rows.saveCheckpoint(checkpoint)
    } catch (error) {
      throw isOutOfSpace(error) ? new StoreFull() : error
    }
  }

  async checkpoints(): Promise<StoredCheckpoint[]> {
    return this.rows.checkpoints()
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.rows.latestCheckpoint()
  }

  async close(): Promise<void> {
    this.listeners.clear()
    if (this.db.open) this.db.close()
  }
}

function isUniqueViolation(error: unknown, column: string): boolean {
  return (
    error instanceof Error &&
    (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    error.message.includes(column)
  )
}
