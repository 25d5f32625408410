import { createHash } from 'node:crypto'
import {
  ANY,
  EventStoreDBClient,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type JSONType,
  type Position,
} from '@eventstore/db-client'
import type { Logger } from 'pino'
import { z } from 'zod'
import { ledgerStreamPrefixes } from '../../events/streams.js'
import {
  DuplicateEventId,
  PartialAppend,
  WrongExpectedRevision,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type StoredCheckpoint,
  type StoredEvent,
  type StreamAppend,
  type Subscription,
  type SubscriptionHandlers,
} from './eventStore.js'

/**
 * The EventStoreDB (KurrentDB) adapter, on `@eventstore/db-client` v6.
 *
 * Positions are the ledger's own and are assigned here, in `$all` order: this adapter reads `$all`
 * filtered to the ledger's streams (the prefixes in events/streams.ts, which leave out EventStoreDB's
 * `$` system streams and the checkpoint stream) and numbers the ledger events 0, 1, 2... as they come.
 * The same prefix filter serves both ways in: server-side on the live subscription
 * (`streamNameFilter`), client-side on reads, since the v6 client's `readAll` takes no filter. An
 * append resolves once its own events have been read back this way, so it answers with positions.
 * Every replica reads the same `$all`, so every replica numbers alike. It keeps that ordered list in
 * memory, and the `{ commit, prepare }` of the last `$all` event it has read (ledger event or not):
 * its resume position, from which every later read and every resubscription continues, never shown
 * outside this file.
 *
 * How an event is stored: the EventStoreDB event's id and type are the ledger event's; its data is the
 * ledger data (so EventStoreDB's own tools show something useful); its metadata is
 * `{ ledger: <ledger metadata>, entry, leafHash, run: { index, size } }`. The entry (the canonical log
 * line) is made once at write time and must come back byte for byte, and the client re-serialises data
 * and metadata with JSON.stringify, which keeps values but not bytes; a JSON string survives that
 * unchanged, so the entry travels as a string, and what the ledger reads back (id, stream, type, data,
 * metadata) is parsed from it, as on the embedded store, so what projections see is what the log
 * hashes. The leaf hash is stored beside it rather than recomputed on read, so `verify` still has two
 * things to compare. `run` marks the events of one atomic append, so a subscriber gets a run whole.
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

/** A store position in `$all`: the adapter's resume position, never shown outside it. */
type ResumePosition = Position

function isAfter(a: ResumePosition, b: ResumePosition): boolean {
  return a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare)
}

function isLedgerStream(stream: string): boolean {
  return ledgerStreamPrefixes.some((prefix) => stream.startsWith(prefix))
}

/** An event in a ledger stream that this adapter did not write: the store is not a ledger store. */
export class CorruptLedgerEvent extends Error {
  readonly code = 'corrupt_ledger_event'
}

const StoredMetadata = z.object({
  ledger: z.unknown(),
  entry: z.string(),
  leafHash: z.string().regex(/^[0-9a-f]{64}$/),
  run: z.object({ index: z.number().int().min(0), size: z.number().int().min(1) }),
})
type StoredMetadata = z.infer<typeof StoredMetadata>

const Entry = z.object({
  id: z.string(),
  stream: z.string(),
  type: z.string(),
  data: z.unknown(),
  metadata: z.unknown(),
})

const CheckpointData = z.object({
  treeSize: z.number().int().min(0),
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  note: z.string(),
})

const checkpointEventType = 'CheckpointSigned'

interface Indexed {
  event: StoredEvent
  /** The last event of its atomic append: a batch may end after it. */
  endsRun: boolean
}

type Pending = Omit<Indexed, 'event'> & { event: Omit<StoredEvent, 'position'> }

export class EsdbEventStore implements EventStore {
  readonly kind = 'esdb'
  readonly client: EventStoreDBClient
  readonly logger: Logger | undefined
  readonly checkpointStream: string
  readonly retry: { initialDelayMs: number; maxDelayMs: number }
  private readonly pageSize: number
  private readonly visibilityTimeoutMs: number

  // the ledger as read from $all so far
  private readonly entries: Indexed[] = []
  private readonly byId = new Map<string, StoredEvent>()
  private readonly byStream = new Map<string, StoredEvent[]>()
  /** Each ledger stream's last revision in EventStoreDB, counting events that got no position. */
  private readonly revisions = new Map<string, number>()
  /** Events of an append whose last event has not been read yet. */
  private pending: Pending[] = []
  /** The last `$all` position read, ledger event or not. */
  private scanned: ResumePosition | undefined
  private readonly listeners = new Set<() => void>()

