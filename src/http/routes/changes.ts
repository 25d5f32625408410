import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { JurisdictionKind, PartialDate, Slug } from '../../../events/index.js'
import { validTimeKey, type RecordedChange } from '../../../projections/index.js'
import { LedgerError } from '../../errors.js'
import type { LedgerReader } from '../../readModels/ledgerReader.js'
import { atomExample, atomExampleUrl } from '../answerExamples.js'
import { atomFeed } from '../atom.js'
import { CursorParam, encodeCursor, fitPage, Limit, pageStart, pinnedKnownAt, queryHash } from '../paging.js'
import type { ResponseCache } from '../responseCache.js'
import { Changes, Dimension, JurisdictionIdParams, KnownAtQuery as KnownAt } from '../schemas.js'
import { knownAtPositionFor, todayUtc, type KnownAtDeps } from '../../readModels/knownAt.js'

/**
 * What changed: in valid time (`from`/`to`: the points where a stance takes another value, as known
 * at `knownAt`), in record time (`since`: what a client that last looked at that position must
 * update), and as Atom feeds of the changes, newest recorded first.
 */

export interface ChangeRouteDeps extends KnownAtDeps {
  reader: Pick<LedgerReader, 'changeRows' | 'changesSince' | 'recordedChanges' | 'jurisdictionOf' | 'resolveKnownAt'>
  clock: () => Date
  cache: ResponseCache
  /** The log's origin: the authority of the feeds' tag: URIs. */
  origin: string
}

const Position = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

/** Entries a feed carries at most. */
export const FEED_ENTRIES = 100

