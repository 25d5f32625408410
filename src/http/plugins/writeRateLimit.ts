import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { sha256Hex } from '../../sha256Hex.js'
import { LedgerError } from '../../errors.js'

export interface WriteRateLimitOptions {
  /** Write requests a minute per token; 0 turns the limit off. */
  perMinute: number
}

/**
 * Rate limiting for the routes that ask for it in `config.rateLimit` (the writes): per token (hashed,
 * so no token sits in memory as a key), else per address.
 */
export const writeRateLimit = fp<WriteRateLimitOptions>(
  async (app: FastifyInstance, { perMinute }) => {
    if (perMinute === 0) return
    await app.register(rateLimit, {
      global: false,
      max: perMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => {
        const authorization = request.headers.authorization
        return authorization === undefined
          ? `ip:${request.ip}`
          : `token:${sha256Hex(authorization)}`
      },
      errorResponseBuilder: (_request, context) =>
        new LedgerError(
          'rate_limited',
          `at most ${context.max} write requests a minute per token; retry in ${context.after}`,
        ),
    })
  },
  { name: 'write-rate-limit' },
)
