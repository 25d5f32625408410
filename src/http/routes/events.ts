import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { EventId } from '../../../events/index.js'
import { LedgerError, ruleCodes } from '../../errors.js'
import { CursorParam, encodeCursor, fitPage, Limit, pageStart, queryHash } from '../paging.js'
import type { EventStore, StoredEvent } from '../../stores/eventStore.js'
import type { RecordEvents } from '../../ledger/groupCommit.js'
import type { LedgerReader } from '../../readModels/ledgerReader.js'
import type { ProjectionRunner } from '../../runner/projectionRunner.js'
import type { Auth } from '../auth.js'
import { WriteRequest, WriteResponse, withIds } from '../../ledger/writeRequest.js'

function eventView(stored: StoredEvent) {
  return {
    id: stored.id,
    type: stored.type,
    stream: stored.stream,
    revision: stored.revision,
    position: stored.position,
    data: stored.data,
    metadata: stored.metadata,
  }
}

export interface EventRouteDeps {
  store: Pick<EventStore, 'readAll' | 'eventById'>
  runner: Pick<ProjectionRunner, 'size'>
  reader: Pick<LedgerReader, 'claimStatus'>
  auth: Pick<Auth, 'writer'>
  recordEvents: RecordEvents
  /** Write requests a minute per token; 0 turns the limit off. */
  writeRateLimit: number
}

export function eventRoutes(context: EventRouteDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>()

    app.post(
      '/events',
      {
        onRequest: async (request) => {
          request.writer = context.auth.writer(request.headers.authorization).name
        },
        config: {
          problems: [
            'expected_revision_misplaced',
            'invalid_string',
            'unauthorized',
            'forbidden',
            'writes_disabled',
            'body_too_large',
            'unsupported_media_type',
            'wrong_expected_revision',
            'idempotency_conflict',
            'rate_limited',
            ...ruleCodes,
            'partial_append',
            'duplicate_event_id',
            'store_full',
            'store_unavailable',
          ],
          rateLimit:
            context.writeRateLimit > 0
              ? { max: context.writeRateLimit, timeWindow: 60_000 }
              : false,
        },
        schema: {
          operationId: 'recordEvents',
          summary: 'Record 1 to 1 000 events',
          description:
            'Checked in this order: auth (Bearer token), schema, idempotency by id, expectedRevision, rules. All or nothing; 201 when something was written, 200 when every event was already recorded.',
          tags: ['events'],
          security: [{ bearer: [] }],
          body: WriteRequest,
          response: { 200: WriteResponse, 201: WriteResponse },
        },
      },
      async (request, reply) => {
        const outcome = await context.recordEvents(withIds(request.body.events, randomUUID), {
          recordedBy: request.writer ?? 'unknown',
          correlationId: request.id,
        })
        reply.code(outcome.allDuplicates ? 200 : 201)
        return { events: outcome.events }
      },
    )

    app.get(
      '/events',
      {
        config: { problems: ['store_unavailable'] },
        schema: {
          operationId: 'listEvents',
          summary: 'The event feed by position',
          description:
            'From after the position `after` (exclusive; from the start when omitted). `nextAfter` follows the growing log; `nextCursor` pages through it as it stood at the first page (null at its end).',
          tags: ['events'],
          querystring: z.strictObject({
            after: z.coerce.number().int().min(0).optional(),
            limit: Limit.optional(),
            cursor: CursorParam.optional(),
          }),
        },
      },
      async (request) => {
        const hash = queryHash('events', {})
        const { cursor, limit } = pageStart(request.query, hash)
        const after = (cursor?.a as number | undefined) ?? request.query.after
        const from = after === undefined ? 0 : after + 1
        // a cursor pins the end of the log as the first page saw it
        const end = cursor === undefined ? context.runner.size : cursor.k + 1
        const stored = from >= end ? [] : await context.store.readAll(from, Math.min(limit + 1, end - from))
        const page = fitPage(stored.map(eventView), limit)
        const last = page.items.at(-1)
        return {
          events: page.items,
          nextAfter: last?.position ?? after ?? null,
          nextCursor: page.more && last !== undefined ? encodeCursor({ q: hash, k: end - 1, a: last.position }) : null,
        }
      },
    )

    app.get(
      '/events/:id',
      {
        config: { problems: ['not_found', 'store_unavailable'] },
        schema: {
          operationId: 'getEvent',
          summary: 'One event, where it sits in the ledger, and for a claim its status',
          tags: ['events'],
          params: z.strictObject({ id: EventId }),
        },
      },
      async (request) => {
        const stored = await context.store.eventById(request.params.id)
        if (stored === undefined || stored.position >= context.runner.size) {
          throw new LedgerError('not_found', `no event ${request.params.id}`)
        }
        const metadata = stored.metadata as { recordedAt: string; recordedBy: string }
        return {
          ...eventView(stored),
          recordedAt: metadata.recordedAt,
          recordedBy: metadata.recordedBy,
          leafHash: stored.leafHash.toString('hex'),
          ...context.reader.claimStatus(stored.id),
        }
      },
    )
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    writer?: string
  }
}
