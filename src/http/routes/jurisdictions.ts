import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { JurisdictionKind, PartialDate, UNKNOWN, allowedValues } from '../../../events/index.js'
import { validTimeKey } from '../../../projections/index.js'
import { LedgerError } from '../../errors.js'
import { CursorParam, encodeCursor, fitPage, Limit, pageStart, pinnedKnownAt, queryHash } from '../paging.js'
import type { LedgerReader } from '../../readModels/ledgerReader.js'
import type { EventStore } from '../../stores/eventStore.js'
import type { ResponseCache } from '../responseCache.js'
import { pinsBothClocks } from '../answerValidators.js'
import {
  AsOfQuery as AsOf,
  Dimension,
  JurisdictionIdParams,
  JurisdictionList,
  KnownAtQuery as KnownAt,
  StanceAnswer,
  Support,
} from '../schemas.js'
import { knownAtPositionFor, todayUtc } from '../../readModels/knownAt.js'

export interface JurisdictionRouteDeps {
  store: Pick<EventStore, 'head'>
  reader: Pick<LedgerReader, 'jurisdictionOf' | 'listJurisdictions' | 'jurisdictionCount' | 'designationsOf' | 'stanceAnswer' | 'historyOf' | 'resolveKnownAt'>
  runner: { readonly size: number }
  clock: () => Date
  cache: ResponseCache
}

