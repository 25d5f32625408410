import cors, { type FastifyCorsOptions } from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface CrossOriginOptions {
  /** LEDGER_CORS_ORIGINS: origins allowed to read (`*`: any); writes need one listed explicitly. */
  origins: string[]
}

const shared = {
  // tokens travel in Authorization, never in cookies: no credentials mode
  credentials: false,
  allowedHeaders: [
    'Authorization',
    'Content-Type',
    'If-None-Match',
    'Last-Event-ID',
    'X-Request-Id',
  ],
  // what a script on another origin may read beyond the CORS-safelisted headers
  exposedHeaders: [
    'ETag',
    'Link',
    'Retry-After',
    'Ledger-Known-At-Position',
    'WWW-Authenticate',
    'X-Request-Id',
  ],
  // browsers keep a preflight this long (Chromium caps it at two hours)
  maxAge: 86_400,
} satisfies FastifyCorsOptions

/**
 * CORS with one policy for reads and one for writes, chosen by the method a request (or a preflight's
 * Access-Control-Request-Method) names. A write from an unlisted origin gets a preflight without
 * Access-Control-Allow-Origin, so the browser never sends it (a JSON body and a bearer token always
 * need a preflight; a simple text/plain POST is a 415 before any handler).
 * Cross-Origin-Resource-Policy: the API's answers (JSON, NDJSON, feeds, CSV, metrics) may be read from
 * any origin; the pages (text/html) stay same-origin.
 */
export const crossOrigin = fp<CrossOriginOptions>(
  async (app: FastifyInstance, { origins }) => {
    const listed = origins.filter((origin) => origin !== '*')
    const reads = {
      ...shared,
      methods: ['GET', 'HEAD'],
      origin: origins.includes('*') ? '*' : listed,
    }
    const writes = { ...shared, methods: ['POST'], origin: listed.length > 0 ? listed : false }
    await app.register(cors, {
      delegator: (request, callback) => {
        const method =
          request.method === 'OPTIONS'
            ? request.headers['access-control-request-method']
            : request.method
        callback(null, method === 'GET' || method === 'HEAD' ? reads : writes)
      },
    })
    app.addHook('onSend', (_request, reply, payload, done) => {
      const type = reply.getHeader('content-type')
      const page = typeof type === 'string' && type.startsWith('text/html')
      reply.header('Cross-Origin-Resource-Policy', page ? 'same-origin' : 'cross-origin')
      done(null, payload)
    })
  },
  { name: 'cross-origin' },
)
