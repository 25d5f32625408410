import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { LedgerError } from '../errors.js'
import { DuplicateEventId, WrongExpectedRevision } from '../stores/eventStore.js'
import { importEntries, type ImportEntriesDeps } from './importEntries.js'

/**
 * Loads the bundled seed when the store is empty or holds an exact prefix of it (an interrupted load),
 * and never otherwise: a store that already holds the whole seed, or other events, is left alone.
 */
export async function loadSeed(path: string, deps: ImportEntriesDeps, logger: Logger): Promise<{ written: number }> {
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '')
  // replicas starting together race to load it: the loser sees the winner's events and looks again
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await loadOnce(lines, deps, logger)
    } catch (error) {
      const raced = error instanceof DuplicateEventId || error instanceof WrongExpectedRevision
      if (!raced || attempt >= 5) throw error
      logger.info({ attempt }, 'another process is loading the seed; catching up before looking again')
      await deps.runner.waitFor(await deps.store.head())
    }
  }
}

async function loadOnce(lines: string[], deps: ImportEntriesDeps, logger: Logger): Promise<{ written: number }> {
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
