import { Gauge, Histogram, Registry } from 'prom-client'

/**
 * The service's Prometheus metrics, one registry per composed ledger (no global default registry, so
 * tests and several apps in a process do not share counts). The HTTP layer adds what it observes
 * itself (request durations, ledger size, checkpoint age, event-loop delay: src/http/plugins/metrics.ts);
 * the figures below are the core's to feed, where the work happens.
 */
export function createLedgerMetrics() {
  const registry = new Registry()
  const registers = [registry]
  return {
    registry,
    /** Observed by the group-commit scheduler once per durable transaction: requests it carried. */
    groupCommitRequests: new Histogram({
      name: 'ledger_group_commit_requests',
      help: 'Write requests per group commit (one durable transaction)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    /** Observed by the group-commit scheduler once per durable transaction: events it appended. */
    groupCommitEvents: new Histogram({
      name: 'ledger_group_commit_events',
      help: 'Events appended per group commit (one durable transaction)',
      buckets: [1, 4, 16, 64, 256, 1_024, 4_096, 16_384],
      registers,
    }),
    /** Set by the projection runner per read model: the store's head minus the model's resume position. */
    readModelLag: new Gauge({
      name: 'ledger_read_model_lag_events',
      help: 'Events in the store not yet folded into a read model',
      labelNames: ['read_model'] as const,
      registers,
    }),
    /** Set by a store adapter on every change of its connection: 1 connected, 0 not (EventStoreDB). */
    storeConnected: new Gauge({
      name: 'ledger_store_connected',
      help: 'Whether the event store is reachable (1) or not (0)',
      labelNames: ['store'] as const,
      registers,
    }),
  }
}

export type LedgerMetrics = ReturnType<typeof createLedgerMetrics>
