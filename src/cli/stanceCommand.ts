import { compose } from '../compose.js'
import type { Config } from '../config/config.js'
import { LedgerError } from '../errors.js'
import { AsOf, knownAtPositionFor, KnownAt, todayUtc } from '../readModels/knownAt.js'
import { createLogger } from './logger.js'
import { textTable } from './table.js'

/** Prints a jurisdiction's stance per dimension as a table (or the API's JSON with --json). */
export async function stanceCommand(
  jurisdictionId: string,
  options: { asOf?: string; knownAt?: string; json?: boolean },
  config: Config,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const asOf = options.asOf ?? todayUtc(() => new Date())
  if (!AsOf.safeParse(asOf).success) throw new LedgerError('invalid_request', `--as-of: expected YYYY-MM-DD, got ${asOf}`)
  const knownAt = options.knownAt === undefined ? undefined : KnownAt.safeParse(options.knownAt)
  if (knownAt !== undefined && !knownAt.success) throw new LedgerError('invalid_request', `--known-at: ${knownAt.error.issues[0]?.message}`)
  const ledger = await compose(config, { logger: createLogger('warn', 'stderr'), access: 'read' })
  try {
    const { reader } = ledger
    const jurisdiction = reader.jurisdictionOf(jurisdictionId)
    if (jurisdiction === null) throw new LedgerError('not_found', `no jurisdiction ${jurisdictionId}`)
    const answer = reader.stanceAnswer(jurisdictionId, asOf, await knownAtPositionFor(ledger, knownAt?.data))
    if (options.json === true) {
      out.write(`${JSON.stringify(answer, null, 2)}\n`)
      return 0
    }
    out.write(`${jurisdiction.name} (${jurisdictionId}) as of ${asOf}, known at position ${answer.knownAtPosition ?? 'none'}\n\n`)
    const rows = Object.entries(answer.stance).map(([dimension, s]) => [
      dimension,
      s.value + (s.uncertain ? ' (uncertain)' : ''),
      s.since ?? '',
      s.lastAffirmedOn ?? '',
      String(s.basisCount),
      s.sources.join(', '),
      s.support ?? '',
    ])
    out.write(textTable(['dimension', 'value', 'since', 'last affirmed', 'claims', 'sources', 'backed by'], rows))
    return 0
  } finally {
    await ledger.close()
  }
}
