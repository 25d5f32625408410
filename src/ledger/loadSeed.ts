import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { LedgerError } from '../errors.js'
import { importEntries, type ImportEntriesDeps } from './importEntries.js'

/**
 * Loads the bundled seed when the store is empty or holds an exact prefix of it (an interrupted load),
 * and never otherwise: a store that already holds the whole seed, or other events, is left alone.
 */
export async function loadSeed(path: string, deps: ImportEntriesDeps, logger: Logger): Promise<{ written: number }> {
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '')
  const head = await deps.store.head()
  const comparable = Math.min(head, lines.length)
  const stored = comparable === 0 ? [] : await deps.store.readAll(0, comparable)
  const prefixMatches = stored.every((event, index) => event.entry === lines[index])
  if (!prefixMatches) {
    logger.info({ events: head }, 'the store holds events other than the seed: seed not loaded')
    return { written: 0 }
  }
  if (head >= lines.length) return { written: 0 }
  const started = Date.now()
  const result = await importEntries(lines, deps).catch((error: unknown) => {
    throw error instanceof LedgerError ? new LedgerError(error.code, `the bundled seed does not load: ${error.message}`, error.extra) : error
  })
  logger.info({ written: result.written, resumedAt: result.skipped, ms: Date.now() - started }, 'seed loaded')
  return { written: result.written }
}
