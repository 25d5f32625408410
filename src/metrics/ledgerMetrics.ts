import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Gauge, Histogram, Registry } from 'prom-client'

/**
 * The service's Prometheus metrics, one registry per composed ledger (no global default registry, so
 * tests and several apps in a process do not share counts). Every metric object is made here; the
 * HTTP layer observes requests and serves the registry (src/http/plugins/metrics.ts), and the
 * figures marked "the core's" are fed where that work happens.
 */
export function createLedgerMetrics() {
  const registry = new Registry()
  const registers = [registry]
  return {
    registry,
    /** Observed by the HTTP layer once per response; `_count` is the request counter. */
    requestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route (its pattern) and status; _count counts them',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    /** The core's: observed by the group-commit scheduler once per durable transaction, requests it carried. */
    groupCommitRequests: new Histogram({
      name: 'ledger_group_commit_requests',
      help: 'Write requests per group commit (one durable transaction)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    /** The core's: observed by the group-commit scheduler once per durable transaction, events appended. */
    groupCommitEvents: new Histogram({
      name: 'ledger_group_commit_events',
      help: 'Events appended per group commit (one durable transaction)',
      buckets: [1, 4, 16, 64, 256, 1_024, 4_096, 16_384],
      registers,
    }),
    /** The core's: set by the projection runner per read model, the store's head minus its resume position. */
    readModelLag: new Gauge({
      name: 'ledger_read_model_lag_events',
      help: 'Events in the store not yet folded into a read model',
      labelNames: ['read_model'] as const,
      registers,
    }),
    /** The core's: set by a store adapter on every change of its connection, 1 connected, 0 not (EventStoreDB). */
    storeConnected: new Gauge({
      name: 'ledger_store_connected',
      help: 'Whether the event store is reachable (1) or not (0)',
      labelNames: ['store'] as const,
      registers,
    }),
  }
}

export type LedgerMetrics = ReturnType<typeof createLedgerMetrics>

export interface ScrapeSources {
  /** Events this replica has applied. */
  appliedSize: () => number
  latestTreeSize: () => number | undefined
  recordedAt: (position: number) => Promise<string | undefined>
  clock: () => Date
}

/**
 * What is read when Prometheus scrapes, so that no request pays for it: the ledger's size, the
 * checkpoint's age (a checkpoint is signed with the commit of its last entry, so: since that entry
 * was recorded), and the event loop's delay since the previous scrape. Returns a stop function.
 */
export function watchLedger(metrics: LedgerMetrics, sources: ScrapeSources): () => void {
  const registers = [metrics.registry]
  new Gauge({
    name: 'ledger_size_events',
    help: 'Events this replica has applied',
    registers,
    collect() {
      this.set(sources.appliedSize())
    },
  })
  new Gauge({
    name: 'ledger_checkpoint_tree_size',
    help: 'Tree size of the latest signed checkpoint',
    registers,
    collect() {
      this.set(sources.latestTreeSize() ?? 0)
    },
  })
  new Gauge({
    name: 'ledger_checkpoint_age_seconds',
    help: 'Seconds since the last entry under the latest checkpoint was recorded (when it was signed)',
    registers,
    async collect() {
      const size = sources.latestTreeSize() ?? 0
      const at = size === 0 ? undefined : await sources.recordedAt(size - 1)
      if (at === undefined) this.reset()
      else this.set((sources.clock().getTime() - Date.parse(at)) / 1_000)
    },
  })
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  new Gauge({
    name: 'nodejs_eventloop_delay_seconds',
    help: 'Event-loop delay since the previous scrape, by quantile (1: the maximum)',
    labelNames: ['quantile'] as const,
    registers,
    collect() {
      for (const quantile of [0.5, 0.9, 0.99])
        this.set({ quantile }, delay.percentile(quantile * 100) / 1e9)
      this.set({ quantile: 1 }, delay.max / 1e9)
      delay.reset()
    },
  })
  return () => delay.disable()
}
