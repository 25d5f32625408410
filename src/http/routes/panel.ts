import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { Readable } from 'node:stream'
import { z } from 'zod'
import { dimensions, endOf, JurisdictionKind, PartialDate, Slug, startOf } from '../../../events/index.js'
import type { LedgerReader } from '../../readModels/ledgerReader.js'
import { MAX_PERIODS, panelPeriods, panelText } from '../../readModels/panel.js'
import { Dimension, KnownAtQuery as KnownAt } from '../schemas.js'
import { knownAtPositionFor, type KnownAtDeps } from '../../readModels/knownAt.js'

/**
 * `GET /panel`: a panel of stances, one row per jurisdiction and period, CSV (RFC 4180, header row) or
 * NDJSON, streamed. `Ledger-Known-At-Position` says what it was computed at: repeat it with
 * `knownAt=<that>` for the same bytes, forever.
 */

export interface PanelRouteDeps extends KnownAtDeps {
  reader: LedgerReader
}

export function panelRoutes(context: PanelRouteDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>()
    app.get(
      '/panel',
      {
        config: {
          pinned: (request) => {
            const knownAt = (request.query as { knownAt?: unknown }).knownAt
            return typeof knownAt === 'object' && knownAt !== null && 'position' in knownAt
          },
          problems: ['invalid_known_at', 'not_yet_applied', 'store_unavailable'],
        },
        schema: {
          operationId: 'panel',
          summary: 'A panel of stances: one row per jurisdiction and period, CSV or NDJSON',
          description:
            'Each dimension’s value at the end (or start) of each period overlapping `from`..`to`, with what backs it and whether it is uncertain. Every cell equals `GET /jurisdictions/:id/stance?asOf=<date>&knownAt=<Ledger-Known-At-Position>`.',
          tags: ['stances'],
          querystring: z
            .strictObject({
              from: PartialDate,
              to: PartialDate,
              every: z.enum(['day', 'month', 'quarter', 'year']),
              at: z.enum(['end', 'start']).default('end'),
              format: z.enum(['csv', 'ndjson']).default('csv'),
              kind: JurisdictionKind.optional(),
              jurisdiction: Slug.optional(),
              dimension: Dimension.optional(),
              knownAt: KnownAt.optional(),
            })
            .superRefine((query, ctx) => {
              if (startOf(query.from) > endOf(query.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to is before from' })
              else if (query.every === 'day' && (Date.parse(endOf(query.to)) - Date.parse(startOf(query.from))) / 86_400_000 >= MAX_PERIODS) {
                ctx.addIssue({ code: 'custom', path: ['every'], message: `at most ${MAX_PERIODS} periods: ask for a coarser period or a shorter span` })
              }
            }),
        },
      },
      async (request, reply) => {
        const { from, to, every, at, format, kind, jurisdiction, dimension, knownAt } = request.query
        const knownAtPosition = await knownAtPositionFor(context, knownAt)
        const query = { from, to, every, at, kind, jurisdiction, dimensions: dimension === undefined ? dimensions : [dimension], knownAtPosition }
        reply.header('Ledger-Known-At-Position', String(knownAtPosition ?? ''))
        reply.header('Ledger-Periods', String(panelPeriods(query).length))
        reply.type(format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/x-ndjson; charset=utf-8')
        return reply.send(Readable.from(panelText(context.reader, query, format)))
      },
    )
  }
}