export function jurisdictionRoutes(context: JurisdictionRouteDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>()
    const Params = JurisdictionIdParams

    function registered(id: string) {
      const jurisdiction = context.reader.jurisdictionOf(id)
      if (jurisdiction === null) throw new LedgerError('not_found', `no jurisdiction ${id}`)
      return jurisdiction
    }

    app.get(
      '/jurisdictions',
      {
        config: {
          cacheable: true,
          pinned: pinsBothClocks,
          problems: ['invalid_known_at', 'not_yet_applied', 'store_unavailable'],
        },
        schema: {
          operationId: 'listJurisdictions',
          summary: 'Jurisdictions with their stance value per dimension',
          description:
            'Filter with dimension and value together: which cities declined detainers as of 2017-06-30? (`dimension=detainer_hold&value=decline_all&asOf=2017-06-30`). Add `support=policy` to count only values an enacted policy backs, not words alone.',
          tags: ['stances'],
          response: { 200: JurisdictionList },
          querystring: z
            .strictObject({
              kind: JurisdictionKind.optional(),
              dimension: Dimension.optional(),
              value: z.string().max(100).optional(),
              support: Support.optional(),
              asOf: AsOf.optional(),
              knownAt: KnownAt.optional(),
              limit: Limit.optional(),
              cursor: CursorParam.optional(),
            })
            .superRefine((query, ctx) => {
              if (query.support !== undefined && query.value === undefined) {
                ctx.addIssue({ code: 'custom', path: ['support'], message: 'support filters together with dimension and value' })
              }
              if ((query.dimension === undefined) !== (query.value === undefined)) {
                ctx.addIssue({
                  code: 'custom',
                  path: [query.dimension === undefined ? 'dimension' : 'value'],
                  message: 'dimension and value filter together',
                })
              } else if (query.dimension !== undefined && query.value !== undefined) {
                const values = [...allowedValues(query.dimension), UNKNOWN]
                if (!values.includes(query.value)) {
                  ctx.addIssue({
                    code: 'custom',
                    path: ['value'],
                    message: `expected one of ${values.join(', ')}`,
                  })
                }
              }
            }),
        },
      },
      async (request, reply) =>
        context.cache.send(request, reply, async () => {
          const { kind, dimension, value, support, knownAt } = request.query
          const hash = queryHash('jurisdictions', { kind, dimension, value, support })
          const { cursor, limit } = pageStart(request.query, hash)
          const knownAtPosition = await knownAtPositionFor(context, pinnedKnownAt(cursor) ?? knownAt)
          const asOf = cursor?.d ?? request.query.asOf ?? todayUtc(context.clock)
          const list = context.reader.listJurisdictions(
            { kind, dimension, value, support, asOf, knownAtPosition },
            { after: cursor?.a as string | undefined, limit: limit + 1 },
          )
          const page = fitPage(list.jurisdictions, limit)
          const last = page.items.at(-1)
          return {
            asOf,
            knownAtPosition,
            jurisdictions: page.items,
            ...(value === undefined && { total: context.reader.jurisdictionCount(kind, knownAtPosition) }),
            nextCursor:
              page.more && last !== undefined
                ? encodeCursor({ q: hash, k: knownAtPosition ?? -1, d: asOf, a: last.jurisdictionId })
                : null,
          }
        }),
    )

    app.get(
      '/jurisdictions/:id',
      {
        config: { cacheable: true, problems: ['not_found'] },
        schema: {
          operationId: 'getJurisdiction',
          summary: 'A jurisdiction: registered fields, designations and today’s stance',
          tags: ['stances'],
          params: Params,
        },
      },
      async (request, reply) =>
        context.cache.send(request, reply, async () => {
          const jurisdiction = registered(request.params.id)
          const knownAtPosition = await knownAtPositionFor(context, undefined)
          const { eventId: _eventId, position: _position, ...fields } = jurisdiction
          return {
            ...fields,
            designations: context.reader.designationsOf(jurisdiction.jurisdictionId, knownAtPosition),
            ...context.reader.stanceAnswer(
              jurisdiction.jurisdictionId,
              todayUtc(context.clock),
              knownAtPosition,
            ),
          }
        }),
    )

    app.get(
      '/jurisdictions/:id/stance',
      {
        config: {
          cacheable: true,
          pinned: pinsBothClocks,
          problems: ['not_found', 'invalid_known_at', 'not_yet_applied', 'store_unavailable'],
        },
        schema: {
          operationId: 'getStance',
          summary: 'The stance per dimension as of a date, as known at a moment',
          description:
            'Valid time `asOf` (default today, UTC) and record time `knownAt` (default everything). Every dimension of the taxonomy is present; `unknown` when nothing is recorded.',
          tags: ['stances'],
          params: Params,
          querystring: z.strictObject({ asOf: AsOf.optional(), knownAt: KnownAt.optional() }),
          response: { 200: StanceAnswer },
        },
      },
      async (request, reply) =>
        context.cache.send(request, reply, async () => {
          const jurisdiction = registered(request.params.id)
          const knownAtPosition = await knownAtPositionFor(context, request.query.knownAt)
          return context.reader.stanceAnswer(
            jurisdiction.jurisdictionId,
            request.query.asOf ?? todayUtc(context.clock),
            knownAtPosition,
          )
        }),
    )

    app.get(
      '/jurisdictions/:id/history',
      {
        config: {
          cacheable: true,
          problems: ['not_found', 'invalid_known_at', 'not_yet_applied', 'store_unavailable'],
        },
        schema: {
          operationId: 'getHistory',
          summary: 'The claims in valid-time order, with status, corrections and retraction',
          description: '`from`/`to` are partial dates, inclusive, matching overlapping periods.',
          tags: ['stances'],
          params: Params,
          querystring: z.strictObject({
            dimension: Dimension.optional(),
            from: PartialDate.optional(),
            to: PartialDate.optional(),
            knownAt: KnownAt.optional(),
            limit: Limit.optional(),
            cursor: CursorParam.optional(),
          }),
        },
      },
      async (request, reply) =>
        context.cache.send(request, reply, async () => {
          const jurisdiction = registered(request.params.id)
          const { dimension, from, to, knownAt } = request.query
          const hash = queryHash(`history ${jurisdiction.jurisdictionId}`, { dimension, from, to })
          const { cursor, limit } = pageStart(request.query, hash)
          const knownAtPosition = await knownAtPositionFor(context, pinnedKnownAt(cursor) ?? knownAt)
          const [key, position] = (cursor?.a as [number, number] | undefined) ?? []
          const history = context.reader.historyOf(
            jurisdiction.jurisdictionId,
            { dimension, from, to, knownAtPosition },
            { after: key === undefined ? undefined : { key, position: position! }, limit: limit + 1 },
          )
          const page = fitPage(history.claims, limit)
          const last = page.items.at(-1)
          return {
            ...history,
            claims: page.items,
            nextCursor:
              page.more && last !== undefined
                ? encodeCursor({ q: hash, k: knownAtPosition ?? -1, a: [validTimeKey(last.on), last.position] })
                : null,
          }
        }),
    )
  }
}
