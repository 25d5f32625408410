import Fastify from 'fastify'
import type { Logger } from 'pino'
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod'
import type { EventStore } from '../stores/eventStore.js'
import type { ProjectionRunner } from '../runner/projectionRunner.js'
import type { RecordEvents } from '../ledger/groupCommit.js'
import type { LedgerReader } from '../readModels/ledgerReader.js'
import type { LedgerLog } from '../log/ledgerLog.js'
import type { LedgerMetrics } from '../metrics/ledgerMetrics.js'
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { startTracing, tracedReader, tracedStore } from '../tracing/tracing.js'
import { tracing } from './plugins/tracing.js'
import { createAuth, type NamedToken } from './auth.js'
import { sendProblem, toLedgerError } from './problems.js'
import { todayUtcOf } from '../readModels/knownAt.js'
import { answerValidators } from './answerValidators.js'
import { recordedAtOf } from './recordedAtOf.js'
import { createResponseCache } from './responseCache.js'
import { compression } from './plugins/compression.js'
import { conditionalRequests } from './plugins/conditionalRequests.js'
import { crossOrigin } from './plugins/crossOrigin.js'
import { gracefulShutdown } from './plugins/gracefulShutdown.js'
import { metricsEndpoint } from './plugins/metrics.js'
import { loadShedding } from './plugins/loadShedding.js'
import { openApi } from './plugins/openApi.js'
import { problemHandlers } from './plugins/problemHandlers.js'
import { readAuth } from './plugins/readAuth.js'
import { responseCaching } from './plugins/responseCaching.js'
import { securityHeaders } from './plugins/securityHeaders.js'
import { strictJsonBody } from './plugins/strictJsonBody.js'
import { writeRateLimit } from './plugins/writeRateLimit.js'
import { clientErrorHandler } from './clientErrorHandler.js'
import { healthRoutes } from './routes/health.js'
import { eventRoutes } from './routes/events.js'
import { jurisdictionRoutes } from './routes/jurisdictions.js'
import { sourceAndActorRoutes } from './routes/sourcesAndActors.js'
import { ledgerRoutes } from './routes/ledger.js'
import { pageRoutes } from './pages/pageRoutes.js'
import { changeRoutes } from './routes/changes.js'
import { changeStreamRoutes } from './routes/changeStream.js'
import { panelRoutes } from './routes/panel.js'

/** Everything the HTTP layer needs, passed in by the composition root. */
export interface AppDeps {
  logger: Logger
  store: EventStore
  runner: ProjectionRunner
  reader: LedgerReader
  log: LedgerLog
  recordEvents: RecordEvents
  clock: () => Date
  writeTokens: NamedToken[]
  readTokens: NamedToken[]
  bodyLimit: number
  /** Write requests a minute per token; 0 turns the limit off. */
  writeRateLimit: number
  /** LEDGER_CORS_ORIGINS: origins allowed to read (`*`: any); writes need one listed explicitly. */
  corsOrigins: string[]
  /** LEDGER_RESPONSE_CACHE_BYTES: the response cache's bound in bytes. */
  responseCacheBytes: number
  /** The registry /metrics serves; the core feeds its own figures into the same object. */
  metrics: LedgerMetrics
  /** OTEL_EXPORTER_OTLP_ENDPOINT: traces go there; unset (and no spanProcessor) means no tracing. */
  otelEndpoint?: string
  /** Where spans go instead (a test's in-memory exporter). */
  spanProcessor?: SpanProcessor
  /** LEDGER_ORIGIN: the log's origin, the authority of the feeds' ids. */
  origin: string
  /** LEDGER_MAX_STREAMS: change streams open at once. */
  maxStreams: number
  /** The tree sizes of the kept checkpoints after a position (where commits ended), for the change stream. */
  commitsAfter(position: number, limit: number): number[]
}

export type App = Awaited<ReturnType<typeof buildApp>>

