import type { FastifyInstance, FastifyPluginCallback } from 'fastify'
import fp from 'fastify-plugin'

export interface TracingOptions {
  /** @fastify/otel's plugin, bound to this app's tracer provider (src/tracing/tracing.ts). */
  instrumentation: FastifyPluginCallback
  shutdown: () => Promise<void>
}

/**
 * A span per request (and its hooks and handler) with @fastify/otel. Registered before any route, as
 * it wraps each one when it is added; the provider is flushed and stopped when the app closes.
 */
export const tracing = fp<TracingOptions>(
  async (app: FastifyInstance, { instrumentation, shutdown }) => {
    await app.register(instrumentation)
    app.addHook('onClose', async () => shutdown())
  },
  { name: 'tracing' },
)
