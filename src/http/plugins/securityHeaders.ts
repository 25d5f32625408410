import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

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

/**
 * The headers helmet sets by default (test/http/securityHeaders.test.ts checks them against
 * @fastify/helmet's), built once. Registering helmet itself cost 7.5% of a cached read in the
 * benchmark's profile: it runs a middleware per header on every request, and re-formats its
 * Content-Security-Policy each time. Cross-Origin-Resource-Policy depends on the answer: crossOrigin.ts
 * sets it.
 */
export const securityHeaderBlock: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': contentSecurityPolicy,
  'cross-origin-opener-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
})

export const securityHeaders = fp(
  async (app: FastifyInstance) => {
    // a callback hook: an async one costs a promise on every request
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(securityHeaderBlock)
      done()
    })
  },
  { name: 'security-headers' },
)