  private pulling: Promise<void> | undefined
  private queuedPull: Promise<void> | undefined

  private readonly checkpointsBySize = new Map<number, StoredCheckpoint>()
  private checkpointRevision = -1
  private checkpointRead: Promise<void> = Promise.resolve()

  private readonly subscriptions = new Set<EsdbSubscription>()
  private closed = false

  constructor(options: EsdbStoreOptions) {
    // with it off, a conflict "succeeds" with a wrong nextExpectedRevision instead of throwing
    // (the client reads option names without case, `_` or `-`)
    if (/[?&]throw[_-]?on[_-]?append[_-]?failure=false(&|$)/i.test(options.connectionString)) {
      throw new Error('throwOnAppendFailure=false is not supported: leave it at its default (true)')
    }
    this.client = EventStoreDBClient.connectionString(
      options.connectionString.replace(/^kurrentdb(\+discover)?:/, 'esdb$1:'),
    )
    this.logger = options.logger
    this.checkpointStream = options.checkpointStream ?? 'ledger-checkpoints'
    if (isLedgerStream(this.checkpointStream) || this.checkpointStream.startsWith('$')) {
      throw new Error(
        `the checkpoint stream ${this.checkpointStream} must be outside the ledger's streams and not a system stream`,
      )
    }
    this.retry = {
      initialDelayMs: options.retry?.initialDelayMs ?? 200,
      maxDelayMs: options.retry?.maxDelayMs ?? 10_000,
    }
    this.pageSize = Math.max(2, options.pageSize ?? 1_000)
    this.visibilityTimeoutMs = options.visibilityTimeoutMs ?? 10_000
  }

  // --- writes ---------------------------------------------------------------------------------------

