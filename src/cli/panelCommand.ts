import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { z } from 'zod'
import { dimensions, endOf, isDimension, JurisdictionKind, PartialDate, Slug, startOf } from '../../events/index.js'
import { compose } from '../compose.js'
import type { Config } from '../config/config.js'
import { LedgerError } from '../errors.js'
import { checkKnownPosition, KnownAt } from '../http/readContext.js'
import { panelText } from '../readModels/panel.js'
import { createLogger } from './logger.js'
import { parseOptions } from './options.js'

/** `panel`: the panel of stances to standard output, as `GET /panel` streams it; runs beside a server. */
const Options = z.object({
  from: PartialDate,
  to: PartialDate,
  every: z.enum(['day', 'month', 'quarter', 'year']),
  at: z.enum(['end', 'start']).default('end'),
  format: z.enum(['csv', 'ndjson']).default('csv'),
  kind: JurisdictionKind.optional(),
  jurisdiction: Slug.optional(),
  dimension: z.string().refine(isDimension, 'not a dimension of the taxonomy').optional(),
  knownAt: KnownAt.optional(),
})

export async function panelCommand(options: Record<string, unknown>, config: Config, out: Writable = process.stdout, err: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<number> {
  const { from, to, every, at, format, kind, jurisdiction, dimension, knownAt } = parseOptions(Options, options)
  if (startOf(from) > endOf(to)) throw new LedgerError('invalid_request', '--to: before --from')
  const ledger = await compose(config, { logger: createLogger('warn', 'stderr'), access: 'read' })
  try {
    if (knownAt !== undefined && 'position' in knownAt) await checkKnownPosition(knownAt.position, ledger.runner.size, () => ledger.store.head())
    const knownAtPosition = ledger.reader.resolveKnownAt(knownAt)
    const query = { from, to, every, at, kind, jurisdiction, dimensions: dimension === undefined ? dimensions : [dimension], knownAtPosition }
    for (const chunk of panelText(ledger.reader, query, format)) {
      if (!out.write(chunk)) await once(out, 'drain')
    }
    err(`panel as known at position ${knownAtPosition ?? 'none'} (repeat with --known-at ${knownAtPosition ?? 0} for the same rows)`)
    return 0
  } finally {
    await ledger.close()
  }
}
