import { readModels } from '../../projections/index.js'
import { compose } from '../compose.js'
import type { Config } from '../config/config.js'
import { LedgerError } from '../errors.js'
import { TREE_READ_MODEL } from '../log/persistedTree.js'
import { createLogger } from './logger.js'

/**
 * `rebuild [NAME…]`: drops read models (all of them by default) and folds the log into them again, as
 * a start does when a read model's version changed. Needs the store to itself, like any writer.
 */
export async function rebuildCommand(names: readonly string[], config: Config, out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const logger = createLogger(config.logLevel, 'stderr')
  const known = [...Object.keys(readModels), TREE_READ_MODEL]
  const unknown = names.filter((name) => !known.includes(name))
  if (unknown.length > 0) {
    throw new LedgerError('invalid_request', `no read model ${unknown.join(', ')}; the read models are ${known.join(', ')}`)
  }
  const started = performance.now()
  const ledger = await compose(config, { logger, access: 'write', rebuild: names.length === 0 ? known : names })
  try {
    const seconds = (performance.now() - started) / 1000
    const events = ledger.runner.size
    out(`rebuilt ${(names.length === 0 ? known : names).join(', ')} from ${events} events in ${seconds.toFixed(1)} s (${Math.round(events / Math.max(seconds, 0.001))} events/s)`)
    return 0
  } finally {
    await ledger.close()
  }
}