  async append(runs: StreamAppend[]): Promise<StoredEvent[]> {
    const requested = new Set<string>()
    for (const run of runs) {
      for (const event of run.events) {
        if (event.stream !== run.stream)
          throw new Error(`event ${event.id} is not in stream ${run.stream}`)
        const key = event.id.toLowerCase()
        if (requested.has(key)) throw new DuplicateEventId(event.id)
        requested.add(key)
      }
    }
    // all or nothing for ids already stored, as on the embedded store: check them all before writing
    await this.sync()
    for (const run of runs) {
      for (const event of run.events)
        if (this.byId.has(event.id.toLowerCase())) throw new DuplicateEventId(event.id)
    }
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
        throw new WrongExpectedRevision(
          run.stream,
          run.expectedRevision,
          typeof current === 'bigint' ? Number(current) : null,
        )
      }
      throw error
    }
    // the run's events are the stream's last `size` revisions as EventStoreDB answered them
    const last = Number(result.nextExpectedRevision)
    await this.readUntil(run.stream, last)
    const stored: StoredEvent[] = []
    for (const [index, event] of run.events.entries()) {
      const found = this.atRevision(run.stream, last - size + 1 + index)
      // not ours: the id was stored elsewhere first, or EventStoreDB absorbed a retry of other content
      if (
        found === undefined ||
        found.id.toLowerCase() !== event.id.toLowerCase() ||
        found.entry !== event.entry
      ) {
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
      await this.sync()
      if ((this.revisions.get(stream) ?? -1) >= revision) return
      if (Date.now() > deadline) {
        throw new Error(
          `${stream}@${revision} was appended but not readable from $all within ${this.visibilityTimeoutMs} ms`,
        )
      }
      await sleep(20)
    }
  }

  private atRevision(stream: string, revision: number): StoredEvent | undefined {
    const events = this.byStream.get(stream) ?? []
    for (let index = events.length - 1; index >= 0; index -= 1) {
      const event = events[index]!
      if (event.revision === revision) return event
      if (event.revision < revision) return undefined
    }
    return undefined
  }

  // --- reads ----------------------------------------------------------------------------------------

  async readStream(stream: string): Promise<StoredEvent[]> {
    await this.sync()
    return [...(this.byStream.get(stream) ?? [])]
  }

  async streamRevision(stream: string): Promise<number | null> {
    await this.sync()
    return this.revisions.get(stream) ?? null
  }

  async readAll(from: number, limit: number): Promise<StoredEvent[]> {
    await this.sync()
    return this.entries
      .slice(Math.max(0, from), Math.max(0, from) + Math.max(0, limit))
      .map((indexed) => indexed.event)
  }

  async eventById(id: string): Promise<StoredEvent | undefined> {
    const known = this.byId.get(id.toLowerCase())
    if (known !== undefined) return known
    await this.sync()
    return this.byId.get(id.toLowerCase())
  }

  async head(): Promise<number> {
    await this.sync()
    return this.entries.length
  }

  /** The events from `from`, whole runs only, about `max` of them. */
  batchFrom(from: number, max: number): StoredEvent[] {
    let end = Math.min(this.entries.length, from + max)
    while (end < this.entries.length && end > from && !this.entries[end - 1]!.endsRun) end += 1
    return this.entries.slice(from, end).map((indexed) => indexed.event)
  }

  get size(): number {
    return this.entries.length
  }

  get resumePosition(): ResumePosition | undefined {
    return this.scanned
  }

  onIndexed(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Reads `$all` from where this adapter stopped to its end. One read at a time; a caller arriving
   * during a read waits for the next one, so it sees everything stored before it called.
   */
  sync(): Promise<void> {
    if (this.queuedPull !== undefined) return this.queuedPull
    if (this.pulling === undefined) {
      this.pulling = this.pull().finally(() => {
        this.pulling = undefined
      })
      return this.pulling
    }
    const queued = this.pulling
      .catch(() => undefined)
      .then(() => {
        this.queuedPull = undefined
        return this.sync()
      })
    this.queuedPull = queued
    return queued
  }

  private async pull(): Promise<void> {
    for (;;) {
      // the client's readAll has no server-side filter: the same prefix filter applies here, client side
      const page: AllStreamResolvedEvent[] = []
      for await (const resolved of this.client.readAll({
        fromPosition: this.scanned ?? START,
        maxCount: this.pageSize,
      })) {
        page.push(resolved)
      }
      for (const resolved of page) this.ingest(resolved)
      if (page.length < this.pageSize) return
    }
  }

  /** Takes one event read from `$all` (by a read or a subscription); what was seen before is skipped. */
  ingest(resolved: AllStreamResolvedEvent): void {
    const recorded = resolved.event
    if (recorded === undefined) return
    const position = recorded.position
    if (this.scanned !== undefined && !isAfter(position, this.scanned)) return
    if (!isLedgerStream(recorded.streamId)) {
      this.scanned = position
      return
    }
    // parse before moving on: a corrupt event stops every reader here, again and again, not just once
    const pending = toPending(
      recorded.streamId,
      recorded.id,
      recorded.type,
      Number(recorded.revision),
      recorded.metadata,
      position,
    )
    this.scanned = position
    if (pending.run.index === 0 && this.pending.length > 0) this.flush()
    this.pending.push({
      event: pending.event,
      endsRun: pending.run.index === pending.run.size - 1,
    })
    if (pending.run.index === pending.run.size - 1) this.flush()
  }

  /** A whole run has been read: its events take the next positions (ids seen before take none). */
  private flush(): void {
    let added = 0
    for (const { event, endsRun } of this.pending) {
      this.revisions.set(
        event.stream,
        Math.max(this.revisions.get(event.stream) ?? -1, event.revision),
      )
      const key = event.id.toLowerCase()
      if (this.byId.has(key)) {
        this.logger?.warn(
          { id: event.id, stream: event.stream, revision: event.revision },
          'an event id stored twice in $all: the first occurrence is the ledger event',
        )
        continue
      }
      const stored: StoredEvent = { ...event, position: this.entries.length }
      this.entries.push({ event: stored, endsRun })
      this.byId.set(key, stored)
      const streamEvents = this.byStream.get(stored.stream)
      if (streamEvents === undefined) this.byStream.set(stored.stream, [stored])
      else streamEvents.push(stored)
      added += 1
    }
    // a flushed run is whole: a batch may end after it, even when its own last event got no position
    const lastIndexed = this.entries[this.entries.length - 1]
    if (lastIndexed !== undefined) lastIndexed.endsRun = true
    this.pending = []
    if (added > 0) for (const listener of this.listeners) listener()
  }

  // --- subscriptions --------------------------------------------------------------------------------

  subscribe(from: number, handlers: SubscriptionHandlers): Subscription {
    const subscription = new EsdbSubscription(this, from, handlers, () =>
      this.subscriptions.delete(subscription),
    )
    this.subscriptions.add(subscription)
    return subscription
  }

  // --- checkpoints ----------------------------------------------------------------------------------

  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    await this.readCheckpoints()
    if (this.checkpointsBySize.has(checkpoint.treeSize)) return
    // the id follows from the tree size, so replicas saving the same size write one event
    await this.client.appendToStream(
      this.checkpointStream,
      jsonEvent({
        id: checkpointEventId(this.checkpointStream, checkpoint.treeSize),
        type: checkpointEventType,
        data: {
          treeSize: checkpoint.treeSize,
          rootHash: checkpoint.rootHash.toString('hex'),
          note: checkpoint.note,
        },
      }),
      { expectedRevision: ANY },
    )
    await this.readCheckpoints()
  }

  async checkpoints(): Promise<StoredCheckpoint[]> {
    await this.readCheckpoints()
    return [...this.checkpointsBySize.values()].sort((a, b) => a.treeSize - b.treeSize)
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const all = await this.checkpoints()
    return all[all.length - 1]
  }

  /** Reads what was added to the checkpoint stream; a size seen before keeps its first checkpoint. */
  private readCheckpoints(): Promise<void> {
    this.checkpointRead = this.checkpointRead
      .catch(() => undefined)
      .then(async () => {
        try {
          const events = this.client.readStream(this.checkpointStream, {
            fromRevision: BigInt(this.checkpointRevision + 1),
          })
          for await (const resolved of events) {
            const recorded = resolved.event
            if (recorded === undefined) continue
            this.checkpointRevision = Number(recorded.revision)
            const parsed =
              recorded.type === checkpointEventType
                ? CheckpointData.safeParse(recorded.data)
                : undefined
            if (parsed === undefined || !parsed.success) {
              this.logger?.warn(
                { stream: this.checkpointStream, revision: this.checkpointRevision },
                'not a checkpoint: skipped',
              )
              continue
            }
            if (this.checkpointsBySize.has(parsed.data.treeSize)) continue
            this.checkpointsBySize.set(parsed.data.treeSize, {
              treeSize: parsed.data.treeSize,
              rootHash: Buffer.from(parsed.data.rootHash, 'hex'),
              note: parsed.data.note,
            })
          }
        } catch (error) {
          if (error instanceof StreamNotFoundError) return
          throw error
        }
      })
    return this.checkpointRead
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()))
    this.listeners.clear()
    await this.client.dispose()
  }
}

function toEsdbRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'no_stream') return NO_STREAM
  if (expected === 'any') return ANY
  return BigInt(expected)
}

function toEsdbEvent(event: EventToAppend, index: number, size: number) {
  const metadata: StoredMetadata = {
    ledger: event.metadata,
    entry: event.entry,
    leafHash: event.leafHash.toString('hex'),
    run: { index, size },
  }
  return jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata })
}

function toPending(
  stream: string,
  id: string,
  type: string,
  revision: number,
  metadata: unknown,
  position: ResumePosition,
): { event: Omit<StoredEvent, 'position'>; run: { index: number; size: number } } {
  const where = `${stream}@${revision} (${position.commit}/${position.prepare})`
  const stored = StoredMetadata.safeParse(metadata)
  if (!stored.success)
    throw new CorruptLedgerEvent(
      `event ${id} in ${where} was not written by the ledger: no entry in its metadata`,
    )
  let entry
  try {
    entry = Entry.parse(JSON.parse(stored.data.entry))
  } catch {
    throw new CorruptLedgerEvent(`event ${id} in ${where}: its entry is not a log entry`)
  }
  if (
    entry.id.toLowerCase() !== id.toLowerCase() ||
    entry.stream !== stream ||
    entry.type !== type
  ) {
    throw new CorruptLedgerEvent(
      `event ${id} in ${where}: its entry says ${entry.id} in ${entry.stream} of type ${entry.type}`,
    )
  }
  return {
    event: {
      id: entry.id,
      stream,
      revision,
      type: entry.type,
      data: entry.data,
      metadata: entry.metadata,
      entry: stored.data.entry,
      leafHash: Buffer.from(stored.data.leafHash, 'hex'),
    },
    run: stored.data.run,
  }
}

/** A name-based UUID (version 5, SHA-1) for the checkpoint of one tree size. */
export function checkpointEventId(stream: string, treeSize: number): string {
  const namespace = Buffer.from('6f1d2a52c0b34d7e9a4e0c6b8f3d2e10', 'hex')
  const hash = createHash('sha1').update(namespace).update(`${stream}/${treeSize}`).digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function sleep(ms: number, signal?: { wake?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    if (signal !== undefined) {
      signal.wake = () => {
        clearTimeout(timer)
        resolve()
      }
    }
  })
}

/** A subscriber's batches: runs whole, about this many events at once while catching up. */
const maxBatch = 500

/**
 * A catch-up subscription to `$all` with the ledger's filter. The v6 client neither reconnects nor
 * resubscribes, so this loop does: after a lost connection it backs off (doubling, capped), reads `$all`
 * from the adapter's resume position to the end, and subscribes again from there. Events reach the
 * handler from the adapter's ordered list, by position, so a position comes once and none is skipped,
 * whichever of the subscription, a read, or this replica's own append brought the event in. Caught up
 * means delivered up to what the first read to the end found, so it does not depend on the server
 * sending `caught_up` (servers before 23.10 do not).
 */
