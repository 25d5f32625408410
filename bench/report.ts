/**
 * The benchmark's results: their shape (what bench/results.json holds), the issue's targets, and the
 * markdown table for the README's "Performance" section.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { InProcessAsOf } from './asOfCost.js'
import type { ReplayResult } from './capture.js'
import type { LoadResult } from './load.js'
import type { MerkleCost } from './merkleCost.js'
import { beside, type CompressionResult } from './compression.js'
import type { PanelResult } from './panel.js'
import type { MemoryUsage } from './processes.js'
import type { RawAppendResult, RawReplayResult } from './raw.js'

export interface ReadResult {
  endpoint: string
  /** An example of the URLs cycled through. */
  example: string
  urls: number
  meanBodyBytes: number
  ledger: LoadResult
  bare: LoadResult
  /** ledger 2xx/s over bare 2xx/s */
  ratio: number
  p99Ratio: number
  /** CPU (1 = a core) the idle server of the pair used while the other was measured. */
  interference: { ledgerCpuDuringBare: number; bareCpuDuringLedger: number }
}

/** What the in-process capture of the write path saw (bench/capture.ts), without the captured rows. */
export interface CaptureSummary {
  eventsPerRequest: number
  requests: number
  events: number
  writesPerEvent: number
  outsideTransactions: number
  statements: Record<string, number>
  /** The ledger composed in the bench process, requests one at a time, the capture wrapper on. */
  inProcess: { seconds: number; eventsPerSecond: number; requestsPerSecond: number }
  cacheSize: number
}

export interface AppendResult {
  eventsPerRequest: number
  http: LoadResult
  /** Events written per second (201 responses times events per request). */
  eventsPerSecond: number
  /** 201 responses per second. */
  requestsPerSecond: number
  /** Commits the service made meanwhile (checkpoints kept, one a commit): 201s / commits is the group size. */
  commits: number
  /** The captured write path's statements replayed, one transaction per captured request. */
  raw: ReplayResult
  capture: CaptureSummary
  /** batched: events/s over the replay's events/s; single: writes/s over raw one-row commits/s. */
  ratio: number
}

export interface SingleAppendResult extends AppendResult {
  /** One `events` row (random UUID id) per fsynced transaction. */
  rawOneRow: RawAppendResult
  /** writes/s over the replay's requests/s (each request's rows in a commit of its own). */
  ratioToReplay: number
}

export interface RebuildResult {
  /** `policy-ledger rebuild` (every read model) on a copy of the store: spawn to exit, best of `wallMsEach`. */
  wallMs: number
  wallMsEach: number[]
  /** The same command on an empty store, run before each: node, tsx and compose alone (the best). */
  emptyWallMs: number
  emptyWallMsEach: number[]
  /** wallMs - emptyWallMs */
  seconds: number
  /** What the command itself reports (compose with every read model dropped and folded again). */
  reportedSeconds: number | undefined
  eventsPerSecond: number
  /** Reading and JSON-parsing the same rows with better-sqlite3 alone, right after. */
  raw: RawReplayResult
  ratio: number
}

export interface SizeResult {
  name: string
  events: number
  datasetBytes: number
  storeBytes: number
  coldStart: {
    /** Spawn to GET /ready 200, the best of `readyMsEach`. */
    readyMs: number
    readyMsEach: number[]
    /** Ready time of the same service on an empty store, started before each (the best). */
    emptyReadyMs: number
    emptyReadyMsEach: number[]
    /** readyMs / emptyReadyMs */
    ratio: number
  }
  memory: {
    /** RSS and heap after GC once ready, the median of the starts (what the target is measured on). */
    loaded: MemoryUsage
    /** The same on an empty store, started alternately with the loaded one. */
    empty: MemoryUsage
    rssBytesPerEvent: number
    heapBytesPerEvent: number
    /** After the read runs (bounded caches filled): for information. */
    afterReads?: MemoryUsage
  }
  reads: ReadResult[]
  appends?: { batched: AppendResult; single: SingleAppendResult }
  rebuild?: RebuildResult
  /** The whole ledger's panel, streamed, beside its last year's. */
  panel?: PanelResult
  /** Answers with each Accept-Encoding: bytes on the wire and throughput. */
  compression?: CompressionResult[]
  /** The captured statements replayed on a copy gave a store equal, row by row, to the capture's. */
  replayCheck?: string
  /** Set when the service died under the load: what happened and how to reproduce it. */
  crash?: string
}

