import Fastify from 'fastify'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import underPressure from '@fastify/under-pressure'
import { createHash } from 'node:crypto'
import { getHeapStatistics } from 'node:v8'
import type { Logger } from 'pino'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod'
import { LedgerError } from '../errors.js'
import type { EventStore } from '../stores/eventStore.js'
import type { ProjectionRunner } from '../runner/projectionRunner.js'
import type { RecordEvents } from '../ledger/recordEvents.js'
import type { LedgerView } from '../../projections/ledgerView.js'
import type { LedgerLog } from '../log/ledgerLog.js'
import { createAuth, type NamedToken } from './auth.js'
import { sendProblem, toLedgerError } from './problems.js'
import { clientErrorHandler } from './clientErrorHandler.js'
import { createResponseCache, JSON_TYPE, type ResponseCache } from './responseCache.js'
import { healthRoutes } from './routes/health.js'
import { eventRoutes } from './routes/events.js'
import { jurisdictionRoutes } from './routes/jurisdictions.js'
import { sourceAndActorRoutes } from './routes/sourcesAndActors.js'
import { ledgerRoutes } from './routes/ledger.js'
import { pageRoutes } from './pages/pageRoutes.js'

/** The API's policy; the pages send their own, stricter one. */
const contentSecurityPolicy = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "object-src 'none'",
].join(';')

/** Everything the HTTP layer needs, passed in by the composition root. */
export interface AppDeps {
  logger: Logger
  store: EventStore
  runner: ProjectionRunner
  view: () => LedgerView
  log: LedgerLog
  recordEvents: RecordEvents
  clock: () => Date
  writeTokens: NamedToken[]
  readTokens: NamedToken[]
  bodyLimit: number
  /** Write requests a minute per token; 0 turns the limit off. */
  writeRateLimit: number
}

export type App = Awaited<ReturnType<typeof buildApp>>

/** Builds the Fastify app; only the entry point listens. Tests call `app.inject()`. */
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
    // while shutting down, a request is refused as a problem (below), not with fastify's own JSON 503
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
  // the API speaks JSON only: any other body is a 415, not a string for the schema to reject
  app.removeContentTypeParser('text/plain')
  // JSON must be UTF-8 (RFC 8259). Fastify's own parser decodes leniently, so a body with invalid
  // bytes was stored with U+FFFD in their place: not the data as sent. Decode strictly, then parse
  // with fastify's parser (same __proto__ and constructor protection) (hardening fuzz test).
  const parseJsonText = app.getDefaultJsonParser('error', 'error')
  const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string
    try {
      text = strictUtf8.decode(body as Buffer)
    } catch {
      done(
        new LedgerError('invalid_request', 'the body is not valid UTF-8 (JSON must be UTF-8)'),
        undefined,
      )
      return
    }
    parseJsonText(request, text, done)
  })

  // helmet's other headers are static; its Content-Security-Policy is re-formatted on every request
  // (9-12% of a cached read in the benchmark's profile), so that one header is built once, here.
  await app.register(helmet, { contentSecurityPolicy: false })
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('Content-Security-Policy', contentSecurityPolicy)
  })
  // under overload, shed load with a 503 and Retry-After instead of queueing without bound
  await app.register(underPressure, {
    // a second's event-loop delay means requests queue faster than they are served; a heap near its
    // limit means the next burst would crash the process. Full utilisation alone is just a busy server.
    maxEventLoopDelay: 1_000,
    maxHeapUsedBytes: Math.floor(getHeapStatistics().heap_size_limit * 0.85),
    retryAfter: 5,
    pressureHandler: (_request, reply, type) => {
      reply.header('Retry-After', '5')
      void sendProblem(
        reply,
        new LedgerError('overloaded', `the service is overloaded (${type}); retry shortly`),
      )
    },
  })
  if (deps.writeRateLimit > 0) {
    await app.register(rateLimit, {
      global: false,
      max: deps.writeRateLimit,
      timeWindow: 60_000,
      // per token (hashed, so no token sits in memory as a key), else per address
      keyGenerator: (request) => {
        const authorization = request.headers.authorization
        return authorization === undefined
          ? `ip:${request.ip}`
          : `token:${createHash('sha256').update(authorization).digest('hex')}`
      },
      errorResponseBuilder: (_request, context) =>
        new LedgerError(
          'rate_limited',
          `at most ${context.max} write requests a minute per token; retry in ${context.after}`,
        ),
    })
  }

  // OpenAPI 3.1 generated from the route schemas, at /openapi.json and (Swagger UI) /docs
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'policy-ledger',
        version: '1.0.0',
        description:
          'A verifiable, bitemporal, event-sourced ledger of public policy stances. Valid time is `asOf`; record time is `knownAt` (a position, an RFC 3339 timestamp or a date). Errors are RFC 9457 problem details.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      tags: [
        { name: 'stances', description: 'current and as-of stances, history' },
        { name: 'events', description: 'the event feed and writes' },
        { name: 'ledger', description: 'the verifiable log: checkpoints, entries, proofs' },
        { name: 'service', description: 'health and readiness' },
      ],
    },
    transform: jsonSchemaTransform,
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return
    reply.header('Connection', 'close')
    throw new LedgerError(
      'not_ready',
      'the service is shutting down; retry against another instance or shortly',
      { retryAfter: 1 },
    )
  })

  const auth = createAuth({ writeTokens: deps.writeTokens, readTokens: deps.readTokens })
  const open = new Set(['/health', '/ready', '/problems', '/problems/:type'])
  app.addHook('onRequest', async (request) => {
    if (!auth.readsArePrivate || request.method === 'POST') return
    const route = request.routeOptions.url
    if (route !== undefined && open.has(route)) return
    auth.reader(request.headers.authorization)
  })

  app.setErrorHandler((error, request, reply) => {
    const ledgerError = toLedgerError(error as Error, request)
    if (ledgerError.code === 'internal' || ledgerError.code === 'partial_append') {
      request.log.error({ err: error }, 'request failed')
    }
    if (ledgerError.code === 'rate_limited') return sendProblem(reply, ledgerError)
    if (ledgerError.extra.retryAfter !== undefined)
      reply.header('Retry-After', String(ledgerError.extra.retryAfter))
    return sendProblem(reply, ledgerError)
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new LedgerError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  )

  const cache = createResponseCache(
    () => `${deps.view().size}|${deps.clock().toISOString().slice(0, 10)}`,
  )
  // a kept answer is sent before validation and the handler run: its URL was valid when it was kept
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || request.routeOptions.config.cacheable !== true) return
    const body = cache.lookup(request.url)
    if (body !== undefined) return reply.type(JSON_TYPE).send(body)
  })
  const context = { ...deps, auth, cache }
  await app.register(healthRoutes(context))
  await app.register(eventRoutes(context))
  await app.register(jurisdictionRoutes(context))
  await app.register(sourceAndActorRoutes(context))
  await app.register(ledgerRoutes(context))
  await app.register(pageRoutes(context))
  return app
}

export type RouteContext = AppDeps & { auth: ReturnType<typeof createAuth>; cache: ResponseCache }

declare module 'fastify' {
  interface FastifyContextConfig {
    /** GET answers of this route may be served from the response cache. */
    cacheable?: boolean
  }
}