class EsdbSubscription implements Subscription {
  private next: number
  private closed = false
  private connected: boolean | undefined
  /** The store's size when the first read to the end finished: caught up once delivered up to it. */
  private caughtUpAt: number | undefined
  private caughtUpSaid = false
  private dirty = false
  private pumping = false
  private delivering: Promise<void> | undefined
  private readonly sleeper: { wake?: () => void } = {}
  private stopLive: (() => void) | undefined
  private readonly running: Promise<void>

  constructor(
    private readonly store: EsdbEventStore,
    from: number,
    private readonly handlers: SubscriptionHandlers,
    private readonly forget: () => void,
  ) {
    this.next = Math.max(0, from)
    this.running = this.run()
  }

  private async run(): Promise<void> {
    const stopListening = this.store.onIndexed(() => this.kick())
    let attempt = 0
    try {
      while (!this.closed) {
        try {
          await this.store.sync()
          this.caughtUpAt ??= this.store.size
          this.kick()
          await this.follow(() => {
            if (attempt > 0) {
              this.store.logger?.info(
                { from: String(this.store.resumePosition?.commit ?? 'start') },
                'EventStoreDB subscription resumed',
              )
            }
            attempt = 0
            this.setConnected(true)
          })
        } catch (error) {
          if (this.closed) break
          if (error instanceof CorruptLedgerEvent) {
            this.fail(error)
            break
          }
          const delay = Math.min(
            this.store.retry.maxDelayMs,
            this.store.retry.initialDelayMs * 2 ** attempt,
          )
          attempt += 1
          this.setConnected(false)
          this.store.logger?.warn(
            { err: error, attempt, delayMs: delay },
            'EventStoreDB subscription lost: resubscribing',
          )
          await sleep(delay, this.sleeper)
        }
      }
    } finally {
      stopListening()
    }
  }

  /** Follows `$all` from the resume position until the subscription ends; resolves only on close. */
  private follow(onConfirmed: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const live = this.store.client.subscribeToAll({
        fromPosition: this.store.resumePosition ?? START,
        filter: streamNameFilter({ prefixes: [...ledgerStreamPrefixes] }),
      })
      let settled = false
      const settle = (error?: unknown): void => {
        if (settled) return
        settled = true
        this.stopLive = undefined
        live.removeAllListeners('data')
        void live.unsubscribe().catch(() => undefined)
        if (this.closed) resolve()
        else reject(error ?? new Error('the EventStoreDB subscription ended'))
      }
      this.stopLive = () => settle()
      live.on('confirmation', onConfirmed)
      live.on('data', (resolved: AllStreamResolvedEvent) => {
        try {
          this.store.ingest(resolved)
        } catch (error) {
          settle(error)
        }
      })
      live.on('error', (error: unknown) => settle(error))
      live.on('end', () => settle())
      live.on('close', () => settle())
    })
  }

  private kick(): void {
    this.dirty = true
    if (this.pumping || this.closed) return
    this.pumping = true
    this.delivering = this.deliver().catch((error: unknown) =>
      this.fail(error instanceof Error ? error : new Error(String(error))),
    )
  }

  private async deliver(): Promise<void> {
    try {
      while (this.dirty && !this.closed) {
        this.dirty = false
        for (;;) {
          const batch = this.store.batchFrom(this.next, maxBatch)
          if (batch.length === 0 || this.closed) break
          await this.handlers.onEvents(batch)
          this.next += batch.length
        }
        if (
          !this.caughtUpSaid &&
          this.caughtUpAt !== undefined &&
          this.next >= this.caughtUpAt &&
          !this.closed
        ) {
          this.caughtUpSaid = true
          this.handlers.onCaughtUp?.()
        }
      }
    } finally {
      // cleared in the same turn as the last check of `dirty`, so no kick falls between the two
      this.pumping = false
    }
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return
    this.connected = connected
    this.handlers.onConnectionChange?.(connected)
  }

  private fail(error: Error): void {
    if (this.closed) return
    this.stop()
    this.store.logger?.error({ err: error }, 'EventStoreDB subscription stopped')
    this.handlers.onError?.(error)
  }

  private stop(): void {
    this.closed = true
    this.forget()
    this.stopLive?.()
    this.sleeper.wake?.()
  }

  async close(): Promise<void> {
    this.stop()
    await this.running
    await this.delivering
  }
}