export interface AsOfResult {
  hotClaims: number
  coldClaims: number
  events: number
  http: { hot: LoadResult; cold: LoadResult; ratio: number }
  /** One write to the jurisdiction, then one as-of read of it, sequentially (fetch from this process). */
  afterWrite: { rounds: number; hotMedianMs: number; coldMedianMs: number; ratio: number }
  inProcess: InProcessAsOf
}

export interface ProfilePhase {
  phase: string
  summary: string
}

export interface Results {
  generatedAt: string
  command: string
  machine: Record<string, unknown>
  loadGenerator: { name: string; version: string }
  settings: Record<string, unknown>
  datasets: Array<Record<string, unknown>>
  sizes: SizeResult[]
  asOf?: AsOfResult
  merkle?: MerkleCost
  profile?: { size: string; file: string; rebuildFile?: string; phases: ProfilePhase[] }
  rows: Row[]
  table: string
  minutes: number
}

export interface Row {
  measurement: string
  events: string
  ledger: string
  baseline: string
  ratio: string
  target: string
  /** null: no target for this row */
  pass: boolean | null
}

/** Issue 10's targets, as same-run ratios. */
export const TARGETS = {
  /** reads: ledger req/s over the bare fastify app's, same bytes */
  readRatio: 0.6,
  /** batched appends: ledger events/s over raw better-sqlite3 writing the same rows */
  batchedRatio: 0.5,
  /** single-event writes (64 conn): ledger writes/s over raw one-row commits/s */
  singleOverOneRowCommits: 1.5,
  /** cold start: spawn-to-ready over the empty store's */
  coldStartOverEmpty: 2,
  /** RSS after GC above the empty service, and its growth between the two largest sizes, per event */
  bytesPerEvent: 300,
  /** as-of at 100 000 claims over 10 */
  asOfGrowth: 1.5,
  /** rebuilding every read model: events/s over raw read + JSON.parse */
  rebuildRatio: 0.5,
  /** the whole panel's peak RSS growth beyond the last year's (memory must not grow with its length) */
  panelExtraBytes: 32 * 1_048_576,
}

function group(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '—'
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

const rate = (n: number) => (n >= 100 ? group(n) : group(n, 1))
const ms = (n: number) => (n >= 100 ? `${group(n)} ms` : n >= 10 ? `${n.toFixed(1)} ms` : `${n.toFixed(2)} ms`)
const us = (n: number) => (n >= 1000 ? `${group(n / 1000, 2)} ms` : `${n.toFixed(n >= 10 ? 0 : 1)} µs`)
/** A share in percent; with a decimal where rounding would hide which side of `target` it is on. */
const pct = (n: number, target?: number) => {
  const near = target !== undefined && Math.round(n * 100) === Math.round(target * 100) && n !== target
  return `${(n * 100).toFixed(n < 0.1 || near ? 1 : 0)}%`
}
const times = (n: number) => `${n >= 100 ? group(n) : n.toFixed(2)}x`
const mib = (n: number) => `${(n / 1_048_576).toFixed(0)} MiB`

/** The server child's CPU during the run: 100% is one core, and the load generator has the other. */
function cpu(load: LoadResult): string {
  return load.serverCpu === undefined ? '' : `, server CPU ${(load.serverCpu * 100).toFixed(0)}%`
}

/** How many requests the group commit put in a commit, on average. */
function perCommit(append: AppendResult): string {
  const written = append.http.statusCodes['201'] ?? 0
  return append.commits > 0 ? `, ${(written / append.commits).toFixed(1)} requests a commit` : ''
}

function errorsOf(load: LoadResult): string {
  const bad = load.non2xx + load.errors
  if (bad === 0) return ''
  const codes = Object.entries(load.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, n]) => `${n}x${code}`)
  return ` (${[...codes, load.errors > 0 ? `${load.errors} errors` : ''].filter((x) => x !== '').join(', ')})`
}

/** RSS growth per event between the two largest sizes measured (100k to 1M in a full run). */
export function memoryGrowth(sizes: readonly SizeResult[]): { from: SizeResult; to: SizeResult; bytesPerEvent: number; heapBytesPerEvent: number } | undefined {
  const sorted = [...sizes].sort((a, b) => a.events - b.events)
  if (sorted.length < 2) return undefined
  const from = sorted.at(-2)!
  const to = sorted.at(-1)!
  const events = to.events - from.events
  return {
    from,
    to,
    bytesPerEvent: (to.memory.loaded.rss - from.memory.loaded.rss) / events,
    heapBytesPerEvent: (to.memory.loaded.heapUsed - from.memory.loaded.heapUsed) / events,
  }
}

