import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { Slug, sourceStream } from '../../../events/index.js'
import { actorView, claimsCitingSource, sourceOf } from '../../../projections/index.js'
import { LedgerError } from '../../errors.js'
import type { LedgerView } from '../../../projections/ledgerView.js'
import type { EventStore } from '../../stores/eventStore.js'
import type { ResponseCache } from '../responseCache.js'

export interface SourceAndActorRouteDeps {
  store: Pick<EventStore, 'readStream'>
  view: () => LedgerView
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
          const view = context.view()
          const source = sourceOf(view, request.params.id)
          if (source === null) throw new LedgerError('not_found', `no source ${request.params.id}`)
          let content: string | undefined
          if (request.query.content === 'true') {
            // archived texts stay in the store, not in memory
            const [registration] = await context.store.readStream(sourceStream(request.params.id))
            content = (registration?.data as { content?: string } | undefined)?.content
          }
          return {
            ...source,
            ...(content === undefined ? {} : { content }),
            claims: claimsCitingSource(view, request.params.id),
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
          const actor = actorView(context.view(), request.params.id)
          if (actor === null) throw new LedgerError('not_found', `no actor ${request.params.id}`)
          return actor
        }),
    )
  }
}
