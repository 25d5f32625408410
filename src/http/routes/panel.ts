import { panelCsvExample, panelExampleUrl, panelNdjsonExample } from '../answerExamples.js'
import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { Readable } from 'node:stream'
import { z } from 'zod'
import { dimensions } from '../../../events/index.js'
import type { LedgerReader } from '../../readModels/ledgerReader.js'
import { checkPanelSpan, panelPeriods, panelRequestFields, panelText } from '../../readModels/panel.js'
import { Dimension, KnownAtQuery as KnownAt } from '../schemas.js'
import { turnByTurn } from '../turnByTurn.js'
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
          answers: {
            description: `The panel, streamed: CSV (a header row, then one row per jurisdiction and period) or NDJSON (one object a line). The examples answer ${panelExampleUrl}.`,
            examples: { 'text/csv': panelCsvExample, 'application/x-ndjson': panelNdjsonExample },
          },
        },
        schema: {
          operationId: 'panel',
          summary: 'A panel of stances: one row per jurisdiction and period, CSV or NDJSON',
          description:
            'Each dimension’s value at the end (or start) of each period overlapping `from`..`to`, with what backs it and whether it is uncertain. Every cell equals `GET /jurisdictions/:id/stance?asOf=<date>&knownAt=<Ledger-Known-At-Position>`.',
          tags: ['stances'],
          querystring: z
            .strictObject({ ...panelRequestFields, dimension: Dimension.optional(), knownAt: KnownAt.optional() })
            .superRefine(checkPanelSpan),
        },
      },
      async (request, reply) => {
        const { from, to, every, at, format, kind, jurisdiction, dimension, knownAt } = request.query
        const knownAtPosition = await knownAtPositionFor(context, knownAt)
        const query = { from, to, every, at, kind, jurisdiction, dimensions: dimension === undefined ? dimensions : [dimension], knownAtPosition }
        reply.header('Ledger-Known-At-Position', String(knownAtPosition ?? ''))
        reply.header('Ledger-Periods', String(panelPeriods(query).length))
        reply.type(format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/x-ndjson; charset=utf-8')
        return reply.send(Readable.from(turnByTurn(panelText(context.reader, query, format))))
      },
    )
  }
}

