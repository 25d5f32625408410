import { START, type AllStreamResolvedEvent, type EventStoreDBClient, type Position } from '@eventstore/db-client'
import type { Logger } from 'pino'
import { ledgerStreamPrefixes } from '../../../events/streams.js'
import type { InlineFold, StoredEvent } from '../eventStore.js'
import type { EventRows } from '../sqlite/eventRows.js'
import type { ReplicaMeta } from './replicaMeta.js'
import { fromEsdbEvent, type ReadEvent } from './storedForm.js'

/**
 * Numbers the ledger's events in `$all` order into the replica's copy of the log. It reads `$all`
 * filtered to the ledger's streams (the prefixes in events/streams.ts, which leave out EventStoreDB's
 * `$` system streams and the checkpoint stream; client-side here, since the v6 client's `readAll`
 * takes no filter, server-side on the live subscription) and gives the ledger events the positions 0,
 * 1, 2... as they come, whole atomic appends (runs) at a time. Every replica reads the same `$all`, so
 * every replica numbers alike. Each commit to the copy holds the events, the read models' changes
 * (the inline fold) and the new resume position together, so a restart continues exactly where the
 * last commit left off and reads only what it has not seen.
 *
 * An event id that reaches `$all` twice (a race between replicas) keeps its first occurrence; the
 * later one gets no position, but counts toward its stream's revision in EventStoreDB.
 */

function isLedgerStream(stream: string): boolean {
  return ledgerStreamPrefixes.some((prefix) => stream.startsWith(prefix))
}

function isAfter(a: Position, b: Position): boolean {
  return a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare)
}

export class AllIndexer {
  inline: InlineFold | undefined
  /** The last `$all` position taken in, ledger event or not. */
  private scanned: Position | undefined
  /** Events of an append whose last event has not been read yet. */
  private pending: ReadEvent[] = []
  /** Whole runs read, waiting for the next commit. */
  private complete: ReadEvent[][] = []
  /** What the next commit stores as the resume position: nothing after it is half taken in. */
  private resumeAt: Position | undefined
  private readonly listeners = new Set<() => void>()
  private pulling: Promise<void> | undefined
  private queuedPull: Promise<void> | undefined
  /** How many `$all` events this replica has read, ledger events or not: a restart should read few. */
  read = 0

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly rows: EventRows,
    private readonly meta: ReplicaMeta,
    private readonly logger: Logger | undefined,
    private readonly pageSize: number,
  ) {
    this.scanned = meta.resumePosition()
    this.resumeAt = this.scanned
  }

  get resumePosition(): Position | undefined {
    return this.scanned
  }

  onIndexed(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Reads `$all` from where the copy stopped to its end. One read at a time; a caller arriving during
   * a read waits for the next one, so it sees everything stored before it called.
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
      const page: AllStreamResolvedEvent[] = []
      for await (const resolved of this.client.readAll({ fromPosition: this.scanned ?? START, maxCount: this.pageSize })) {
        page.push(resolved)
      }
      for (const resolved of page) this.ingest(resolved)
      this.commit()
      if (page.length < this.pageSize) return
    }
  }

  /** Takes one event read from `$all` (by a read or the live subscription); what was seen before is skipped. */
  ingest(resolved: AllStreamResolvedEvent): void {
    const recorded = resolved.event
    if (recorded === undefined) return
    const position = recorded.position
    if (this.scanned !== undefined && !isAfter(position, this.scanned)) return
    this.read += 1
    if (!isLedgerStream(recorded.streamId)) {
      this.scanned = position
      if (this.pending.length === 0) this.resumeAt = position
      return
    }
    // parse before moving on: a corrupt event stops every reader here, again and again, not just once
    const read = fromEsdbEvent(recorded.streamId, recorded.id, recorded.type, Number(recorded.revision), recorded.metadata, position)
    this.scanned = position
    // a run that never completed (its append was cut short) is taken as it is
    if (read.run.index === 0 && this.pending.length > 0) this.completeRun()
    this.pending.push(read)
    if (read.run.index === read.run.size - 1) this.completeRun()
  }

  private completeRun(): void {
    this.complete.push(this.pending)
    this.resumeAt = this.pending[this.pending.length - 1]!.at
    this.pending = []
  }

  /** Writes the whole runs read so far to the copy, folded, with the resume position, in one transaction. */
  commit(): void {
    const runs = this.complete
    const resumeAt = this.resumeAt
    // what lies between ledger runs (checkpoints, other streams) is read again after a restart, unkept
    if (runs.length === 0 || resumeAt === undefined) return
    this.complete = []
    const write = this.rows.db.transaction((): StoredEvent[] => {
      let position = this.rows.head()
      const stored: StoredEvent[] = []
      for (const run of runs) {
        for (const { event } of run) {
          this.meta.setStreamRevision(event.stream, event.revision)
          if (this.rows.byId(event.id) !== undefined) {
            this.logger?.warn(
              { id: event.id, stream: event.stream, revision: event.revision },
              'an event id stored twice in $all: the first occurrence is the ledger event',
            )
            continue
          }
          const row: StoredEvent = { ...event, position }
          this.rows.insert(row)
          stored.push(row)
          position += 1
        }
      }
      if (stored.length > 0) this.inline?.apply(stored)
      this.meta.setResumePosition(resumeAt)
      return stored
    })
    let stored: StoredEvent[]
    try {
      stored = write.immediate()
    } catch (error) {
      this.inline?.rolledBack()
      // read these runs again from the last committed resume position
      this.scanned = this.meta.resumePosition()
      this.resumeAt = this.scanned
      this.pending = []
      throw error
    }
    if (stored.length === 0) return
    this.inline?.committed()
    for (const listener of this.listeners) listener()
  }
}
