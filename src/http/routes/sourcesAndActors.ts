import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { Slug } from '../../../events/index.js'
import type { ClaimView } from '../../../projections/index.js'
import { LedgerError } from '../../errors.js'
import { CursorParam, encodeCursor, fitPage, Limit, pageStart, pinnedKnownAt, queryHash } from '../paging.js'
import { knownAtPositionFor, type KnownAtDeps } from '../../readModels/knownAt.js'
import type { LedgerReader } from '../../readModels/ledgerReader.js'
import type { ResponseCache } from '../responseCache.js'

export interface SourceAndActorRouteDeps {
  reader: Pick<LedgerReader, 'sourceOf' | 'sourceContent' | 'claimsCitingSource' | 'actorView' | 'resolveKnownAt'>
  runner: KnownAtDeps['runner']
  store: KnownAtDeps['store']
  cache: ResponseCache
}

/** The cursor after a page of claims in position order. */
function nextCursorOf(page: { items: ClaimView[]; more: boolean }, hash: string, knownAtPosition: number | null): string | null {
  const last = page.items.at(-1)
  return page.more && last !== undefined ? encodeCursor({ q: hash, k: knownAtPosition ?? -1, a: last.position }) : null
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
          querystring: z.strictObject({
            content: z.enum(['true', 'false']).optional(),
            limit: Limit.optional(),
            cursor: CursorParam.optional(),
          }),
        },
      },
      async (request, reply) =>
        context.cache.send(request, reply, async () => {
          const { reader } = context
          const source = reader.sourceOf(request.params.id)
          if (source === null) throw new LedgerError('not_found', `no source ${request.params.id}`)
          const content = request.query.content === 'true' ? reader.sourceContent(request.params.id) : undefined
          const hash = queryHash(`source ${request.params.id}`, {})
          const { cursor, limit } = pageStart(request.query, hash)
          const knownAtPosition = await knownAtPositionFor(context, pinnedKnownAt(cursor))
          const page = fitPage(
            reader.claimsCitingSource(request.params.id, knownAtPosition, { after: cursor?.a as number | undefined, limit: limit + 1 }),
            limit,
          )
          return {
            ...source,
            ...(content === undefined ? {} : { content }),
            claims: page.items,
            nextCursor: nextCursorOf(page, hash, knownAtPosition),
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
          querystring: z.strictObject({ limit: Limit.optional(), cursor: CursorParam.optional() }),
        },
      },
      async (request, reply) =>
        context.cache.send(request, reply, async () => {
          const hash = queryHash(`actor ${request.params.id}`, {})
          const { cursor, limit } = pageStart(request.query, hash)
          const knownAtPosition = await knownAtPositionFor(context, pinnedKnownAt(cursor))
          const actor = context.reader.actorView(request.params.id, knownAtPosition, { after: cursor?.a as number | undefined, limit: limit + 1 })
          if (actor === null) throw new LedgerError('not_found', `no actor ${request.params.id}`)
          const page = fitPage(actor.claims, limit)
          return { ...actor, claims: page.items, nextCursor: nextCursorOf(page, hash, knownAtPosition) }
        }),
    )
  }
}
