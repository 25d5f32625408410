import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { watchLedger, type LedgerMetrics, type ScrapeSources } from '../../metrics/ledgerMetrics.js'

export interface MetricsOptions extends ScrapeSources {
  metrics: LedgerMetrics
}

/**
 * `GET /metrics` in the Prometheus text format (behind read tokens like every read), and each
 * response's duration by route and status. No ETag: metrics change without the ledger moving.
 */
export const metricsEndpoint = fp<MetricsOptions>(
  async (app: FastifyInstance, { metrics, ...sources }) => {
    const stop = watchLedger(metrics, sources)
    app.addHook('onClose', async () => stop())
    app.addHook('onResponse', (request, reply, done) => {
      // the pattern, never the path: one series per route, whatever ids clients send
      const route = request.routeOptions.url ?? 'unmatched'
      metrics.requestDuration.observe(
        { method: request.method, route, status_code: reply.statusCode },
        reply.elapsedTime / 1_000,
      )
      done()
    })
    app.get(
      '/metrics',
      {
        config: { conditional: false },
        schema: {
          operationId: 'getMetrics',
          summary: 'Prometheus metrics (text format)',
          tags: ['service'],
        },
      },
      async (_request, reply) => {
        const text = await metrics.registry.metrics()
        return reply
          .header('Cache-Control', 'no-store')
          .type(metrics.registry.contentType)
          .send(text)
      },
    )
  },
  { name: 'metrics' },
)
