import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { addVary } from '../vary.js'

export interface CrossOriginOptions {
  /** LEDGER_CORS_ORIGINS: origins allowed to read (`*`: any); writes need one listed explicitly. */
  origins: string[]
}

// tokens travel in Authorization, never in cookies: no credentials mode
const allowedHeaders = ['Authorization', 'Content-Type', 'If-None-Match', 'Last-Event-ID', 'X-Request-Id']
// what a script on another origin may read beyond the CORS-safelisted headers
const exposedHeaders = ['ETag', 'Link', 'Retry-After', 'Ledger-Known-At-Position', 'WWW-Authenticate', 'X-Request-Id']
// browsers keep a preflight this long (Chromium caps it at two hours)
const MAX_AGE_SECONDS = 86_400

/** Who may send requests of some methods, and the headers that say so, built once. */
export interface CorsPolicy {
  /** True when the answer depends on the request's Origin, so a shared cache must key on it. */
  readonly variesByOrigin: boolean
  /** The headers of an answer to a request from `origin` (a preflight adds `preflight`). */
  headersFor(origin: string | undefined): Readonly<Record<string, string>>
  readonly preflight: Readonly<Record<string, string>>
}

function policy(methods: readonly string[], origins: readonly string[] | '*'): CorsPolicy {
  const expose = { 'access-control-expose-headers': exposedHeaders.join(', ') }
  const preflight = Object.freeze({
    'access-control-allow-methods': methods.join(', '),
    'access-control-allow-headers': allowedHeaders.join(', '),
    'access-control-max-age': String(MAX_AGE_SECONDS),
  })
  if (origins === '*') {
    const any = Object.freeze({ 'access-control-allow-origin': '*', ...expose })
    return { variesByOrigin: false, headersFor: () => any, preflight }
  }
  const allowed = new Map(
    origins.map((origin) => [origin, Object.freeze({ 'access-control-allow-origin': origin, ...expose })]),
  )
  // an origin not listed gets no Access-Control-Allow-Origin: the browser keeps the answer from the script
  const refused = Object.freeze(origins.length === 0 ? {} : expose)
  return {
    variesByOrigin: origins.length > 0,
    headersFor: (origin) => (origin === undefined ? undefined : allowed.get(origin)) ?? refused,
    preflight,
  }
}

/** The read policy (GET, HEAD) and the write policy (everything else) for LEDGER_CORS_ORIGINS. */
export function corsPolicies(origins: readonly string[]): { reads: CorsPolicy; writes: CorsPolicy } {
  const listed = origins.filter((origin) => origin !== '*')
  return {
    reads: policy(['GET', 'HEAD'], origins.includes('*') ? '*' : listed),
    writes: policy(['POST'], listed),
  }
}

const isRead = (method: string | undefined): boolean => method === 'GET' || method === 'HEAD'

function apply(reply: FastifyReply, chosen: CorsPolicy, origin: string | undefined): void {
  if (chosen.variesByOrigin) addVary(reply, 'Origin')
  reply.headers(chosen.headersFor(origin))
}

/**
 * CORS with one policy for reads and one for writes, chosen by the method a request (or a preflight's
 * Access-Control-Request-Method) names. A write from an unlisted origin gets a preflight without
 * Access-Control-Allow-Origin, so the browser never sends it (a JSON body and a bearer token always
 * need a preflight; a simple text/plain POST is a 415 before any handler).
 *
 * The headers are those @fastify/cors sends for the same two policies (test/http/crossOrigin.test.ts
 * compares them over every method, origin and LEDGER_CORS_ORIGINS), built once: @fastify/cors with a
 * per-request policy normalises its options on every request, 7.7% of a cached read's profile. Where
 * nothing depends on the Origin (reads open to `*`) there is no `Vary: Origin`, so a CDN keeps one copy.
 *
 * Cross-Origin-Resource-Policy: the API's answers (JSON, NDJSON, feeds, CSV, metrics) may be read from
 * any origin; the pages (text/html) stay same-origin.
 */
export const crossOrigin = fp<CrossOriginOptions>(
  async (app: FastifyInstance, { origins }) => {
    const { reads, writes } = corsPolicies(origins)
    app.addHook('onRequest', (request, reply, done) => {
      const origin = request.headers.origin
      if (request.method !== 'OPTIONS') {
        apply(reply, isRead(request.method) ? reads : writes, origin)
        done()
        return
      }
      const method = request.headers['access-control-request-method']
      // not a preflight: the OPTIONS route below answers 404, as for any method without a route
      if (origin === undefined || method === undefined) return done()
      // answered here, before read auth: a preflight never carries a token, and answers no data
      const chosen = isRead(method) ? reads : writes
      apply(reply, chosen, origin)
      reply.headers(chosen.preflight).code(204).header('Content-Length', '0').send()
    })
    app.options('*', { schema: { hide: true } }, (_request, reply) => reply.callNotFound())
    app.addHook('onSend', (_request, reply, payload, done) => {
      const type = reply.getHeader('content-type')
      const page = typeof type === 'string' && type.startsWith('text/html')
      reply.header('Cross-Origin-Resource-Policy', page ? 'same-origin' : 'cross-origin')
      done(null, payload)
    })
  },
  { name: 'cross-origin' },
)
