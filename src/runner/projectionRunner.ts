import type { Logger } from 'pino'
import type { EventStore, Subscription } from '../stores/eventStore.js'

/**
 * How far this instance has applied the log, and whether it is ready. Events are folded into the read
 * models in the transaction that stores them locally (see InlineFold), so "applied" moves when such a
 * transaction commits (`advance`). On the embedded store that is every write; an EventStoreDB replica
 * also follows the store's subscription (`start`), which brings other replicas' writes into its local
 * copy, and signs a checkpoint after each batch (`afterBatch`).
 */

export interface RunnerOptions {
  store: EventStore
  /** Positions already applied at start: what the ledger file's read models hold. */
  size: number
  /** The latest recordedAt among them, epoch ms. */
  lastRecordedAt: number
  /** After each batch the subscription delivers once caught up (and once at catch-up). */
  afterBatch?: (size: number) => Promise<void>
  /** The store's connection came or went (always connected: the embedded store). */
  onConnectionChange?: (connected: boolean) => void
  logger: Logger
}

interface Waiter {
  size: number
  resolve(): void
  reject(error: Error): void
}

export class ProjectionRunner {
  /** How many events are applied: the next position. */
  size: number
  /** The latest recordedAt applied, epoch ms. */
  lastRecordedAt: number
  private caughtUp = false
  private connected = false
  private failure: Error | undefined
  private subscription: Subscription | undefined
  private waiters: Waiter[] = []
  private readonly advanced = new Set<(from: number, to: number) => void>()

  constructor(private readonly options: RunnerOptions) {
    this.size = options.size
    this.lastRecordedAt = options.lastRecordedAt
  }

  get ready(): boolean {
    return this.caughtUp && this.connected && this.failure === undefined
  }

  get error(): Error | undefined {
    return this.failure
  }

  /** A local commit applied events up to `size`. */
  advance(size: number, lastRecordedAt: number): void {
    const from = this.size
    if (size > this.size) this.size = size
    if (lastRecordedAt > this.lastRecordedAt) this.lastRecordedAt = lastRecordedAt
    if (this.caughtUp) this.settleWaiters()
    if (size > from) for (const listener of this.advanced) listener(from, size)
  }

  /** Calls `listener(from, to)` after each local commit that applied positions from..to-1. */
  onAdvance(listener: (from: number, to: number) => void): () => void {
    this.advanced.add(listener)
    return () => this.advanced.delete(listener)
  }

  /**
   * Resolves once caught up with what the store held at start. The embedded store's file is the log,
   * so it is caught up at once; a replica follows the store from what its copy already holds.
   */
  start(): Promise<void> {
    const started = Date.now()
    if (this.options.store.kind === 'sqlite') {
      this.connected = true
      this.options.onConnectionChange?.(true)
      return this.afterCatchUp(started)
    }
    return new Promise((resolve, reject) => {
      this.subscription = this.options.store.subscribe(this.size, {
        onEvents: async (events) => {
          const last = events[events.length - 1]
          if (last !== undefined) this.advance(last.position + 1, this.lastRecordedAt)
          if (this.caughtUp) {
            await this.options.afterBatch?.(this.size)
            this.settleWaiters()
          }
        },
        onCaughtUp: () => {
          void this.afterCatchUp(started).then(resolve, reject)
        },
        onConnectionChange: (connected) => {
          this.connected = connected
          this.options.onConnectionChange?.(connected)
        },
        onError: (error) => {
          this.fail(error)
          reject(error)
        },
      })
    })
  }

  private async afterCatchUp(started: number): Promise<void> {
    await this.options.afterBatch?.(this.size)
    this.caughtUp = true
    this.options.logger.info({ events: this.size, ms: Date.now() - started }, 'caught up with the store')
    this.settleWaiters()
  }

  private fail(error: Error): void {
    this.failure = error
    this.options.logger.error({ err: error }, 'stopped following the store')
    for (const waiter of this.waiters.splice(0)) waiter.reject(error)
  }

  private settleWaiters(): void {
    const pending: Waiter[] = []
    for (const waiter of this.waiters) {
      if (this.size >= waiter.size) waiter.resolve()
      else pending.push(waiter)
    }
    this.waiters = pending
  }

  /** Resolves when at least `size` events are applied. */
  waitFor(size: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure)
    if (this.caughtUp && this.size >= size) return Promise.resolve()
    return new Promise((resolve, reject) => this.waiters.push({ size, resolve, reject }))
  }

  async close(): Promise<void> {
    await this.subscription?.close()
  }
}
