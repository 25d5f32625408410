import { ANY, EventStoreDBClient, NO_STREAM, WrongExpectedVersionError, type AppendExpectedRevision } from '@eventstore/db-client'
import type Database from 'better-sqlite3'
import type { Logger } from 'pino'
import { ledgerStreamPrefixes } from '../../../events/streams.js'
import {
  DuplicateEventId,
  PartialAppend,
  WrongExpectedRevision,
  type EventStore,
  type InlineFold,
  type StoredCheckpoint,
  type StoredEvent,
  type StreamAppend,
  type Subscription,
  type SubscriptionHandlers,
} from '../eventStore.js'
import type { ExpectedRevision } from '../../writeModel/expectedRevision.js'
import { EventRows } from '../sqlite/eventRows.js'
import { openLedgerFile } from '../sqlite/ledgerFile.js'
import { AllIndexer } from './allIndexer.js'
import { CheckpointStream } from './checkpointStream.js'
import { ReplicaMeta } from './replicaMeta.js'
import { toEsdbEvent } from './storedForm.js'
import { EsdbSubscription, sleep } from './subscription.js'

/**
 * The EventStoreDB (KurrentDB) adapter, on `@eventstore/db-client` v6. EventStoreDB holds the ledger;
 * this replica keeps its own copy of the log, numbered in `$all` order (allIndexer.ts), in a local
 * ledger file (LEDGER_READ_MODELS) beside its read models, and answers every read from there. An
 * append resolves once its own events have been read back into the copy, so it answers with positions
 * and the replica's reads already show it.
 *
 * Idempotency: EventStoreDB only recognises a repeated id within one stream, and never compares content.
 * The ledger's rule is stricter and store-wide: an id already in the ledger makes the append fail with
 * DuplicateEventId before anything is written (the embedded store's behaviour), and should a race put
 * an id into `$all` twice anyway, the first occurrence is the ledger event and a later one gets no
 * position. An exact retry that EventStoreDB itself absorbs (same ids, same expected revision, same
 * stream) returns the events first stored, when their entries are byte-identical to the retried ones.
 */

export interface EsdbStoreOptions {
  /** `esdb://host:2113?tls=false` (`kurrentdb://` is read as `esdb://`). */
  connectionString: string
  /** The replica's file: its copy of the log and its read models; `:memory:` (the default) lives as long as the process. */
  replicaPath?: string
  logger?: Logger
  /** Where signed checkpoints are kept: outside the ledger's streams and not a `$` system stream. */
  checkpointStream?: string
  /** Resubscription backoff after a lost connection: doubles from `initialDelayMs` up to `maxDelayMs`. */
  retry?: { initialDelayMs?: number; maxDelayMs?: number }
  /** Events per `$all` read. */
  pageSize?: number
  /** How long an append waits to read its own events back from `$all`. */
  visibilityTimeoutMs?: number
}

export function openEsdbEventStore(options: EsdbStoreOptions): EsdbEventStore {
  return new EsdbEventStore(options)
}

function isLedgerStream(stream: string): boolean {
  return ledgerStreamPrefixes.some((prefix) => stream.startsWith(prefix))
}

export class EsdbEventStore implements EventStore {
  readonly kind = 'esdb'
  readonly client: EventStoreDBClient
  readonly logger: Logger | undefined
  readonly db: Database.Database
  readonly rows: EventRows
  readonly indexer: AllIndexer
  readonly retry: { initialDelayMs: number; maxDelayMs: number }
  private readonly meta: ReplicaMeta
  private readonly checkpointStore: CheckpointStream
  private readonly visibilityTimeoutMs: number
  private readonly subscriptions = new Set<EsdbSubscription>()
  private closed = false

  constructor(options: EsdbStoreOptions) {
    // with it off, a conflict "succeeds" with a wrong nextExpectedRevision instead of throwing
    // (the client reads option names without case, `_` or `-`)
    if (/[?&]throw[_-]?on[_-]?append[_-]?failure=false(&|$)/i.test(options.connectionString)) {
      throw new Error('throwOnAppendFailure=false is not supported: leave it at its default (true)')
    }
    const checkpointStream = options.checkpointStream ?? 'ledger-checkpoints'
    if (isLedgerStream(checkpointStream) || checkpointStream.startsWith('$')) {
      throw new Error(`the checkpoint stream ${checkpointStream} must be outside the ledger's streams and not a system stream`)
    }
    this.client = EventStoreDBClient.connectionString(options.connectionString.replace(/^kurrentdb(\+discover)?:/, 'esdb$1:'))
    this.logger = options.logger
    this.retry = {
      initialDelayMs: options.retry?.initialDelayMs ?? 200,
      maxDelayMs: options.retry?.maxDelayMs ?? 10_000,
    }
    this.visibilityTimeoutMs = options.visibilityTimeoutMs ?? 10_000
    this.db = openLedgerFile({ path: options.replicaPath ?? ':memory:' })
    this.rows = new EventRows(this.db)
    this.meta = new ReplicaMeta(this.db)
    this.indexer = new AllIndexer(this.client, this.rows, this.meta, this.logger, Math.max(2, options.pageSize ?? 1_000))
    this.checkpointStore = new CheckpointStream(this.client, checkpointStream, this.rows, this.meta, this.logger)
  }

