import { z } from 'zod'
import { endOf, isDimension, JurisdictionKind, PartialDate, Slug, startOf } from '../../events/index.js'
import { compose } from '../compose.js'
import type { Config } from '../config/config.js'
import { LedgerError } from '../errors.js'
import { checkKnownPosition, knownAtPositionFor, KnownAt, todayUtc } from '../readModels/knownAt.js'
import { createLogger } from './logger.js'
import { parseOptions } from './options.js'
import { textTable } from './table.js'

/**
 * `changes`: what `GET /changes` answers, as a table (or its JSON): the changes in valid time between
 * `--from` and `--to`, or since a position (`--since`: today's answers that differ). Runs beside a server.
 */
const Options = z
  .object({
    from: PartialDate.optional(),
    to: PartialDate.optional(),
    since: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    kind: JurisdictionKind.optional(),
    jurisdiction: Slug.optional(),
    dimension: z.string().refine(isDimension, 'not a dimension of the taxonomy').optional(),
    knownAt: KnownAt.optional(),
    json: z.boolean().optional(),
  })
  .superRefine((options, ctx) => {
    const validTime = options.from !== undefined || options.to !== undefined
    if (options.since !== undefined && validTime) ctx.addIssue({ code: 'custom', path: ['since'], message: 'either --since or --from and --to, not both' })
    else if (options.since === undefined && (options.from === undefined || options.to === undefined)) {
      ctx.addIssue({ code: 'custom', path: [options.from === undefined ? 'from' : 'to'], message: '--from and --to go together (valid time); or give --since <position> (record time)' })
    }
  })

const words = (name: string) => name.replaceAll('_', ' ')

export async function changesCommand(options: Record<string, unknown>, config: Config, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { from, to, since, kind, jurisdiction, dimension, knownAt, json } = parseOptions(Options, options)
  const ledger = await compose(config, { logger: createLogger('warn', 'stderr'), access: 'read' })
  try {
    const { reader } = ledger
    const knownAtPosition = await knownAtPositionFor(ledger, knownAt)
    if (since !== undefined) {
      await checkKnownPosition(since, ledger.runner.size, () => ledger.store.head())
      const changes = reader
        .changesSince(since, knownAtPosition ?? -1, todayUtc(() => new Date()))
        .filter(
          (change) =>
            (jurisdiction === undefined || change.jurisdictionId === jurisdiction) &&
            (dimension === undefined || change.dimension === dimension) &&
            (kind === undefined || reader.jurisdictionOf(change.jurisdictionId)?.kind === kind),
        )
      if (json === true) {
        out.write(`${JSON.stringify({ since, knownAtPosition, changes }, null, 2)}\n`)
        return 0
      }
      out.write(`Today's answers that changed after position ${since}, known at position ${knownAtPosition ?? 'none'}\n\n`)
      out.write(textTable(['jurisdiction', 'dimension', 'was', 'now', 'caused by'], changes.map((change) => [change.jurisdictionId, change.dimension, change.before, change.after, change.causedBy.join(', ')])))
      return 0
    }
    if (startOf(from!) > endOf(to!)) throw new LedgerError('invalid_request', '--to: before --from')
    const changes = reader.changesBetween({ from: from!, to: to!, knownAtPosition, jurisdiction, kind, dimension })
    if (json === true) {
      out.write(`${JSON.stringify({ from, to, knownAtPosition, changes }, null, 2)}\n`)
      return 0
    }
    out.write(`Changes from ${from} to ${to}, known at position ${knownAtPosition ?? 'none'}: ${changes.length}\n\n`)
    out.write(
      textTable(
        ['on', 'jurisdiction', 'dimension', 'change', 'backed by', 'claim'],
        changes.map((change) => [
          change.on + (change.uncertain ? ' (some day in it)' : ''),
          change.jurisdictionId,
          change.dimension,
          `${words(change.before)} -> ${words(change.after)}`,
          change.support,
          change.eventId,
        ]),
      ),
    )
    return 0
  } finally {
    await ledger.close()
  }
}