export function rowsOf(results: Pick<Results, 'sizes' | 'asOf' | 'merkle'>): Row[] {
  const rows: Row[] = []
  for (const size of results.sizes) {
    const events = size.name
    for (const read of size.reads) {
      rows.push({
        measurement: `${read.endpoint} (${read.ledger.connections} conn)`,
        events,
        ledger: `${rate(read.ledger.okPerSecond)} req/s, p99 ${ms(read.ledger.latency.p99)}${cpu(read.ledger)}${errorsOf(read.ledger)}`,
        baseline: `bare fastify, same ${group(read.meanBodyBytes)}-byte bodies: ${rate(read.bare.okPerSecond)} req/s, p99 ${ms(read.bare.latency.p99)}${cpu(read.bare)}`,
        ratio: `${pct(read.ratio, TARGETS.readRatio)} (p99 ${times(read.p99Ratio)})`,
        target: `>= ${pct(TARGETS.readRatio)} of bare`,
        pass: read.ratio >= TARGETS.readRatio && read.ledger.non2xx + read.ledger.errors === 0,
      })
    }
    if (size.appends !== undefined) {
      const { batched, single } = size.appends
      rows.push({
        measurement: `POST /events, ${batched.eventsPerRequest} events a request (${batched.http.connections} conn)`,
        events,
        ledger: `${rate(batched.eventsPerSecond)} events/s, p99 ${ms(batched.http.latency.p99)}${perCommit(batched)}${cpu(batched.http)}${errorsOf(batched.http)}`,
        baseline: `raw better-sqlite3, the same rows (${batched.raw.writesPerEvent.toFixed(1)} writes an event: event, read models, Merkle nodes, positions, checkpoint), ${batched.raw.eventsPerTransaction} events a transaction: ${rate(batched.raw.eventsPerSecond)} events/s`,
        ratio: pct(batched.ratio, TARGETS.batchedRatio),
        target: `>= ${pct(TARGETS.batchedRatio)} of raw`,
        pass: batched.ratio >= TARGETS.batchedRatio && batched.http.non2xx + batched.http.errors === 0,
      })
      rows.push({
        measurement: `POST /events, 1 event a request (${single.http.connections} conn)`,
        events,
        ledger: `${rate(single.eventsPerSecond)} writes/s, p99 ${ms(single.http.latency.p99)}${perCommit(single)}${cpu(single.http)}${errorsOf(single.http)}`,
        baseline: `raw better-sqlite3, one events row a commit: ${rate(single.rawOneRow.transactionsPerSecond)} commits/s; one request's rows (${single.raw.writesPerEvent.toFixed(1)} writes) a commit: ${rate(single.raw.transactionsPerSecond)} commits/s`,
        ratio: `${times(single.ratio)} (${times(single.ratioToReplay)} of request commits)`,
        target: `>= ${TARGETS.singleOverOneRowCommits}x raw one-row commits`,
        pass: single.ratio >= TARGETS.singleOverOneRowCommits && single.http.non2xx + single.http.errors === 0,
      })
    }
    if (size.rebuild !== undefined) {
      const rebuild = size.rebuild
      rows.push({
        measurement: 'rebuild every read model (policy-ledger rebuild)',
        events,
        ledger: `${rate(rebuild.eventsPerSecond)} events/s (${rebuild.seconds.toFixed(1)} s)`,
        baseline: `raw read + JSON.parse of the rows: ${rate(rebuild.raw.eventsPerSecond)} events/s (${rebuild.raw.seconds.toFixed(2)} s)`,
        ratio: pct(rebuild.ratio, TARGETS.rebuildRatio),
        target: `>= ${pct(TARGETS.rebuildRatio)} of raw`,
        pass: rebuild.ratio >= TARGETS.rebuildRatio,
      })
    }
    if (size.panel !== undefined) {
      const { whole, lastYear, rateRatio, extraGrowth } = size.panel
      rows.push({
        measurement: 'GET /panel, every jurisdiction by month over the years (CSV, streamed)',
        events,
        ledger: `${rate(whole.rowsPerSecond)} rows/s (${group(whole.rows)} rows, ${group(whole.bytes / 1e6)} MB in ${whole.seconds.toFixed(1)} s), RSS +${mib(whole.rssPeak - whole.rssBefore)} at its peak`,
        baseline: `the last year alone: ${rate(lastYear.rowsPerSecond)} rows/s (${group(lastYear.rows)} rows), RSS +${mib(lastYear.rssPeak - lastYear.rssBefore)}`,
        ratio: `${times(rateRatio)} the rate; ${extraGrowth >= 0 ? '+' : '-'}${mib(Math.abs(extraGrowth))} memory`,
        target: `memory within ${mib(TARGETS.panelExtraBytes)} of the last year's`,
        pass: extraGrowth <= TARGETS.panelExtraBytes,
      })
    }
    for (const measured of size.compression ?? []) {
      const identity = measured.runs.find((run) => run.coding === 'identity')!.load
      const coded = (['br', 'gzip'] as const).map((coding) => ({ coding, ...beside(measured, coding), load: measured.runs.find((run) => run.coding === coding)!.load }))
      rows.push({
        measurement: `${measured.endpoint}, compressed (32 conn)`,
        events,
        ledger: coded.map(({ coding, load }) => `${coding}: ${group(load.bytesPerResponse)} B a response, ${rate(load.okPerSecond)} req/s`).join('; '),
        baseline: `identity: ${group(identity.bytesPerResponse)} B a response, ${rate(identity.okPerSecond)} req/s`,
        ratio: coded.map(({ coding, bytes, throughput }) => `${coding} ${pct(bytes)} of the bytes, ${pct(throughput)} of the rate`).join('; '),
        target: '—',
        pass: null,
      })
    }
    const cold = size.coldStart
    rows.push({
      measurement: 'cold start: spawn to ready',
      events,
      ledger: ms(cold.readyMs),
      baseline: `same service on an empty store: ${ms(cold.emptyReadyMs)}`,
      ratio: times(cold.ratio),
      target: `<= ${TARGETS.coldStartOverEmpty}x empty`,
      pass: cold.ratio <= TARGETS.coldStartOverEmpty,
    })
    const memory = size.memory
    rows.push({
      measurement: 'resident memory per event (RSS after GC, ready)',
      events,
      ledger: `${group(memory.rssBytesPerEvent)} B/event (RSS ${mib(memory.loaded.rss)}, heap ${mib(memory.loaded.heapUsed)}${memory.afterReads === undefined ? '' : `; after the reads RSS ${mib(memory.afterReads.rss)}, heap ${mib(memory.afterReads.heapUsed)}`})`,
      baseline: `same service on an empty store: RSS ${mib(memory.empty.rss)}, heap ${mib(memory.empty.heapUsed)}`,
      ratio: '—',
      target: `<= ${group(TARGETS.bytesPerEvent)} B/event`,
      pass: memory.rssBytesPerEvent <= TARGETS.bytesPerEvent,
    })
    if (size.crash !== undefined) {
      rows.push({ measurement: 'service crashed under load', events, ledger: size.crash.split('\n')[0]!, baseline: '—', ratio: '—', target: 'no crash', pass: false })
    }
  }
  const growth = memoryGrowth(results.sizes)
  if (growth !== undefined) {
    rows.push({
      measurement: 'resident memory growth (RSS after GC, ready)',
      events: `${growth.from.name} to ${growth.to.name}`,
      ledger: `${group(growth.bytesPerEvent)} B/event (heap ${group(growth.heapBytesPerEvent)} B/event)`,
      baseline: `RSS ${mib(growth.from.memory.loaded.rss)} at ${growth.from.name}, ${mib(growth.to.memory.loaded.rss)} at ${growth.to.name}`,
      ratio: '—',
      target: `<= ${group(TARGETS.bytesPerEvent)} B/event`,
      pass: growth.bytesPerEvent <= TARGETS.bytesPerEvent,
    })
  }
  const asOf = results.asOf
  if (asOf !== undefined) {
    const events = `${group(asOf.hotClaims)} vs ${group(asOf.coldClaims)} claims`
    rows.push({
      measurement: 'as-of stance, HTTP (1 conn, mean latency)',
      events,
      ledger: `${ms(asOf.http.hot.latency.mean)} (p99 ${ms(asOf.http.hot.latency.p99)})`,
      baseline: `${ms(asOf.http.cold.latency.mean)} (p99 ${ms(asOf.http.cold.latency.p99)})`,
      ratio: times(asOf.http.ratio),
      target: `<= ${TARGETS.asOfGrowth}x`,
      pass: asOf.http.ratio <= TARGETS.asOfGrowth,
    })
    rows.push({
      measurement: 'as-of stance, HTTP, first read after a write to it of a claim dated in the past (median)',
      events,
      ledger: ms(asOf.afterWrite.hotMedianMs),
      baseline: ms(asOf.afterWrite.coldMedianMs),
      ratio: times(asOf.afterWrite.ratio),
      target: `<= ${TARGETS.asOfGrowth}x`,
      pass: asOf.afterWrite.ratio <= TARGETS.asOfGrowth,
    })
    rows.push({
      measurement: 'as-of stance, in process (stanceAnswer)',
      events,
      ledger: `${us(asOf.inProcess.hot.meanMicros)} (first ${us(asOf.inProcess.hot.firstQueryMicros)})`,
      baseline: `${us(asOf.inProcess.cold.meanMicros)} (first ${us(asOf.inProcess.cold.firstQueryMicros)})`,
      ratio: times(asOf.inProcess.ratio),
      target: `<= ${TARGETS.asOfGrowth}x`,
      pass: asOf.inProcess.ratio <= TARGETS.asOfGrowth,
    })
  }
  const merkle = results.merkle
  if (merkle !== undefined) {
    const events = group(merkle.size)
    const hashes = (micros: number) => `${(micros / merkle.nodeHashMicros).toFixed(1)} node hashes`
    rows.push({
      measurement: 'Merkle root (any size, incremental tree)',
      events,
      ledger: us(merkle.rootMicros),
      baseline: `recomputed from all leaves: ${(merkle.naiveRootSeconds * 1000).toFixed(0)} ms; one node hash ${us(merkle.nodeHashMicros)}`,
      ratio: `${hashes(merkle.rootMicros)}`,
      target: '—',
      pass: null,
    })
    rows.push({
      measurement: 'Merkle inclusion proof (make / verify)',
      events,
      ledger: `${us(merkle.inclusionProofMicros)} / ${us(merkle.inclusionVerifyMicros)}, ${merkle.inclusionProofLength.toFixed(1)} hashes`,
      baseline: `one node hash ${us(merkle.nodeHashMicros)}`,
      ratio: hashes(merkle.inclusionProofMicros),
      target: '—',
      pass: null,
    })
    rows.push({
      measurement: 'Merkle consistency proof (make / verify)',
      events,
      ledger: `${us(merkle.consistencyProofMicros)} / ${us(merkle.consistencyVerifyMicros)}, ${merkle.consistencyProofLength.toFixed(1)} hashes`,
      baseline: `one node hash ${us(merkle.nodeHashMicros)}`,
      ratio: hashes(merkle.consistencyProofMicros),
      target: '—',
      pass: null,
    })
    rows.push({
      measurement: 'Merkle tree build (append every leaf)',
      events,
      ledger: `${(merkle.buildSeconds * 1000).toFixed(0)} ms (${us(merkle.appendMicros)} a leaf)`,
      baseline: `one node hash ${us(merkle.nodeHashMicros)}`,
      ratio: hashes(merkle.appendMicros),
      target: '—',
      pass: null,
    })
  }
  return rows
}

export function markdownTable(rows: Row[]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|')
  return [
    '| measurement | events | ledger | baseline (same run) | ratio | target | result |',
    '| --- | ---: | --- | --- | ---: | --- | --- |',
    ...rows.map((row) =>
      `| ${[row.measurement, row.events, row.ledger, row.baseline, row.ratio, row.target, row.pass === null ? '—' : row.pass ? 'pass' : '**FAIL**'].map(cell).join(' | ')} |`,
    ),
  ].join('\n')
}

/**
 * `node --import tsx bench/report.ts [FILE]`: renders the rows and the table of a results file again
 * (after a change to this file's formats or targets) and writes them back into it.
 */
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2] ?? fileURLToPath(new URL('./results.json', import.meta.url))
  const results = JSON.parse(readFileSync(file, 'utf8')) as Results
  results.rows = rowsOf(results)
  results.table = markdownTable(results.rows)
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
  process.stdout.write(`${results.table}\n`)
}
