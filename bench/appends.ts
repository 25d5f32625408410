/**
 * What the append measurements write: new `StatementMade` claims about jurisdictions of the loaded
 * dataset, citing its sources that have no archived content (so no quote needs checking), each with a
 * fresh id (a repeated id would be an idempotent no-op, not a write), dated 2024-05 unless told
 * otherwise (the as-of measurement dates them in the past, inside the timelines it reads). The raw
 * baselines store the same rows: bench/capture.ts records what the ledger writes for these claims.
 */
import { randomUUID } from 'node:crypto'
import { streamOf, type StatementMade } from '../events/index.js'
import { entryOf, leafHash } from '../src/log/entry.js'
import type { DatasetInfo } from './dataset.js'

export interface AppendTarget {
  jurisdictions: string[]
  sources: string[]
}

export function appendTarget(dataset: DatasetInfo): AppendTarget {
  const jurisdictions = dataset.sampleJurisdictions.map((j) => j.id)
  if (jurisdictions.length === 0 || dataset.plainSources.length === 0) throw new Error(`dataset ${dataset.name} has nothing to append claims to`)
  return { jurisdictions, sources: dataset.plainSources }
}

const VALUES = [
  ['detainer_hold', 'judicial_warrant_only'],
  ['detainer_hold', 'serious_crimes_only'],
  ['declared_status', 'sanctuary'],
  ['release_notification', 'none'],
  ['information_sharing', 'restricted'],
] as const

export interface ClaimOptions {
  /** The claims' `on` dates (default 2024-05-01 … 2024-05-28, round-robin). */
  on?: () => string
}

/** An event generator: round-robin over jurisdictions, sources and stances, new uuid every time. */
export function claimMaker(target: AppendTarget, options: ClaimOptions = {}): () => { id: string; type: 'StatementMade'; data: StatementMade } {
  let n = 0
  return () => {
    n += 1
    const jurisdictionId = target.jurisdictions[n % target.jurisdictions.length]!
    const [dimension, value] = VALUES[n % VALUES.length]!
    const on = options.on?.() ?? `2024-05-${String(1 + (n % 28)).padStart(2, '0')}`
    return {
      id: randomUUID(),
      type: 'StatementMade',
      data: {
        jurisdictionId,
        actor: { id: 'bench-press-office', name: 'Benchmark Press Office', office: `Press Office of ${jurisdictionId}` },
        on,
        summary: `The press office said that ${jurisdictionId} keeps ${dimension.replaceAll('_', ' ')} at ${value.replaceAll('_', ' ')} (benchmark write ${n}).`,
        sourceId: target.sources[n % target.sources.length]!,
        stances: [{ dimension, value }],
      },
    }
  }
}

/** The JSON body of `POST /events` with `count` fresh events. */
export function postBodyMaker(target: AppendTarget, count: number, options: ClaimOptions = {}): () => string {
  const make = claimMaker(target, options)
  return () => JSON.stringify({ events: Array.from({ length: count }, make) })
}

export interface RawRow {
  id: string
  stream: string
  entry: string
  leafHash: Buffer
}

/** The entry lines the service would store for the same kind of events (its metadata included). */
export function rawRowMaker(target: AppendTarget): () => RawRow {
  const make = claimMaker(target)
  let clock = Date.UTC(2026, 0, 1)
  return () => {
    const event = make()
    const stream = streamOf(event)
    clock += 1
    const metadata = { recordedAt: new Date(clock).toISOString(), recordedBy: 'bench', schemaVersion: 1, correlationId: randomUUID() }
    const entry = entryOf({ id: event.id, stream, type: event.type, data: event.data, metadata })
    return { id: event.id, stream, entry, leafHash: leafHash(entry) }
  }
}