/** A tag: URI authority is a DNS name: whatever else LEDGER_ORIGIN holds becomes a hyphen. */
function tagAuthority(origin: string): string {
  return origin.toLowerCase().replace(/[^a-z0-9.-]+/g, '-') || 'policy-ledger'
}

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`
}

export function changeRoutes(context: ChangeRouteDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>()

    app.get(
      '/changes',
      {
        config: {
          cacheable: true,
          pinned: (request) => {
            const query = request.query as { knownAt?: unknown; since?: unknown; from?: unknown; to?: unknown; cursor?: unknown }
            const position = typeof query.knownAt === 'object' && query.knownAt !== null && 'position' in query.knownAt
            return query.cursor !== undefined || (position && (query.since !== undefined || (query.from !== undefined && query.to !== undefined)))
          },
          problems: ['invalid_known_at', 'invalid_cursor', 'not_yet_applied', 'store_unavailable'],
        },
        schema: {
          operationId: 'listChanges',
          summary: 'What changed: in valid time between two dates, or in record time since a position',
          description:
            'With `from` and `to` (partial dates, inclusive): every point where a jurisdiction’s value for a dimension changed, as known at `knownAt`, ordered by `on` then position; a reaffirmation of the value in force is no change. With `since` (a position): each dimension whose answer today is different now from what it was as known at `since`, with the events that made the difference; the next call uses `since=<knownAtPosition>`.',
          tags: ['stances'],
          response: { 200: Changes },
          querystring: z
            .strictObject({
              from: PartialDate.optional().meta({ description: 'valid time: the first day (a partial date: 2016, 2016-01 or 2016-01-01), with to', examples: ['2016-01-01'] }),
              to: PartialDate.optional().meta({ description: 'valid time: the last day, inclusive, with from', examples: ['2016-12-31'] }),
              since: Position.optional().meta({ description: 'record time: a position a client last looked at (instead of from and to)', examples: [50] }),
              jurisdiction: Slug.optional().meta({ examples: ['us-pa-philadelphia'] }),
              kind: JurisdictionKind.optional().meta({ examples: ['city'] }),
              dimension: Dimension.optional(),
              knownAt: KnownAt.optional(),
              limit: Limit.optional(),
              cursor: CursorParam.optional(),
            })
            .superRefine((query, ctx) => {
              if (query.since !== undefined) {
                if (query.from !== undefined || query.to !== undefined) {
                  ctx.addIssue({ code: 'custom', path: ['since'], message: 'since (record time) or from and to (valid time), not both' })
                }
              } else if (query.from === undefined || query.to === undefined) {
                ctx.addIssue({
                  code: 'custom',
                  path: [query.from === undefined ? 'from' : 'to'],
                  message: 'from and to go together (valid time); or ask since=<position> (record time)',
                })
              } else if (validTimeKey(query.from) > validTimeKey(query.to) + 3) {
                ctx.addIssue({ code: 'custom', path: ['to'], message: 'to is before from' })
              }
            }),
        },
      },
      async (request, reply) =>
        context.cache.send(request, reply, async () => {
          const { from, to, since, jurisdiction, kind, dimension, knownAt } = request.query
          const hash = queryHash('changes', { from, to, since, jurisdiction, kind, dimension })
          const { cursor, limit } = pageStart(request.query, hash)
          const knownAtPosition = await knownAtPositionFor(context, pinnedKnownAt(cursor) ?? knownAt)
          if (since !== undefined) {
            // since must be a position this replica has: the same check as knownAt's
            await knownAtPositionFor(context, { position: since })
            const after = cursor?.a as [string, string] | undefined
            const all = context.reader
              .changesSince(
                since,
                knownAtPosition ?? -1,
                cursor?.d ?? todayUtc(context.clock),
                after === undefined ? { limit: limit + 1 } : { after: { jurisdictionId: after[0], dimension: after[1] }, limit: limit + 1 },
              )
              .filter(
                (change) =>
                  (jurisdiction === undefined || change.jurisdictionId === jurisdiction) &&
                  (dimension === undefined || change.dimension === dimension) &&
                  (kind === undefined || context.reader.jurisdictionOf(change.jurisdictionId)?.kind === kind),
              )
            const page = fitPage(all, limit)
            const last = page.items.at(-1)
            return {
              since,
              knownAtPosition,
              changes: page.items,
              nextCursor:
                page.more && last !== undefined
                  ? encodeCursor({ q: hash, k: knownAtPosition ?? -1, d: cursor?.d ?? todayUtc(context.clock), a: [last.jurisdictionId, last.dimension] })
                  : null,
            }
          }
          const after = cursor?.a as [number, number, string] | undefined
          const rows = context.reader.changeRows(
            { from: from!, to: to!, knownAtPosition, jurisdiction, kind, dimension },
            after === undefined ? { limit: limit + 1 } : { after: { key: after[0], position: after[1], dimension: after[2] }, limit: limit + 1 },
          )
          const page = fitPage(
            rows.map((row) => row.change),
            limit,
          )
          const last = rows[page.items.length - 1]?.key
          return {
            from,
            to,
            knownAtPosition,
            changes: page.items,
            nextCursor: page.more && last !== undefined ? encodeCursor({ q: hash, k: knownAtPosition ?? -1, a: [last.key, last.position, last.dimension] }) : null,
          }
        }),
    )

    const feed = (request: FastifyRequest, changes: RecordedChange[], scope: { id: string; title: string; self: string; alternate: string }) => {
      const base = baseUrl(request)
      const authority = tagAuthority(context.origin)
      return atomFeed({
        id: `tag:${authority},2026:${scope.id}`,
        title: scope.title,
        self: `${base}${scope.self}`,
        alternate: `${base}${scope.alternate}`,
        updated: changes[0]?.recordedAt ?? context.clock().toISOString(),
        author: context.origin,
        entries: changes.map((change) => ({
          id: `tag:${authority},2026:change/${change.eventId}/${change.dimension}`,
          title: `${change.jurisdictionId}: ${change.dimension.replaceAll('_', ' ')} ${change.before.replaceAll('_', ' ')} → ${change.after.replaceAll('_', ' ')} (${change.on})`,
          updated: change.recordedAt,
          link: `${base}/ui/events/${change.eventId}`,
          summary: `From ${change.on}${change.uncertain ? ' (a date known only to the month or year)' : ''}, ${change.jurisdictionId}'s ${change.dimension.replaceAll('_', ' ')} is ${change.after.replaceAll('_', ' ')}, no longer ${change.before.replaceAll('_', ' ')}; backed by ${change.support === 'policy' ? 'a policy' : 'statements only'}; source ${change.sourceId}; recorded at ledger position ${change.position}.`,
          categories: [change.jurisdictionId, change.dimension, change.support],
        })),
      })
    }

    app.get(
      '/changes.atom',
      {
        config: {
          cacheable: true,
          problems: [],
          answers: {
            description: `An Atom 1.0 feed (RFC 4287): an entry per change in any jurisdiction, newest recorded first, at most 100. The example is one jurisdiction’s feed (${atomExampleUrl}), of the same form`,
            examples: { 'application/atom+xml': atomExample },
          },
        },
        schema: { operationId: 'changesFeed', summary: 'The ledger’s changes as an Atom feed, newest recorded first', tags: ['stances'] },
      },
      async (request, reply) =>
        context.cache.send(
          request,
          reply,
          async () =>
            feed(request, context.reader.recordedChanges(undefined, FEED_ENTRIES), {
              id: 'changes',
              title: 'policy-ledger: what changed',
              self: '/changes.atom',
              alternate: '/',
            }),
          ATOM_TYPE,
        ),
    )

    app.get(
      '/jurisdictions/:id/changes.atom',
      {
        config: {
          cacheable: true,
          problems: ['not_found'],
          answers: { description: `An Atom 1.0 feed (RFC 4287) of the jurisdiction’s changes, newest recorded first, at most 100; the example answers ${atomExampleUrl}`, examples: { 'application/atom+xml': atomExample } },
        },
        schema: {
          operationId: 'jurisdictionChangesFeed',
          summary: 'A jurisdiction’s changes as an Atom feed, newest recorded first',
          tags: ['stances'],
          params: JurisdictionIdParams,
        },
      },
      async (request, reply) =>
        context.cache.send(
          request,
          reply,
          async () => {
            const jurisdiction = context.reader.jurisdictionOf(request.params.id)
            if (jurisdiction === null) throw new LedgerError('not_found', `no jurisdiction ${request.params.id}`)
            return feed(request, context.reader.recordedChanges(jurisdiction.jurisdictionId, FEED_ENTRIES), {
              id: `changes/${jurisdiction.jurisdictionId}`,
              title: `policy-ledger: what changed in ${jurisdiction.name}`,
              self: `/jurisdictions/${jurisdiction.jurisdictionId}/changes.atom`,
              alternate: `/ui/jurisdictions/${jurisdiction.jurisdictionId}`,
            })
          },
          ATOM_TYPE,
        ),
    )
  }
}

export const ATOM_TYPE = 'application/atom+xml; charset=utf-8'
