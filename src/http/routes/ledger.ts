import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { Readable } from 'node:stream'
import { z } from 'zod'
import { EventId } from '../../../events/index.js'
import { LedgerError } from '../../errors.js'
import { checkQuote } from '../../ledger/checkQuote.js'
import type { LedgerReader } from '../../readModels/ledgerReader.js'
import type { LedgerLog } from '../../log/ledgerLog.js'
import type { EventStore } from '../../stores/eventStore.js'
import { Checkpoint, ConsistencyProof, InclusionProof } from '../schemas.js'

export const MAX_ENTRY_LINES = 10_000

const Size = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

export interface LedgerRouteDeps {
  store: Pick<EventStore, 'readAll' | 'eventById'>
  reader: Pick<LedgerReader, 'correctedClaim' | 'sourceOf' | 'sourceContent'>
  log: Pick<LedgerLog, 'latest' | 'tree'>
}

export function ledgerRoutes(context: LedgerRouteDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>()

    function latest() {
      const checkpoint = context.log.latest()
      if (checkpoint === undefined)
        throw new LedgerError('not_ready', 'no checkpoint is signed yet')
      return checkpoint
    }

    function inclusion(leafIndex: number, treeSize: number) {
      return {
        leafIndex,
        treeSize,
        auditPath: context.log.tree
          .inclusionProof(leafIndex, treeSize)
          .map((hash) => hash.toString('hex')),
      }
    }

    async function positionOf(eventId: string): Promise<number> {
      const stored = await context.store.eventById(eventId)
      if (stored === undefined || stored.position >= context.log.tree.size)
        throw new LedgerError('not_found', `no event ${eventId}`)
      return stored.position
    }

    app.get(
      '/ledger/checkpoint',
      {
        config: { problems: ['not_ready'] },
        schema: {
          operationId: 'getCheckpoint',
          summary: 'The latest signed checkpoint (C2SP signed note)',
          tags: ['ledger'],
          response: { 200: Checkpoint },
        },
      },
      async () => latest(),
    )

    app.get(
      '/ledger/entries',
      {
        // a closed range within the tree never changes (beyond the tree it is a 400)
        config: {
          pinned: (request) => (request.query as { end?: number }).end !== undefined,
          problems: ['invalid_tree_size', 'store_unavailable'],
        },
        schema: {
          operationId: 'getEntries',
          summary: 'The log’s entry lines (NDJSON): each line’s bytes are the leaf input',
          description:
            'Positions start (inclusive, default 0) to end (exclusive, default the tree size), at most 10 000 lines a response with Link rel="next" when cut.',
          tags: ['ledger'],
          querystring: z.strictObject({ start: Size.optional(), end: Size.optional() }),
        },
      },
      async (request, reply) => {
        const size = latest().treeSize
        const start = request.query.start ?? 0
        const end = request.query.end ?? size
        if (end > size)
          throw new LedgerError('invalid_tree_size', `end ${end} is beyond the tree size ${size}`)
        if (start > end)
          throw new LedgerError('invalid_tree_size', `start ${start} is after end ${end}`)
        const stop = Math.min(end, start + MAX_ENTRY_LINES)
        if (stop < end)
          reply.header('Link', `</ledger/entries?start=${stop}&end=${end}>; rel="next"`)
        const store = context.store
        async function* lines() {
          for (let from = start; from < stop;) {
            const batch = await store.readAll(from, Math.min(1_000, stop - from))
            if (batch.length === 0) return
            yield batch.map((event) => `${event.entry}\n`).join('')
            from = batch[batch.length - 1]!.position + 1
          }
        }
        reply.type('application/x-ndjson; charset=utf-8')
        return reply.send(Readable.from(lines()))
      },
    )

    app.get(
      '/ledger/proofs/inclusion',
      {
        config: {
          pinned: (request) => (request.query as { treeSize?: number }).treeSize !== undefined,
          problems: ['not_found', 'invalid_tree_size', 'store_unavailable'],
        },
        schema: {
          operationId: 'getInclusionProof',
          summary: 'An RFC 9162 inclusion proof for an event',
          tags: ['ledger'],
          querystring: z.strictObject({
            eventId: EventId.meta({ examples: ['0a50ea08-bdc9-51eb-a25a-fd52a3241795'] }),
            treeSize: Size.optional(),
          }),
          response: { 200: InclusionProof },
        },
      },
      async (request) => {
        const leafIndex = await positionOf(request.query.eventId)
        const size = latest().treeSize
        const treeSize = request.query.treeSize ?? size
        if (treeSize > size)
          throw new LedgerError(
            'invalid_tree_size',
            `treeSize ${treeSize} is beyond the latest checkpoint (${size})`,
          )
        if (leafIndex >= treeSize) {
          throw new LedgerError(
            'invalid_tree_size',
            `the event is at position ${leafIndex}, outside a tree of size ${treeSize}`,
          )
        }
        return inclusion(leafIndex, treeSize)
      },
    )

    app.get(
      '/ledger/proofs/consistency',
      {
        config: {
          pinned: (request) => (request.query as { second?: number }).second !== undefined,
          problems: ['invalid_tree_size'],
        },
        schema: {
          operationId: 'getConsistencyProof',
          summary: 'An RFC 9162 consistency proof between two tree sizes',
          tags: ['ledger'],
          querystring: z.strictObject({ first: Size, second: Size.optional() }),
          response: { 200: ConsistencyProof },
        },
      },
      async (request) => {
        const size = latest().treeSize
        const { first } = request.query
        const second = request.query.second ?? size
        if (first < 1 || first > second || second > size) {
          throw new LedgerError(
            'invalid_tree_size',
            `need 1 <= first <= second <= ${size} (the latest checkpoint); got first=${first}, second=${second}`,
          )
        }
        return {
          first,
          second,
          proof: context.log.tree
            .consistencyProof(first, second)
            .map((hash) => hash.toString('hex')),
        }
      },
    )

    app.get(
      '/events/:id/provenance',
      {
        config: { problems: ['not_found', 'store_unavailable'] },
        schema: {
          operationId: 'getProvenance',
          summary:
            'Where a claim came from: source and via chain, the quote re-checked, corrections, and its inclusion proof',
          tags: ['ledger'],
          params: z.strictObject({
            id: EventId.meta({ examples: ['0a50ea08-bdc9-51eb-a25a-fd52a3241795'] }),
          }),
        },
      },
      async (request) => {
        const checkpoint = latest()
        const { reader } = context
        const claim = reader.correctedClaim(request.params.id, checkpoint.treeSize - 1)
        if (claim === null) {
          await positionOf(request.params.id)
          throw new LedgerError(
            'not_found',
            `event ${request.params.id} is not a claim; GET /events/${request.params.id} and /ledger/proofs/inclusion cover every event`,
          )
        }
        const via = []
        const seen = new Set<string>()
        for (
          let id: string | undefined = claim.corrected.sourceId;
          id !== undefined && !seen.has(id);
        ) {
          seen.add(id)
          const source = reader.sourceOf(id)
          if (source === null) break
          via.push({
            sourceId: source.sourceId,
            kind: source.kind,
            title: source.title,
            publisher: source.publisher,
            url: source.url ?? null,
            publishedOn: source.publishedOn,
            contentSha256: source.contentSha256 ?? null,
            hasContent: source.hasContent,
          })
          id = source.via
        }
        const quote = claim.corrected.quote
        const quoteCheck =
          quote === undefined
            ? null
            : checkQuote(reader, claim.corrected.sourceId, quote)
        const stored = await context.store.eventById(claim.eventId)
        return {
          eventId: claim.eventId,
          type: claim.type,
          jurisdictionId: claim.jurisdictionId,
          status: claim.status,
          recorded: claim.recorded,
          corrected: claim.corrected,
          source: via[0] ?? null,
          via: via.slice(1),
          quote: quote === undefined ? null : { ...quote, ...quoteCheck },
          dateBasis: claim.corrected.dateBasis ?? null,
          recordedBy: claim.recordedBy,
          recordedAt: claim.recordedAt,
          position: claim.position,
          corrections: claim.corrections,
          retraction: claim.retraction,
          leafHash: stored?.leafHash.toString('hex') ?? null,
          inclusion: {
            ...inclusion(claim.position, checkpoint.treeSize),
            rootHash: checkpoint.rootHash,
            checkpoint,
          },
        }
      },
    )
  }
}