/**
 * Builds the Fastify app; only the entry point listens. Tests call `app.inject()`. Each concern is a
 * plugin under plugins/, registered in the order its hooks must run; each route plugin gets only the
 * dependencies it uses.
 */
export async function buildApp(deps: AppDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    // a slow or stalled client cannot hold a connection open for ever
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 10_000,
    // the whole header block within 10 s of connecting (one byte a second is cut off, and so is a socket
    // that sends nothing), checked every second rather than every 30 s (README: connection limits)
    http: { headersTimeout: 10_000, connectionsCheckingInterval: 1_000 },
    clientErrorHandler,
    // while shutting down, a request is refused as a problem (gracefulShutdown), not with fastify's own JSON 503
    return503OnClosing: false,
    // the router's default (100) would refuse a valid 120-character slug with a 414 before the
    // schema sees it; anything longer than this is refused below as a problem (hardening fuzz test)
    routerOptions: { maxParamLength: 500 },
    // errors the router raises before any route or hook (a malformed %-escape, an over-long path
    // segment) are problem+json like every other error, not fastify's own JSON
    frameworkErrors: (error, request, reply) => sendProblem(reply, toLedgerError(error, request)),
  }).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)

  const auth = createAuth({ writeTokens: deps.writeTokens, readTokens: deps.readTokens })
  const traces = await startTracing(deps)
  const { runner, log, clock } = deps
  const store = traces === undefined ? deps.store : tracedStore(deps.store, traces.tracer)
  const reader = traces === undefined ? deps.reader : tracedReader(deps.reader, traces.tracer)
  // a read is a pure function of (URL, applied position, latest checkpoint, today): its generation
  const today = todayUtcOf(clock)
  const generation = () => `${runner.size}|${log.latest()?.treeSize}|${today()}`
  const recordedAt = recordedAtOf(store)
  const validators = answerValidators({ generation, readsArePrivate: auth.readsArePrivate })
  const cache = createResponseCache({
    generation,
    validators,
    recordedAt,
    maxBytes: deps.responseCacheBytes,
  })

  // first, so that every route (swagger's own too) is built with it
  await app.register(problemHandlers)
  if (traces !== undefined)
    await app.register(tracing, { instrumentation: traces.plugin, shutdown: traces.shutdown })
  await app.register(strictJsonBody)
  await app.register(securityHeaders)
  // before anything that may refuse a request, so that a cross-origin script can read the refusal
  await app.register(crossOrigin, { origins: deps.corsOrigins })
  await app.register(loadShedding)
  await app.register(writeRateLimit, { perMinute: deps.writeRateLimit })
  // compression and the validators hook every route registered after them, swagger's too
  await app.register(compression)
  await app.register(conditionalRequests, { validators })
  await app.register(openApi, { readsArePrivate: auth.readsArePrivate })
  await app.register(gracefulShutdown)
  await app.register(readAuth, { auth })
  await app.register(responseCaching, { cache })
  await app.register(metricsEndpoint, {
    metrics: deps.metrics,
    appliedSize: () => runner.size,
    latestTreeSize: () => log.latest()?.treeSize,
    recordedAt,
    clock,
  })

  await app.register(healthRoutes({ runner }))
  await app.register(
    eventRoutes({
      store,
      runner,
      reader,
      auth,
      recordEvents: deps.recordEvents,
      writeRateLimit: deps.writeRateLimit,
    }),
  )
  await app.register(jurisdictionRoutes({ store, reader, runner, clock, cache }))
  await app.register(sourceAndActorRoutes({ reader, runner, store, cache }))
  await app.register(ledgerRoutes({ store, reader, log }))
  await app.register(pageRoutes({ store, reader, runner, log, clock }))
  await app.register(changeRoutes({ reader, runner, store, clock, cache, origin: deps.origin }))
  await app.register(panelRoutes({ reader, runner, store }))
  await app.register(changeStreamRoutes({ reader, runner, store, clock, maxStreams: deps.maxStreams, commitsAfter: deps.commitsAfter }))
  return app
}
