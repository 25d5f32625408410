import { readFileSync } from 'node:fs'
import { pino } from 'pino'
import { compose, type Ledger } from '../../src/compose.js'
import { parseConfig } from '../../src/config/config.js'

export const WRITER_TOKEN = 'writer-token-0123456789'
export const READER_TOKEN = 'reader-token-0123456789'

export const authorised = { authorization: `Bearer ${WRITER_TOKEN}` }

type App = NonNullable<Ledger['app']>

/** `POST /events` with `events`, as the editor unless `headers` say otherwise; the answer as it is. */
export function postEvents(app: App, events: unknown[], headers: Record<string, string> = authorised) {
  return app.inject({ method: 'POST', url: '/events', headers, payload: { events } })
}

/** A whole ledger on an in-memory store (seeded unless told otherwise), with its HTTP app. */
export async function testLedger(
  env: Record<string, string> = {},
  options: { clock?: () => Date; seed?: boolean } = {},
): Promise<Ledger & { app: App }> {
  const config = parseConfig({
    LEDGER_STORE: 'sqlite::memory:',
    LEDGER_TOKENS: `editor:${WRITER_TOKEN}`,
    LEDGER_READ_TOKENS: undefined,
    ...env,
  })
  const ledger = await compose(config, {
    logger: pino({ level: 'silent' }),
    withApp: true,
    seed: options.seed ?? true,
    clock: options.clock ?? (() => new Date('2026-11-26T10:00:00.000Z')),
  })
  return ledger as Ledger & { app: App }
}

/** A seed claim's id by its key in data/seed/claims.ts. */
export { seedId } from '../../scripts/buildSeed.js'

const seedLines = readFileSync(new URL('../../data/seed.ndjson', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '')

/**
 * How many events the bundled seed holds: a freshly seeded ledger's size, and so the position of the
 * first write after it. test/data/seed.test.ts pins the number; other tests follow it.
 */
export const seedSize = seedLines.length

/** The seed's last position: `knownAt=<lastSeedPosition>` means the seed and nothing written after it. */
export const lastSeedPosition = seedSize - 1

/** The smallest seed-citing claim, kept here for the tests that import it from this file. */
export { pressStatement } from './eventBuilders.js'
