import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Gauge, Histogram } from 'prom-client'
import type { LedgerMetrics } from '../../metrics/ledgerMetrics.js'

export interface MetricsOptions {
  metrics: LedgerMetrics
  /** Events this replica has applied. */
  appliedSize: () => number
  latestTreeSize: () => number | undefined
  recordedAt: (position: number) => Promise<string | undefined>
  clock: () => Date
}

/**
 * `GET /metrics` in the Prometheus text format (behind read tokens like every read), with the request
 * durations by route and status, and what is read at scrape time: the ledger's size, the checkpoint's
 * age (a checkpoint is signed with the commit of its last entry, so since that entry was recorded),
 * the event loop's delay since the last scrape, and the core's figures (ledgerMetrics.ts).
 */
export const metricsEndpoint = fp<MetricsOptions>(
  async (app: FastifyInstance, { metrics, appliedSize, latestTreeSize, recordedAt, clock }) => {
    const registers = [metrics.registry]
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route (its pattern) and status; _count counts them',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    })
    app.addHook('onResponse', (request, reply, done) => {
      // the pattern, never the path: one series per route, whatever ids clients send
      const route = request.routeOptions.url ?? 'unmatched'
      duration.observe({ method: request.method, route, status_code: reply.statusCode }, reply.elapsedTime / 1_000)
      done()
    })
    new Gauge({ name: 'ledger_size_events', help: 'Events this replica has applied', registers, collect() { this.set(appliedSize()) } })
    new Gauge({ name: 'ledger_checkpoint_tree_size', help: 'Tree size of the latest signed checkpoint', registers, collect() { this.set(latestTreeSize() ?? 0) } })
    new Gauge({
      name: 'ledger_checkpoint_age_seconds',
      help: 'Seconds since the last entry under the latest checkpoint was recorded (when it was signed)',
      registers,
      async collect() {
        const size = latestTreeSize() ?? 0
        const at = size === 0 ? undefined : await recordedAt(size - 1)
        if (at === undefined) this.reset()
        else this.set((clock().getTime() - Date.parse(at)) / 1_000)
      },
    })
    const delay = monitorEventLoopDelay({ resolution: 10 })
    delay.enable()
    app.addHook('onClose', async () => delay.disable())
    new Gauge({
      name: 'nodejs_eventloop_delay_seconds',
      help: 'Event-loop delay since the previous scrape, by quantile (1: the maximum)',
      labelNames: ['quantile'] as const,
      registers,
      collect() {
        for (const quantile of [0.5, 0.9, 0.99]) this.set({ quantile }, delay.percentile(quantile * 100) / 1e9)
        this.set({ quantile: 1 }, delay.max / 1e9)
        delay.reset()
      },
    })
    app.get(
      '/metrics',
      {
        config: { conditional: false },
        schema: { operationId: 'getMetrics', summary: 'Prometheus metrics (text format)', tags: ['service'] },
      },
      async (_request, reply) => {
        const text = await metrics.registry.metrics()
        return reply.header('Cache-Control', 'no-store').type(metrics.registry.contentType).send(text)
      },
    )
  },
  { name: 'metrics' },
)
