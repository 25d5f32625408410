import type { Logger } from 'pino'
import type { RecordedEvent } from '../../events/index.js'
import type { EventStore, StoredEvent, Subscription } from '../stores/eventStore.js'
import { parseStoredEvent } from './parseStoredEvent.js'

/**
 * Feeds every event, once and in position order, to the in-memory read models, from the store's
 * subscription: it catches up at start (then the service is ready) and follows new commits. A write
 * waits here until this instance has applied it, so the instance reads its own writes.
 */
export interface Applier {
  readonly name: string
  apply(event: RecordedEvent, stored: StoredEvent): void
}

export interface RunnerOptions {
  store: EventStore
  appliers: Applier[]
  /** After each delivered batch once caught up (and once at catch-up): sign a checkpoint, say. */
  afterBatch?: (size: number) => Promise<void>
  logger: Logger
}

interface Waiter {
  size: number
  resolve(): void
  reject(error: Error): void
}

export class ProjectionRunner {
  /** How many events are applied: the next position. */
  size = 0
  /** The latest recordedAt applied, epoch ms. */
  lastRecordedAt = 0
  private caughtUp = false
  private connected = false
  private failure: Error | undefined
  private subscription: Subscription | undefined
  private waiters: Waiter[] = []
  private readonly options: RunnerOptions

  constructor(options: RunnerOptions) {
    this.options = options
  }

  get ready(): boolean {
    return this.caughtUp && this.connected && this.failure === undefined
  }

  get error(): Error | undefined {
    return this.failure
  }

  /** Resolves once caught up with what the store held at start. */
  start(): Promise<void> {
    const started = Date.now()
    return new Promise((resolve, reject) => {
      this.subscription = this.options.store.subscribe(0, {
        onEvents: (events) => this.applyBatch(events),
        onCaughtUp: () => {
          void this.afterCatchUp(started).then(resolve, reject)
        },
        onConnectionChange: (connected) => {
          this.connected = connected
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
    this.options.logger.info(
      { events: this.size, ms: Date.now() - started },
      'projections caught up with the store',
    )
    this.settleWaiters()
  }

  private async applyBatch(events: StoredEvent[]): Promise<void> {
    for (const stored of events) {
      if (stored.position !== this.size) {
        throw new Error(`expected position ${this.size} from the store, got ${stored.position}`)
      }
      const event = parseStoredEvent(stored)
      for (const applier of this.options.appliers) applier.apply(event, stored)
      this.size += 1
      const recordedAt = Date.parse(event.metadata.recordedAt)
      if (recordedAt > this.lastRecordedAt) this.lastRecordedAt = recordedAt
    }
    if (this.caughtUp) {
      await this.options.afterBatch?.(this.size)
      this.settleWaiters()
    }
  }

  private fail(error: Error): void {
    this.failure = error
    this.options.logger.error({ err: error }, 'projections stopped')
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

  /** Resolves when at least `size` events are applied (and their checkpoint signed). */
  waitFor(size: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure)
    if (this.caughtUp && this.size >= size) return Promise.resolve()
    return new Promise((resolve, reject) => this.waiters.push({ size, resolve, reject }))
  }

  async close(): Promise<void> {
    await this.subscription?.close()
  }
}
