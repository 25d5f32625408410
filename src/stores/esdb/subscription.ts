import { START, streamNameFilter, type AllStreamResolvedEvent } from '@eventstore/db-client'
import { ledgerStreamPrefixes } from '../../../events/streams.js'
import type { Subscription, SubscriptionHandlers } from '../eventStore.js'
import type { EsdbEventStore } from './esdbEventStore.js'
import { LedgerError } from '../../errors.js'

/** A subscriber's batches: about this many events at once while catching up. */
const maxBatch = 500

export function sleep(ms: number, signal?: { wake?: () => void }): Promise<void> {
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

/**
 * A catch-up subscription to `$all` with the ledger's filter. The v6 client neither reconnects nor
 * resubscribes, so this loop does: after a lost connection it backs off (doubling, capped), reads `$all`
 * from the replica's resume position to the end, and subscribes again from there. Events reach the
 * handler from the replica's copy of the log, by position, so a position comes once and none is
 * skipped, whichever of the subscription, a read, or this replica's own append brought the event in.
 * Caught up means delivered up to what the first read to the end found, so it does not depend on the
 * server sending `caught_up` (servers before 23.10 do not).
 */
export class EsdbSubscription implements Subscription {
  private next: number
  private closed = false
  private connected: boolean | undefined
  /** The copy's size when the first read to the end finished: caught up once delivered up to it. */
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
    const stopListening = this.store.indexer.onIndexed(() => this.kick())
    let attempt = 0
    try {
      while (!this.closed) {
        try {
          await this.store.indexer.sync()
          this.caughtUpAt ??= this.store.rows.head()
          this.kick()
          await this.follow(() => {
            if (attempt > 0) {
              this.store.logger?.info(
                { from: String(this.store.indexer.resumePosition?.commit ?? 'start') },
                'EventStoreDB subscription resumed',
              )
            }
            attempt = 0
            this.setConnected(true)
          })
        } catch (error) {
          if (this.closed) break
          // an event that cannot be read stops the replica here, again and again: retrying cannot help
          if (error instanceof LedgerError && (error.code === 'corrupt_ledger_event' || error.code === 'corrupt_event')) {
            this.fail(error)
            break
          }
          const delay = Math.min(this.store.retry.maxDelayMs, this.store.retry.initialDelayMs * 2 ** attempt)
          attempt += 1
          this.setConnected(false)
          this.store.logger?.warn({ err: error, attempt, delayMs: delay }, 'EventStoreDB subscription lost: resubscribing')
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
        fromPosition: this.store.indexer.resumePosition ?? START,
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
          this.store.indexer.ingest(resolved)
          this.store.indexer.commit()
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
    this.delivering = this.deliver().catch((error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))))
  }

  private async deliver(): Promise<void> {
    try {
      while (this.dirty && !this.closed) {
        this.dirty = false
        for (;;) {
          const batch = this.store.rows.readAll(this.next, maxBatch)
          if (batch.length === 0 || this.closed) break
          await this.handlers.onEvents(batch)
          this.next += batch.length
        }
        if (!this.caughtUpSaid && this.caughtUpAt !== undefined && this.next >= this.caughtUpAt && !this.closed) {
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
