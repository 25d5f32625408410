import type Database from 'better-sqlite3'
import { LedgerError } from '../errors.js'
import type { ExpectedRevision } from '../writeModel/expectedRevision.js'

/**
 * The one interface every store adapter implements (embedded SQLite, EventStoreDB). Positions are the
 * ledger's own: 0-based, contiguous, the same on every store and replica. Store-internal offsets stay
 * inside the adapter.
 *
 * Every adapter keeps the log as this process reads it in a local SQLite ledger file (`db`): on the
 * embedded store that file is the ledger; an EventStoreDB replica keeps its own copy there, numbered
 * in `$all` order, with its resume position. The read models live beside the log in the same file and
 * are folded by the `InlineFold`, in the transaction that stores the events locally.
 */

/** An event ready to store: its entry bytes and leaf hash are made once, before the append. */
export interface EventToAppend {
  id: string
  stream: string
  type: string
  data: unknown
  metadata: unknown
  /** RFC 8785 canonical JSON of `{ id, stream, type, data, metadata }`: one line of the log. */
  entry: string
  /** RFC 6962 leaf hash of `entry`. */
  leafHash: Buffer
}

/** A run of consecutive events for one stream, appended atomically under one precondition. */
export interface StreamAppend {
  stream: string
  expectedRevision: ExpectedRevision
  events: EventToAppend[]
}

/** An event as read back from a store, not yet parsed: the store is outside input too. */
export interface StoredEvent {
  position: number
  id: string
  stream: string
  revision: number
  type: string
  data: unknown
  metadata: unknown
  entry: string
  leafHash: Buffer
}

export interface StoredCheckpoint {
  treeSize: number
  /** 32 bytes. */
  rootHash: Buffer
  /** The C2SP signed note, exactly as published. */
  note: string
}

export interface Subscription {
  close(): Promise<void>
}

export interface SubscriptionHandlers {
  /** Events in position order, each commit's events together, never a position twice. */
  onEvents(events: StoredEvent[]): void | Promise<void>
  /** Caught up with what the store had when the subscription started (then live). */
  onCaughtUp?(): void
  /** Connection state for readiness: false while the adapter is resubscribing. */
  onConnectionChange?(connected: boolean): void
  /** The handler or the store failed; the subscription has stopped. */
  onError?(error: Error): void
}

/** Thrown when a stream's revision is not what the append expected. */
export class WrongExpectedRevision extends LedgerError {
  constructor(
    readonly stream: string,
    readonly expectedRevision: ExpectedRevision,
    /** The stream's last revision, null when it does not exist. */
    readonly currentRevision: number | null,
  ) {
    super('wrong_expected_revision', `stream ${stream} is at revision ${currentRevision ?? 'none'}, expected ${expectedRevision}`, {
      stream,
      expectedRevision,
      currentRevision,
    })
  }
}

/** Thrown when an appended event's id is already stored (a race the caller resolves by re-reading). */
export class DuplicateEventId extends LedgerError {
  constructor(readonly id: string) {
    super('duplicate_event_id', `event ${id} is already stored`)
  }
}

/** Where an appended event landed: what a write answers for each of its events. */
export interface AppendedEvent {
  id: string
  type: string
  stream: string
  revision: number
  position: number
  recordedAt: string
}

export function appendedEvent(stored: StoredEvent): AppendedEvent {
  const { id, type, stream, revision, position } = stored
  return { id, type, stream, revision, position, recordedAt: (stored.metadata as { recordedAt: string }).recordedAt }
}

/**
 * On EventStoreDB a multi-stream request is appended run by run; when a later run fails, this says
 * which events were written before it, so the client can complete it by retrying with the same ids.
 */
export class PartialAppend extends LedgerError {
  constructor(
    readonly written: StoredEvent[],
    override readonly cause: Error,
  ) {
    super(
      'partial_append',
      `the append stopped after ${written.length} events: ${cause.message}; retry the same request with the same ids to complete it`,
      { written: written.map(appendedEvent) },
    )
  }
}

/** The embedded store's disk is full: the transaction was rolled back, nothing of it was written. */
export class StoreFull extends LedgerError {
  constructor() {
    super('store_full', 'the store has no space left for this write; nothing of it was written. Free space on its disk and retry', {
      retryAfter: 30,
    })
  }
}

/** Folds events into the local read models, inside the transaction that stores them locally. */
export interface InlineFold {
  apply(events: readonly StoredEvent[]): void
  /** That transaction committed. */
  committed(): void
  /** It was rolled back: whatever `apply` changed in memory goes back. */
  rolledBack(): void
}

export interface EventStore {
  readonly kind: 'sqlite' | 'esdb'
  /** The local ledger file: the log as this process reads it, and the read models beside it. */
  readonly db: Database.Database
  /** From now on, every event stored locally is folded in the transaction that stores it. */
  foldInline(fold: InlineFold): void
  /**
   * Appends the runs in order. The embedded store writes them in one transaction (all or nothing);
   * EventStoreDB appends each run atomically and throws PartialAppend when a later run fails.
   */
  append(runs: StreamAppend[]): Promise<StoredEvent[]>
  /** The stream's events in revision order; empty when it does not exist. */
  readStream(stream: string): Promise<StoredEvent[]>
  /** The stream's last revision, null when it does not exist. */
  streamRevision(stream: string): Promise<number | null>
  /** The same as this process knows it, without asking the store: what the write model decides on. */
  localRevision(stream: string): number | null
  /** Up to `limit` events from `from` (inclusive) in position order. */
  readAll(from: number, limit: number): Promise<StoredEvent[]>
  eventById(id: string): Promise<StoredEvent | undefined>
  /** The stored events among `ids` (one query however many), in no particular order. */
  eventsByIds(ids: readonly string[]): Promise<StoredEvent[]>
  /** The number of events in the ledger: the next position. */
  head(): Promise<number>
  /** Catches up from `from`, then follows new commits. */
  subscribe(from: number, handlers: SubscriptionHandlers): Subscription
  /** Keeps a signed checkpoint; a tree size is kept once (a second save of the same size is a no-op). */
  saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void>
  /** Every kept checkpoint, by tree size. */
  checkpoints(): Promise<StoredCheckpoint[]>
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>
  close(): Promise<void>
}
