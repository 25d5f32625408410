import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { matchingTag } from '../answerValidators.js'
import type { ResponseCache } from '../responseCache.js'

export interface ResponseCachingOptions {
  cache: ResponseCache
}

/**
 * Serves a kept answer before validation and the handler run (its URL was valid when it was kept), for
 * the routes that say `config: { cacheable: true }` and fill the cache through `cache.send`: a map
 * lookup and the headers computed when it was kept, or a 304 when the client already holds it.
 * Registered after read auth, so a kept answer stays behind the token.
 */
export const responseCaching = fp<ResponseCachingOptions>(
  async (app: FastifyInstance, { cache }) => {
    // a callback hook that answers without calling done: no promise on the hottest path
    app.addHook('onRequest', (request, reply, done) => {
      if (request.method !== 'GET' || request.routeOptions.config.cacheable !== true) return done()
      const answer = cache.lookup(request.url)
      if (answer === undefined) return done()
      const matched =
        answer.etag === undefined
          ? undefined
          : matchingTag(request.headers['if-none-match'], answer.etag)
      if (matched === undefined) {
        cache.sendAnswer(request, reply, answer)
        return
      }
      reply.code(304).header('ETag', matched).header('Cache-Control', answer.cacheControl).send()
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
