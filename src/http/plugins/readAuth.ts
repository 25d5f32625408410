import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Auth } from '../auth.js'

export interface ReadAuthOptions {
  auth: Pick<Auth, 'readsArePrivate' | 'reader'>
}

/** Routes a probe or a client resolving a problem type must reach without a token. */
const open = new Set(['/health', '/ready', '/problems', '/problems/:type'])

/**
 * With read tokens configured, every route but the open ones needs a read or write token. Writes check
 * their own (stricter) token in the route; a CORS preflight never carries one, and answers no data.
 */
export const readAuth = fp<ReadAuthOptions>(
  async (app: FastifyInstance, { auth }) => {
    if (!auth.readsArePrivate) return
    app.addHook('onRequest', (request, _reply, done) => {
      if (request.method === 'POST' || request.method === 'OPTIONS') return done()
      const route = request.routeOptions.url
      if (route !== undefined && open.has(route)) return done()
      try {
        auth.reader(request.headers.authorization)
      } catch (error) {
        return done(error as Error)
      }
      done()
    })
  },
  { name: 'read-auth' },
)
