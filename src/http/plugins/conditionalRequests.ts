import type { FastifyInstance, onSendHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { encodedTag, matchingTag, NO_CACHE, type AnswerValidators } from '../answerValidators.js'

export interface ConditionalRequestsOptions {
  validators: AnswerValidators
}

/**
 * ETag and Cache-Control on every GET answer, and If-None-Match answered with a 304 before the handler
 * computes anything. Kept answers carry their own (responseCaching.ts). Registered after compression:
 * its onSend runs after @fastify/compress's (both are route hooks) and so sees the coding it chose.
 */
export const conditionalRequests = fp<ConditionalRequestsOptions>(
  async (app: FastifyInstance, { validators }) => {
    app.decorateRequest('validators', null)
    app.addHook('preHandler', async (request, reply) => {
      if (
        (request.method !== 'GET' && request.method !== 'HEAD') ||
        request.routeOptions.config.conditional === false
      )
        return
      const answer = validators(request)
      request.validators = answer
      const matched = matchingTag(request.headers['if-none-match'], answer.etag)
      if (matched !== undefined)
        return reply
          .code(304)
          .header('ETag', matched)
          .header('Cache-Control', answer.cacheControl)
          .send()
    })
    const tagAnswer: onSendHookHandler = (request, reply, payload, done) => {
      if (request.method === 'GET' || request.method === 'HEAD') {
        const answer = request.validators
        if (answer !== null && reply.statusCode === 200) {
          reply.header('ETag', answer.etag).header('Cache-Control', answer.cacheControl)
        } else if (!reply.hasHeader('Cache-Control')) {
          reply.header('Cache-Control', NO_CACHE)
        }
        const etag = reply.getHeader('ETag')
        const encoding = reply.getHeader('Content-Encoding')
        if (
          typeof etag === 'string' &&
          typeof encoding === 'string' &&
          encoding !== 'identity' &&
          reply.statusCode === 200
        ) {
          reply.header('ETag', encodedTag(etag, encoding))
        }
      }
      done(null, payload)
    }
    app.addHook('onRoute', (route) => {
      route.onSend = [...(route.onSend === undefined ? [] : [route.onSend].flat()), tagAnswer]
    })
  },
  { name: 'conditional-requests', dependencies: ['compression'] },
)

declare module 'fastify' {
  interface FastifyRequest {
    /** This answer's validators, once the route is known and the request valid. */
    validators: import('../answerValidators.js').Validators | null
  }
}
