import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { JSON_TYPE, type ResponseCache } from '../responseCache.js'

export interface ResponseCachingOptions {
  cache: ResponseCache
}

/**
 * Serves a kept answer before validation and the handler run (its URL was valid when it was kept), for
 * the routes that say `config: { cacheable: true }` and fill the cache through `cache.send`. Registered
 * after read auth, so a kept answer stays behind the token.
 */
export const responseCaching = fp<ResponseCachingOptions>(
  async (app: FastifyInstance, { cache }) => {
    app.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'GET' || request.routeOptions.config.cacheable !== true) return
      const body = cache.lookup(request.url)
      if (body !== undefined) return reply.type(JSON_TYPE).send(body)
    })
  },
  { name: 'response-caching' },
)

declare module 'fastify' {
  interface FastifyContextConfig {
    /** GET answers of this route may be served from the response cache. */
    cacheable?: boolean
  }
}
