import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { articleSourceId, seedEvents, type SeedEvent } from '../data/seed/claims.js'
import { LedgerEvent, streamOf, type Quote } from '../events/index.js'
import { entryOf } from '../src/log/entry.js'
import { sha256Hex } from '../src/sha256Hex.js'
import { uuidV5 } from '../src/uuidV5.js'

/**
 * Builds data/seed.ndjson, the bundled seed's log entry lines, from its readable source
 * (data/seed/claims.ts) and the archived article: `npm run seed`. test/data/seed.test.ts keeps the
 * committed file equal to what this makes.
 */

/** Fixed for ever: every seed id derives from it, and so does the seed's Merkle root. */
const SEED_NAMESPACE = '9ac0a2c1-1384-4e2c-a570-a6aad46ca602'

export const seedMetadata = {
  recordedAt: '2026-11-20T12:00:00.000Z',
  recordedBy: 'seed',
  schemaVersion: 1,
} as const

/** A seed event's id: the version-5 UUID of its key. */
export function seedId(key: string): string {
  return uuidV5(SEED_NAMESPACE, key)
}

/** Pins a quote to its UTF-16 offsets in `text`: it must occur exactly once with its prefix and suffix. */
export function pinQuote(text: string, quote: Quote, key: string): Quote {
  const { exact, prefix = '', suffix = '' } = quote
  const starts: number[] = []
  for (let at = text.indexOf(exact); at !== -1; at = text.indexOf(exact, at + 1)) {
    const fits =
      at >= prefix.length &&
      text.startsWith(prefix, at - prefix.length) &&
      text.startsWith(suffix, at + exact.length)
    if (fits) starts.push(at)
  }
  if (starts.length !== 1) {
    const found = starts.length === 0 ? 'not found' : `found ${starts.length} times`
    throw new Error(`${key}: quote ${JSON.stringify(exact.slice(0, 60))} ${found} in the article`)
  }
  const start = starts[0]!
  return { ...quote, start, end: start + exact.length }
}

function complete(event: SeedEvent, articleText: string): LedgerEvent {
  // the key and the coding note belong to the seed's source, not to the ledger
  const { key, coding, ...authored } = event
  if (authored.type === 'SourceRegistered' && authored.data.sourceId === articleSourceId) {
    return {
      type: authored.type,
      data: { ...authored.data, content: articleText, contentSha256: sha256Hex(articleText) },
    }
  }
  if ('quote' in authored.data && authored.data.quote !== undefined) {
    return {
      ...authored,
      data: { ...authored.data, quote: pinQuote(articleText, authored.data.quote, key) },
    } as LedgerEvent
  }
  return authored
}

/** The seed's log entry lines, in ledger order. Every quote in the seed is pinned in the article. */
export function buildSeed(articleText: string): string[] {
  const keys = new Set<string>()
  return seedEvents.map((event) => {
    if (keys.has(event.key)) throw new Error(`${event.key}: the key appears twice, so would its id`)
    keys.add(event.key)
    const completed = complete(event, articleText)
    const checked = LedgerEvent.safeParse(completed)
    if (!checked.success) throw new Error(`${event.key}: ${checked.error.message}`)
    return entryOf({
      id: seedId(event.key),
      stream: streamOf(completed),
      type: completed.type,
      data: completed.data,
      metadata: seedMetadata,
    })
  })
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const article = readFileSync(
    new URL('../data/abcnews-2016-11-17-cities-push-back.txt', import.meta.url),
    'utf8',
  )
  const lines = buildSeed(article)
  writeFileSync(new URL('../data/seed.ndjson', import.meta.url), `${lines.join('\n')}\n`)
  console.log(`wrote ${lines.length} entries to data/seed.ndjson`)
}