  get checkpointStream(): string {
    return this.checkpointStore.stream
  }

  foldInline(fold: InlineFold): void {
    this.indexer.inline = fold
  }

  // --- writes ---------------------------------------------------------------------------------------

  async append(runs: StreamAppend[]): Promise<StoredEvent[]> {
    const requested = new Set<string>()
    for (const run of runs) {
      for (const event of run.events) {
        if (event.stream !== run.stream) throw new Error(`event ${event.id} is not in stream ${run.stream}`)
        const key = event.id.toLowerCase()
        if (requested.has(key)) throw new DuplicateEventId(event.id)
        requested.add(key)
      }
    }
    // all or nothing for ids already stored, as on the embedded store: check them all before writing
    await this.indexer.sync()
    const known = this.rows.byIds([...requested])
    if (known.length > 0) throw new DuplicateEventId(known[0]!.id)
    const written: StoredEvent[] = []
    for (const run of runs) {
      if (run.events.length === 0) continue
      try {
        written.push(...(await this.appendRun(run)))
      } catch (error) {
        const cause = error instanceof Error ? error : new Error(String(error))
        if (written.length === 0) throw cause
        throw new PartialAppend(written, cause)
      }
    }
    return written
  }

  /** One run: one atomic append under its precondition, then read back through `$all`. */
  private async appendRun(run: StreamAppend): Promise<StoredEvent[]> {
    const size = run.events.length
    let result
    try {
      result = await this.client.appendToStream(
        run.stream,
        run.events.map((event, index) => toEsdbEvent(event, index, size)),
        { expectedRevision: toEsdbRevision(run.expectedRevision) },
      )
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const current = error.actualVersion
        throw new WrongExpectedRevision(run.stream, run.expectedRevision, typeof current === 'bigint' ? Number(current) : null)
      }
      throw error
    }
    // the run's events are the stream's last `size` revisions as EventStoreDB answered them
    const last = Number(result.nextExpectedRevision)
    await this.readUntil(run.stream, last)
    const stored: StoredEvent[] = []
    for (const [index, event] of run.events.entries()) {
      const found = this.rows.atRevision(run.stream, last - size + 1 + index)
      // not ours: the id was stored elsewhere first, or EventStoreDB absorbed a retry of other content
      if (found === undefined || found.id.toLowerCase() !== event.id.toLowerCase() || found.entry !== event.entry) {
        throw new DuplicateEventId(event.id)
      }
      stored.push(found)
    }
    return stored
  }

  /**
   * Reads `$all` until the stream's revision `revision` has been read, so the write has its positions.
   * (By revision, not by the position the append answered: what that position points at has varied
   * across server versions, a revision has not.)
   */
  private async readUntil(stream: string, revision: number): Promise<void> {
    const deadline = Date.now() + this.visibilityTimeoutMs
    for (;;) {
      await this.indexer.sync()
      if ((this.meta.streamRevision(stream) ?? -1) >= revision) return
      if (Date.now() > deadline) {
        throw new Error(`${stream}@${revision} was appended but not readable from $all within ${this.visibilityTimeoutMs} ms`)
      }
      await sleep(20)
    }
  }

  // --- reads: from the replica's copy, once it has read `$all` to its end ---------------------------

  async readStream(stream: string): Promise<StoredEvent[]> {
    await this.indexer.sync()
    return this.rows.readStream(stream)
  }

  async streamRevision(stream: string): Promise<number | null> {
    await this.indexer.sync()
    return this.meta.streamRevision(stream)
  }

  localRevision(stream: string): number | null {
    return this.meta.streamRevision(stream)
  }

  async readAll(from: number, limit: number): Promise<StoredEvent[]> {
    await this.indexer.sync()
    return this.rows.readAll(Math.max(0, from), Math.max(0, limit))
  }

  async eventById(id: string): Promise<StoredEvent | undefined> {
    const known = this.rows.byId(id)
    if (known !== undefined) return known
    await this.indexer.sync()
    return this.rows.byId(id)
  }

  async eventsByIds(ids: readonly string[]): Promise<StoredEvent[]> {
    await this.indexer.sync()
    return this.rows.byIds(ids)
  }

  async head(): Promise<number> {
    await this.indexer.sync()
    return this.rows.head()
  }

  // --- subscriptions --------------------------------------------------------------------------------

  subscribe(from: number, handlers: SubscriptionHandlers): Subscription {
    const subscription = new EsdbSubscription(this, from, handlers, () => this.subscriptions.delete(subscription))
    this.subscriptions.add(subscription)
    return subscription
  }

  // --- checkpoints ----------------------------------------------------------------------------------

  saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    return this.checkpointStore.save(checkpoint)
  }

  checkpoints(): Promise<StoredCheckpoint[]> {
    return this.checkpointStore.all()
  }

  latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.checkpointStore.latest()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()))
    await this.client.dispose()
    if (this.db.open) this.db.close()
  }
}

function toEsdbRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'no_stream') return NO_STREAM
  if (expected === 'any') return ANY
  return BigInt(expected)
}

export { CorruptLedgerEvent } from './storedForm.js'
export { checkpointEventId } from './checkpointStream.js'
