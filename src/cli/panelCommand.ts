import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { z } from 'zod'
import { dimensions, isDimension } from '../../events/index.js'
import { compose } from '../compose.js'
import type { Config } from '../config/config.js'
import { knownAtPositionFor, KnownAt } from '../readModels/knownAt.js'
import { checkPanelSpan, panelRequestFields, panelText } from '../readModels/panel.js'
import { createLogger } from './logger.js'
import { parseOptions } from './options.js'

/** `panel`: the panel of stances to standard output, as `GET /panel` streams it; runs beside a server. */
const Options = z
  .object({
    ...panelRequestFields,
    dimension: z.string().refine(isDimension, 'not a dimension of the taxonomy').optional(),
    knownAt: KnownAt.optional(),
  })
  .superRefine(checkPanelSpan)

export async function panelCommand(options: Record<string, unknown>, config: Config, out: Writable = process.stdout, err: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<number> {
  const { from, to, every, at, format, kind, jurisdiction, dimension, knownAt } = parseOptions(Options, options)
  const ledger = await compose(config, { logger: createLogger('warn', 'stderr'), access: 'read' })
  try {
    const knownAtPosition = await knownAtPositionFor(ledger, knownAt)
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
