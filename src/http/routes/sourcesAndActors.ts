import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { Slug } from '../../../events/index.js'
import { LedgerError } from '../../errors.js'
import type { LedgerReader } from '../../readModels/ledgerReader.js'
import type { ResponseCache } from '../responseCache.js'

export interface SourceAndActorRouteDeps {
  reader: Pick<LedgerReader, 'sourceOf' | 'sourceContent' | 'claimsCitingSource' | 'actorView'>
  cache: ResponseCache
}

export function sourceAndActorRoutes(context: SourceAndActorRouteDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>()

    app.get(
      '/sources/:id',
      {
        config: { cacheable: true, problems: ['not_found', 'store_unavailable'] },
        schema: {
          operationId: 'getSource',
          summary: 'A source (with ?content=true its archived text) and every claim citing it',
          tags: ['stances'],
          params: z.strictObject({
            id: Slug.meta({ examples: ['abcnews-2016-11-17-cities-push-back'] }),
          }),
          querystring: z.strictObject({ content: z.enum(['true', 'false']).optional() }),
        },
      },
      async (request, reply) =>
        context.cache.send(request, reply, async () => {
          const { reader } = context
          const source = reader.sourceOf(request.params.id)
          if (source === null) throw new LedgerError('not_found', `no source ${request.params.id}`)
          const content = request.query.content === 'true' ? reader.sourceContent(request.params.id) : undefined
          return {
            ...source,
            ...(content === undefined ? {} : { content }),
            claims: reader.claimsCitingSource(request.params.id),
          }
        }),
    )

    app.get(
      '/actors/:id',
      {
        config: { cacheable: true, problems: ['not_found'] },
        schema: {
          operationId: 'getActor',
          summary: 'An actor (latest name and office seen) and their claims',
          tags: ['stances'],
          params: z.strictObject({ id: Slug.meta({ examples: ['jim-kenney'] }) }),
        },
      },
      async (request, reply) =>
        context.cache.send(request, reply, async () => {
          const actor = context.reader.actorView(request.params.id)
          if (actor === null) throw new LedgerError('not_found', `no actor ${request.params.id}`)
          return actor
        }),
    )
  }
}
