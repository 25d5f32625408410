import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { LedgerError } from '../../errors.js'

/**
 * While the app closes, a new request is refused as a problem with Retry-After and `Connection: close`
 * (fastify's own 503 on closing is turned off in app.ts), so a load balancer moves it elsewhere.
 */
export const gracefulShutdown = fp(
  async (app: FastifyInstance) => {
    let closing = false
    app.addHook('preClose', async () => {
      closing = true
    })
    app.addHook('onRequest', (_request, reply, done) => {
      if (!closing) return done()
      reply.header('Connection', 'close')
      done(
        new LedgerError(
          'not_ready',
          'the service is shutting down; retry against another instance or shortly',
          { retryAfter: 1 },
        ),
      )
    })
  },
  { name: 'graceful-shutdown' },
)
