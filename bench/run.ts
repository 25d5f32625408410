/**
 * `npm run bench`: the ledger measured against the limits of this machine, each measurement beside a
 * baseline taken in the same run, printed as a markdown table with issue 10's targets and written to
 * bench/results.json. The figures and their baselines:
 *
 * - reads (three endpoints, 32 connections) against a bare fastify app sending the same bytes;
 * - batched appends (500 events a request, 4 connections) against raw better-sqlite3 writing the same
 *   rows: the statements the ledger's write path runs, captured in process (bench/capture.ts) and
 *   replayed one transaction per request on a copy of the same store, same durability;
 * - single-event writes (64 connections) against raw one-row commits a second (and the captured rows of
 *   one request a commit);
 * - `policy-ledger rebuild` of every read model against raw read + JSON.parse of the same rows;
 * - cold start (spawn to ready) and resident memory against the same service on an empty store;
 * - as-of cost at a jurisdiction with 100 000 claims against one with 10, including the first read after
 *   a claim dated in the past; the Merkle log's costs in node hashes.
 *
 *   npm run bench                          sizes 10k, 100k and 1M
 *   npm run bench -- --sizes 10k,100k      chosen sizes
 *   npm run bench -- --quick               10k only, 2 s per load run, a smaller hot jurisdiction
 *                                          (results in bench/data/results-quick.json)
 *   npm run bench -- --profile             also profile the server child (node --cpu-prof) per phase,
 *                                          and the rebuild command's child
 *
 * Datasets (bench/data/<size>.ndjson) and the stores built from them (bench/data/<size>.sqlite, with
 * their read models) are reused while their generator and store sources are unchanged; --fresh rebuilds
 * them. Only same-run ratios mean anything: the machine may be shared.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, freemem, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { taxonomy } from '../events/index.js'
import { appendTarget, postBodyMaker, rawRowMaker } from './appends.js'
import { inProcessAsOf } from './asOfCost.js'
import { captureWrites, combineReplays, replayWrites, type CaptureResult, type ReplayResult } from './capture.js'
import { DAY_MS, DEFAULT_SEED, ensureDataset, FIRST_DAY, hotColdSpec, LAST_DAY, ledgerSpec, parseSize, Random, sizeName, type DatasetInfo } from './dataset.js'
import { combineLoads, cyclingGets, freshPosts, loadGenerator, runLoad, type LoadResult } from './load.js'
import { checkDirectLoader, copyStore, currentStore, ensureStore, removeStore, repoRoot, runRebuild, sameStore, storeSourcesHash, type LoadMethod, type RebuildRun, type StoreInfo } from './loadStore.js'
import { merkleCost } from './merkleCost.js'
import { measureCompression } from './compression.js'
import { measurePanel } from './panel.js'
import { BENCH_TOKEN, startBare, startLedger, type Child, type MemoryUsage } from './processes.js'
import { formatProfile, summariseProfile } from './profileSummary.js'
import { combineRawAppends, rawAppend, rawReplay, type RawAppendResult, type RawReplayResult } from './raw.js'
import { markdownTable, memoryGrowth, rowsOf, TARGETS, type AsOfResult, type CaptureSummary, type ProfilePhase, type ReadResult, type RebuildResult, type Results, type SizeResult } from './report.js'

const benchDir = join(repoRoot, 'bench')
const dataDir = join(benchDir, 'data')
const workDir = join(dataDir, 'work')
const profileDir = join(dataDir, 'profiles')

const runStarted = performance.now()

function log(line: string): void {
  const elapsed = Math.round((performance.now() - runStarted) / 1000)
  const stamp = `${String(Math.floor(elapsed / 60)).padStart(2, '0')}:${String(elapsed % 60).padStart(2, '0')}`
  process.stdout.write(`[${stamp}] ${line}\n`)
}

// ---------------------------------------------------------------------------------------------------
// options

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string' },
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    'hot-claims': { type: 'string' },
    'cold-claims': { type: 'string' },
    'merkle-size': { type: 'string' },
    'batch-connections': { type: 'string' },
    profile: { type: 'boolean', default: false },
    'profile-size': { type: 'string' },
    'load-with': { type: 'string' },
    fresh: { type: 'boolean', default: false },
    seed: { type: 'string' },
    output: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
})

if (flags.help) {
  process.stdout.write(`npm run bench -- [options]
  --sizes 10k,100k,1M       dataset sizes (default 10k,100k,1M; --quick: 10k)
  --quick                   10k only, 2 s per load run, 10k-claim hot jurisdiction
  --duration S              seconds per autocannon run (default 5; --quick: 2)
  --hot-claims N            claims of the hot jurisdiction for the as-of growth (default 100k; --quick: 10k)
  --cold-claims N           claims of the cold one (default 10)
  --merkle-size N           leaves for the Merkle costs (default 1M)
  --batch-connections N     connections for the batched appends (default 4)
  --profile                 profile the server child with --cpu-prof, per phase (at --profile-size)
  --profile-size SIZE       which size to profile (default: 100k if measured, else the largest)
  --load-with direct|import build stores through the store module, then policy-ledger rebuild (checked
                            against the import, every table row by row), or with policy-ledger import
                            (default direct)
  --fresh                   regenerate datasets and rebuild stores
  --seed N                  dataset seed (default ${DEFAULT_SEED})
  --output FILE             results file (default bench/results.json; --quick: bench/data/results-quick.json)
`)
  process.exit(0)
}

const quick = flags.quick === true
const sizes = (flags.sizes ?? (quick ? '10k' : '10k,100k,1M')).split(',').map(parseSize).sort((a, b) => a - b)
const seconds = Number(flags.duration ?? (quick ? 2 : 5))
const warmupSeconds = quick ? 0.5 : 1
const hotClaims = parseSize(flags['hot-claims'] ?? (quick ? '10k' : '100k'))
const coldClaims = parseSize(flags['cold-claims'] ?? '10')
const merkleSize = parseSize(flags['merkle-size'] ?? '1M')
const batchConnections = Number(flags['batch-connections'] ?? 4)
const seed = Number(flags.seed ?? DEFAULT_SEED)
let loadMethod: LoadMethod = flags['load-with'] === 'import' ? 'import' : 'direct'
// a --quick run is for trying things: it never replaces the committed results
const output = flags.output ?? (quick ? join(dataDir, 'results-quick.json') : join(benchDir, 'results.json'))
const READ_CONNECTIONS = 32
/** Each read measurement alternates this many ledger and bare runs of seconds / READ_ROUNDS each. */
const READ_ROUNDS = 2
const SINGLE_CONNECTIONS = 64
const BATCH_EVENTS = 500
const AFTER_WRITE_ROUNDS = 20
/** The dataset the direct loader is checked on against policy-ledger import. */
const CHECK_EVENTS = 10_000
/**
 * Requests the in-process capture of the write path sends (bench/capture.ts): the raw baselines replay
 * exactly these, so their count sets how long a replay runs (about a second or more on this machine).
 */
const BATCH_CAPTURE_REQUESTS = Math.max(8, Math.round(8 * seconds))
const SINGLE_CAPTURE_REQUESTS = Math.max(200, Math.round(200 * seconds))
/** The append measurements alternate this many HTTP runs of seconds / APPEND_ROUNDS with raw ones. */
const APPEND_ROUNDS = 2
/** A short command is within the noise of starting node: the best of this many runs is taken. */
const SHORT_RUN_REPEATS = 3
const SHORT_RUN_MS = 10_000

// ---------------------------------------------------------------------------------------------------
// machine

function versionOf(name: string): string {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

function machine(): Record<string, unknown> {
  const memory = new Database(':memory:')
  const sqlite = (memory.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v
  memory.close()
  const all = cpus()
  return {
    cpus: all.length,
    cpuModel: all[0]?.model ?? 'unknown',
    cpuMHz: all[0]?.speed ?? 0,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    freeMemoryGiB: Math.round(freemem() / 2 ** 30),
    platform: `${process.platform} ${release()} ${process.arch}`,
    node: process.version,
    sqlite,
    betterSqlite3: versionOf('better-sqlite3'),
    fastify: versionOf('fastify'),
  }
}

// ---------------------------------------------------------------------------------------------------
// helpers

function dates(count: number, seedValue: number): string[] {
  const random = new Random(seedValue)
  const first = Date.UTC(1985, 0, 1) / 86_400_000
  const last = Date.UTC(2025, 11, 31) / 86_400_000
  return Array.from({ length: count }, () => new Date(random.between(first, last) * 86_400_000).toISOString().slice(0, 10))
}

function readPaths(dataset: DatasetInfo): Record<'current' | 'asOf' | 'list', { endpoint: string; paths: string[] }> {
  const ids = dataset.sampleJurisdictions.map((j) => j.id)
  const when = dates(64, dataset.events)
  const filters = Object.entries(taxonomy.dimensions).flatMap(([dimension, values]) => values.map((value) => [dimension, value] as const))
  return {
    current: { endpoint: 'GET /jurisdictions/:id', paths: ids.map((id) => `/jurisdictions/${id}`) },
    asOf: { endpoint: 'GET /jurisdictions/:id/stance?asOf=', paths: ids.map((id, i) => `/jurisdictions/${id}/stance?asOf=${when[i]}`) },
    list: {
      endpoint: 'GET /jurisdictions?dimension=&value=&asOf=',
      paths: when.map((date, i) => {
        const [dimension, value] = filters[i % filters.length]!
        return `/jurisdictions?dimension=${dimension}&value=${value}&asOf=${date}`
      }),
    },
  }
}

async function fetchBodies(baseUrl: string, paths: readonly string[]): Promise<Record<string, string>> {
  const bodies: Record<string, string> = {}
  for (const path of paths) {
    const response = await fetch(`${baseUrl}${path}`)
    const body = await response.text()
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${body.slice(0, 500)}`)
    bodies[path] = body
  }
  return bodies
}

/**
 * Waits until `path` answers 200. The forced GC of the memory probe blocks the event loop, and the
 * service's load shedding (@fastify/under-pressure) then answers 503 for a moment: not the service's
 * doing, so the measurements wait it out.
 */
async function settle(child: Child, path: string): Promise<number> {
  const started = performance.now()
  for (;;) {
    const response = await fetch(`${child.baseUrl}${path}`)
    await response.arrayBuffer()
    if (response.status === 200) return performance.now() - started
    if (response.status !== 503 || performance.now() - started > 60_000) throw new Error(`GET ${path}: ${response.status}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

function describeLoad(load: LoadResult, unit = 'req/s'): string {
  const bad = load.non2xx + load.errors
  return `${Math.round(load.okPerSecond)} ${unit}, p50 ${load.latency.p50.toFixed(2)} ms, p99 ${load.latency.p99.toFixed(2)} ms${load.serverCpu === undefined ? '' : `, server CPU ${(load.serverCpu * 100).toFixed(0)}%`}${bad > 0 ? `, ${bad} failed ${JSON.stringify(load.statusCodes)}` : ''}`
}

function crashReport(child: Child, storePath: string, what: string): string {
  const exit = child.exit
  return [
    `${child.name} died during ${what} (exit ${exit?.code ?? 'none'}, signal ${exit?.signal ?? 'none'})`,
    'reproduce:',
    `  cp ${storePath} /tmp/crash.sqlite && cp ${storePath}.signing-key.pem /tmp/crash.sqlite.signing-key.pem   (the store as loaded, before the run wrote to it)`,
    `  LEDGER_STORE=sqlite:/tmp/crash.sqlite LEDGER_TOKENS=bench:${BENCH_TOKEN} LEDGER_WRITE_RATE_LIMIT=0 LEDGER_SEED=false PORT=3999 LOG_LEVEL=info node --import tsx src/cli/run.ts serve`,
    `  then: npm run bench -- --sizes <this size>   (or autocannon against 127.0.0.1:3999 as bench/run.ts does for ${what})`,
    'last output of the child:',
    child.output().slice(-3_000),
  ].join('\n')
}

/** Lets the previous run's stragglers finish before the next run starts. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 300))
}

async function warmUp(url: string, requests: ReturnType<typeof cyclingGets>, connections: number): Promise<void> {
  if (warmupSeconds > 0) await runLoad({ url, connections, seconds: warmupSeconds, requests })
}

/** Warm up (reads only: a warm-up write would change what is measured), then measure. */
async function measure(url: string, requests: ReturnType<typeof cyclingGets>, connections: number, child: Child, extra: { method?: string; headers?: Record<string, string> } = {}): Promise<LoadResult> {
  if (extra.method !== 'POST') await warmUp(url, requests, connections)
  return runLoad({ url, connections, seconds, requests, ...extra, serverCpuSeconds: () => child.cpuSeconds() })
}

// ---------------------------------------------------------------------------------------------------
// phases

type Profiling = { phases: Array<{ phase: string; fromUs: number; toUs: number }>; rebuildProfiles: string[] }

const summaryOf = (capture: CaptureResult): CaptureSummary => {
  const { transactions: _transactions, ...summary } = capture
  return summary
}

const median = <T>(values: readonly T[], by: (value: T) => number): T => [...values].sort((a, b) => by(a) - by(b))[Math.floor(values.length / 2)]!

/**
 * What the raw append baselines replay (bench/capture.ts): the ledger composed in this process on a
 * scratch copy of the store sends batched, then single-event requests, and the write statements they
 * run are recorded. They are replayed, in the same transactions and order, on a second copy; one-row
 * commits go to a third. Made before the HTTP appends, so that raw runs can alternate with them.
 */
async function prepareRawAppends(dataset: DatasetInfo, store: StoreInfo) {
  const target = appendTarget(dataset)
  const paths = {
    capture: join(workDir, `${dataset.name}.capture.sqlite`),
    replay: join(workDir, `${dataset.name}.replay.sqlite`),
    oneRow: join(workDir, `${dataset.name}.one-row.sqlite`),
  }
  for (const path of Object.values(paths)) copyStore(store.path, path)
  log(`${dataset.name}: capturing the write path in process: ${BATCH_CAPTURE_REQUESTS} requests of ${BATCH_EVENTS} events, then ${SINGLE_CAPTURE_REQUESTS} of 1 …`)
  const batched = await captureWrites(paths.capture, target, BATCH_EVENTS, BATCH_CAPTURE_REQUESTS)
  const single = await captureWrites(paths.capture, target, 1, SINGLE_CAPTURE_REQUESTS)
  for (const capture of [batched, single]) {
    log(`${dataset.name}: captured ${capture.transactions.length} transactions of ${capture.eventsPerRequest} events, ${capture.writesPerEvent.toFixed(2)} writes an event (${Object.keys(capture.statements).length} statements${capture.outsideTransactions > 0 ? `, ${capture.outsideTransactions} outside a transaction` : ''}); in process ${Math.round(capture.inProcess.eventsPerSecond)} events/s`)
  }
  return { target, paths, batched, single, remove: () => Object.values(paths).forEach(removeStore) }
}

/** The commits a store has taken: each keeps exactly one checkpoint (read beside the running service). */
function commitCount(storePath: string): number {
  const db = new Database(storePath, { readonly: true })
  try {
    return db.prepare<[], number>('SELECT COUNT(*) FROM checkpoints').pluck().get()!
  } finally {
    db.close()
  }
}

/** Round `round` of `rounds` of a capture's transactions. */
function sliceOf(capture: CaptureResult, round: number, rounds: number): { from: number; to: number } {
  const size = capture.transactions.length
  return { from: Math.floor((size * round) / rounds), to: Math.floor((size * (round + 1)) / rounds) }
}

/**
 * `policy-ledger rebuild` of every read model on a copy of the store, alternating with the same command
 * on an empty store and with raw read + parse of the rows (the best of each when runs are short).
 */
async function measureRebuild(dataset: DatasetInfo, store: StoreInfo, profiling?: Profiling): Promise<RebuildResult> {
  const path = join(workDir, `${dataset.name}.rebuild.sqlite`)
  const emptyPath = join(workDir, 'empty-rebuild.sqlite')
  const runs: RebuildRun[] = []
  const empties: number[] = []
  const raws: RawReplayResult[] = []
  try {
    while (runs.length === 0 || (profiling === undefined && runs.length < SHORT_RUN_REPEATS && Math.max(...runs.map((r) => r.wallMs)) < SHORT_RUN_MS)) {
      removeStore(emptyPath)
      empties.push((await runRebuild(emptyPath)).wallMs)
      removeStore(emptyPath)
      copyStore(store.path, path)
      const before = profiling === undefined ? undefined : new Set(readdirSync(profileDir))
      log(`${dataset.name}: policy-ledger rebuild (every read model) on a copy …`)
      const run = await runRebuild(path, profiling === undefined ? {} : { profileDir })
      if (before !== undefined) profiling!.rebuildProfiles.push(...readdirSync(profileDir).filter((name) => !before.has(name) && name.endsWith('.cpuprofile')).map((name) => join(profileDir, name)))
      runs.push(run)
      removeStore(path)
      raws.push(rawReplay(store.path))
      log(`${dataset.name}: ${run.line} (spawn to exit ${(run.wallMs / 1000).toFixed(2)} s; the empty store's ${(empties.at(-1)! / 1000).toFixed(2)} s; raw read + parse ${raws.at(-1)!.seconds.toFixed(2)} s)`)
    }
  } finally {
    removeStore(path)
    removeStore(emptyPath)
  }
  const best = runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a))
  const emptyWallMs = Math.min(...empties)
  const raw = raws.reduce((a, b) => (b.seconds < a.seconds ? b : a))
  const seconds = Math.max(0.001, (best.wallMs - emptyWallMs) / 1000)
  const eventsPerSecond = dataset.events / seconds
  log(`${dataset.name}: rebuild ${seconds.toFixed(2)} s over the empty store's = ${Math.round(eventsPerSecond)} events/s; raw read + parse of the rows: ${Math.round(raw.eventsPerSecond)} events/s (${raw.seconds.toFixed(2)} s): ${((100 * eventsPerSecond) / raw.eventsPerSecond).toFixed(1)}%`)
  return {
    wallMs: best.wallMs,
    wallMsEach: runs.map((r) => r.wallMs),
    emptyWallMs,
    emptyWallMsEach: empties,
    seconds,
    reportedSeconds: best.reportedSeconds,
    eventsPerSecond,
    raw,
    ratio: eventsPerSecond / raw.eventsPerSecond,
  }
}

/**
 * The service on an empty store and on the loaded one, started alternately (the best ready time of
 * each, the median memory after GC of each); the loaded one is left running.
 */
async function coldStarts(dataset: DatasetInfo, work: string, profiling?: Profiling) {
  const emptyPath = join(workDir, 'empty.sqlite')
  const empty: Array<{ readyMs: number; memory: MemoryUsage }> = []
  const loaded: Array<{ readyMs: number; memory: MemoryUsage }> = []
  const mark = () => Number(process.hrtime.bigint() / 1000n)
  let running: Child | undefined
  while (loaded.length === 0 || (profiling === undefined && loaded.length < SHORT_RUN_REPEATS && Math.max(...loaded.map((l) => l.readyMs)) < SHORT_RUN_MS)) {
    await running?.stop()
    removeStore(emptyPath)
    const e = await startLedger(emptyPath)
    empty.push({ readyMs: e.readyMs, memory: await e.child.memory() })
    await e.child.stop()
    removeStore(emptyPath)
    const spawnAt = mark()
    const l = await startLedger(work, profiling === undefined ? {} : { profileDir })
    profiling?.phases.push({ phase: 'cold start', fromUs: spawnAt, toUs: mark() })
    loaded.push({ readyMs: l.readyMs, memory: await l.child.memory() })
    running = l.child
  }
  const ms = (runs: typeof empty) => runs.map((r) => r.readyMs.toFixed(0)).join(', ')
  const mib = (runs: typeof empty) => runs.map((r) => (r.memory.rss / 2 ** 20).toFixed(0)).join(', ')
  const result = {
    child: running!,
    readyMs: Math.min(...loaded.map((l) => l.readyMs)),
    readyMsEach: loaded.map((l) => l.readyMs),
    emptyReadyMs: Math.min(...empty.map((e) => e.readyMs)),
    emptyReadyMsEach: empty.map((e) => e.readyMs),
    memory: median(loaded, (l) => l.memory.rss).memory,
    emptyMemory: median(empty, (e) => e.memory.rss).memory,
  }
  log(`${dataset.name}: ready in ${result.readyMs.toFixed(0)} ms (best of ${ms(loaded)}); the empty store ${result.emptyReadyMs.toFixed(0)} ms (best of ${ms(empty)}): ${(result.readyMs / result.emptyReadyMs).toFixed(2)}x`)
  log(`${dataset.name}: RSS after GC ${(result.memory.rss / 2 ** 20).toFixed(0)} MiB (median of ${mib(loaded)}), heap ${(result.memory.heapUsed / 2 ** 20).toFixed(0)} MiB; the empty store ${(result.emptyMemory.rss / 2 ** 20).toFixed(0)} MiB (median of ${mib(empty)}), heap ${(result.emptyMemory.heapUsed / 2 ** 20).toFixed(0)} MiB: ${Math.round((result.memory.rss - result.emptyMemory.rss) / dataset.events)} B/event`)
  return result
}

async function measureSize(dataset: DatasetInfo, store: StoreInfo, options: { profiling?: Profiling; checkReplay?: boolean } = {}): Promise<SizeResult> {
  const { profiling } = options
  const work = join(workDir, `${dataset.name}.sqlite`)
  log(`${dataset.name}: copying the store (${(store.bytes / 1e6).toFixed(0)} MB); starting the service on it and on an empty store, alternately …`)
  copyStore(store.path, work)
  const mark = () => Number(process.hrtime.bigint() / 1000n)
  const starts = await coldStarts(dataset, work, profiling)
  const { child } = starts
  const loaded = starts.memory
  const empty = starts.emptyMemory
  const result: SizeResult = {
    name: dataset.name,
    events: dataset.events,
    datasetBytes: dataset.bytes,
    storeBytes: store.bytes,
    coldStart: { readyMs: starts.readyMs, readyMsEach: starts.readyMsEach, emptyReadyMs: starts.emptyReadyMs, emptyReadyMsEach: starts.emptyReadyMsEach, ratio: starts.readyMs / starts.emptyReadyMs },
    memory: { loaded, empty, rssBytesPerEvent: (loaded.rss - empty.rss) / dataset.events, heapBytesPerEvent: (loaded.heapUsed - empty.heapUsed) / dataset.events },
    reads: [],
  }
  const alive = (what: string): boolean => {
    if (child.exit === undefined) return true
    result.crash = crashReport(child, store.path, what)
    log(`${dataset.name}: ${result.crash}`)
    return false
  }

  let raw: Awaited<ReturnType<typeof prepareRawAppends>> | undefined
  try {
    // reads, each against the bare app answering the same bytes
    const sets = readPaths(dataset)
    const waited = await settle(child, sets.current.paths[0]!)
    if (waited > 100) log(`${dataset.name}: the service shed load for ${Math.round(waited)} ms after the memory probe's forced GC`)
    const bodies: Record<string, string> = {}
    for (const set of Object.values(sets)) Object.assign(bodies, await fetchBodies(child.baseUrl, set.paths))
    const bodiesFile = join(workDir, `${dataset.name}.bodies.json`)
    writeFileSync(bodiesFile, JSON.stringify(bodies))
    const bare = await startBare(bodiesFile)
    try {
      for (const set of Object.values(sets)) {
        // warm both up, then alternate rounds so that drift in the machine falls on both alike
        const ledgerRounds: LoadResult[] = []
        const bareRounds: LoadResult[] = []
        await warmUp(child.baseUrl, cyclingGets(set.paths), READ_CONNECTIONS)
        await warmUp(bare.baseUrl, cyclingGets(set.paths), READ_CONNECTIONS)
        // the other server's CPU during each run: anything but ~0 means it competed with the one measured
        let ledgerCpuDuringBare = 0
        let bareCpuDuringLedger = 0
        for (let round = 0; round < READ_ROUNDS; round += 1) {
          await pause()
          const from = mark()
          const bareCpu = bare.cpuSeconds()
          ledgerRounds.push(await runLoad({ url: child.baseUrl, connections: READ_CONNECTIONS, seconds: seconds / READ_ROUNDS, requests: cyclingGets(set.paths), serverCpuSeconds: () => child.cpuSeconds() }))
          bareCpuDuringLedger += bare.cpuSeconds() - bareCpu
          profiling?.phases.push({ phase: set.endpoint, fromUs: from, toUs: mark() })
          if (!alive(set.endpoint)) return result
          await pause()
          const ledgerCpu = child.cpuSeconds()
          bareRounds.push(await runLoad({ url: bare.baseUrl, connections: READ_CONNECTIONS, seconds: seconds / READ_ROUNDS, requests: cyclingGets(set.paths), serverCpuSeconds: () => bare.cpuSeconds() }))
          ledgerCpuDuringBare += child.cpuSeconds() - ledgerCpu
        }
        const ledgerLoad = combineLoads(ledgerRounds)
        const bareLoad = combineLoads(bareRounds)
        const meanBodyBytes = set.paths.reduce((sum, path) => sum + Buffer.byteLength(bodies[path]!), 0) / set.paths.length
        const read: ReadResult = {
          endpoint: set.endpoint,
          example: set.paths[0]!,
          urls: set.paths.length,
          meanBodyBytes,
          ledger: ledgerLoad,
          bare: bareLoad,
          ratio: ledgerLoad.okPerSecond / bareLoad.okPerSecond,
          p99Ratio: ledgerLoad.latency.p99 / bareLoad.latency.p99,
          interference: { ledgerCpuDuringBare: ledgerCpuDuringBare / bareLoad.seconds, bareCpuDuringLedger: bareCpuDuringLedger / ledgerLoad.seconds },
        }
        result.reads.push(read)
        log(`${dataset.name}: ${set.endpoint}: ledger ${describeLoad(ledgerLoad)} | bare ${describeLoad(bareLoad)} | ${(read.ratio * 100).toFixed(0)}% (${Math.round(meanBodyBytes)} B bodies)${ledgerCpuDuringBare / bareLoad.seconds > 0.05 ? ` | the ledger child used ${((100 * ledgerCpuDuringBare) / bareLoad.seconds).toFixed(0)}% CPU during the bare runs` : ''}`)
      }
    } finally {
      await bare.stop(10_000)
      rmSync(bodiesFile, { force: true })
    }
    result.memory.afterReads = await child.memory()
    log(`${dataset.name}: after the reads: RSS ${(result.memory.afterReads.rss / 2 ** 20).toFixed(0)} MiB, heap ${(result.memory.afterReads.heapUsed / 2 ** 20).toFixed(0)} MiB after GC`)

    // compression: the list answer (the largest of the three) and the ledger's Atom feed, each coding in turn
    result.compression = []
    for (const [endpoint, path] of [
      [sets.list.endpoint, sets.list.paths[0]!],
      ['GET /changes.atom', '/changes.atom'],
    ] as const) {
      await settle(child, path)
      const measured = await measureCompression(child, endpoint, path, Math.max(1, seconds / 2), READ_CONNECTIONS)
      result.compression.push(measured)
      log(`${dataset.name}: ${endpoint} by coding: ${measured.runs.map(({ coding, load }) => `${coding} ${Math.round(load.okPerSecond)} req/s, ${Math.round(load.bytesPerResponse)} B`).join(' | ')}`)
      if (!alive(`compression of ${endpoint}`)) return result
    }

    // the panel of the whole ledger, streamed, against the panel of its last year
    const firstYear = new Date(FIRST_DAY * DAY_MS).getUTCFullYear()
    const lastYear = new Date(LAST_DAY * DAY_MS).getUTCFullYear()
    log(`${dataset.name}: the panel, every jurisdiction by month, ${firstYear} to ${lastYear} …`)
    result.panel = await measurePanel(child, firstYear, lastYear)
    if (!alive('panel')) return result
    const { whole, lastYear: short } = result.panel
    log(`${dataset.name}: panel: ${Math.round(whole.rowsPerSecond)} rows/s (${whole.rows} rows, ${(whole.bytes / 1e6).toFixed(0)} MB in ${whole.seconds.toFixed(1)} s), RSS +${((whole.rssPeak - whole.rssBefore) / 2 ** 20).toFixed(0)} MiB at its peak | the last year: ${Math.round(short.rowsPerSecond)} rows/s (${short.rows} rows), RSS +${((short.rssPeak - short.rssBefore) / 2 ** 20).toFixed(0)} MiB`)

    // appends: batched and single-event over HTTP, every request with fresh ids, each round followed by
    // a round of its raw baseline (the service idle meanwhile), so drift in the disk falls on both alike
    raw = await prepareRawAppends(dataset, store)
    await settle(child, sets.current.paths[0]!)
    const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' }
    const roundSeconds = seconds / APPEND_ROUNDS
    const appendRound = async (eventsPerRequest: number, connections: number): Promise<LoadResult> => {
      const from = mark()
      const load = await runLoad({ url: child.baseUrl, connections, seconds: roundSeconds, requests: freshPosts(postBodyMaker(raw!.target, eventsPerRequest)), method: 'POST', headers, serverCpuSeconds: () => child.cpuSeconds() })
      profiling?.phases.push({ phase: `POST /events x${eventsPerRequest} (${connections} conn)`, fromUs: from, toUs: mark() })
      return load
    }
    const batchedRounds: LoadResult[] = []
    const replayedBatches: ReplayResult[] = []
    // every commit keeps one checkpoint: their count says how many requests a group commit took
    const commitsAtStart = commitCount(work)
    for (let round = 0; round < APPEND_ROUNDS; round += 1) {
      await pause()
      batchedRounds.push(await appendRound(BATCH_EVENTS, batchConnections))
      if (!alive('batched appends')) return result
      await pause()
      replayedBatches.push(replayWrites(raw.paths.replay, raw.batched, sliceOf(raw.batched, round, APPEND_ROUNDS)))
    }
    const batchedLoad = combineLoads(batchedRounds)
    const rawBatched = combineReplays(replayedBatches)
    const commitsAfterBatched = commitCount(work)
    const batchedRequests = (batchedLoad.statusCodes['201'] ?? 0) / batchedLoad.seconds
    const batchedCommits = commitsAfterBatched - commitsAtStart
    log(`${dataset.name}: batched appends: ${Math.round(batchedRequests * BATCH_EVENTS)} events/s (${describeLoad(batchedLoad)}, ${((batchedLoad.statusCodes['201'] ?? 0) / Math.max(1, batchedCommits)).toFixed(1)} requests a commit) | raw better-sqlite3, the captured rows, ${BATCH_EVENTS} events a transaction: ${Math.round(rawBatched.eventsPerSecond)} events/s (${rawBatched.seconds.toFixed(2)} s) | ${((100 * batchedRequests * BATCH_EVENTS) / rawBatched.eventsPerSecond).toFixed(0)}%`)
    const singleRounds: LoadResult[] = []
    const oneRowRounds: RawAppendResult[] = []
    const replayedSingles: ReplayResult[] = []
    const oneRowMaker = rawRowMaker(raw.target)
    for (let round = 0; round < APPEND_ROUNDS; round += 1) {
      await pause()
      singleRounds.push(await appendRound(1, SINGLE_CONNECTIONS))
      if (!alive('single-event appends')) return result
      await pause()
      oneRowRounds.push(rawAppend(raw.paths.oneRow, oneRowMaker, 1, roundSeconds))
      replayedSingles.push(replayWrites(raw.paths.replay, raw.single, sliceOf(raw.single, round, APPEND_ROUNDS)))
    }
    const singleLoad = combineLoads(singleRounds)
    const commitsAfterSingle = commitCount(work)
    const rawOneRow = combineRawAppends(oneRowRounds)
    const rawSingle = combineReplays(replayedSingles)
    const singleRequests = (singleLoad.statusCodes['201'] ?? 0) / singleLoad.seconds
    const singleCommits = commitsAfterSingle - commitsAfterBatched
    log(`${dataset.name}: single-event appends: ${Math.round(singleRequests)} writes/s (${describeLoad(singleLoad)}, ${((singleLoad.statusCodes['201'] ?? 0) / Math.max(1, singleCommits)).toFixed(1)} requests a commit) | raw one events row a commit: ${Math.round(rawOneRow.transactionsPerSecond)} commits/s; the captured rows of one request a commit: ${Math.round(rawSingle.transactionsPerSecond)} commits/s | ${(singleRequests / rawOneRow.transactionsPerSecond).toFixed(2)}x`)
    result.appends = {
      batched: {
        eventsPerRequest: BATCH_EVENTS,
        http: batchedLoad,
        eventsPerSecond: batchedRequests * BATCH_EVENTS,
        requestsPerSecond: batchedRequests,
        commits: batchedCommits,
        raw: rawBatched,
        capture: summaryOf(raw.batched),
        ratio: (batchedRequests * BATCH_EVENTS) / rawBatched.eventsPerSecond,
      },
      single: {
        eventsPerRequest: 1,
        http: singleLoad,
        eventsPerSecond: singleRequests,
        requestsPerSecond: singleRequests,
        commits: singleCommits,
        raw: rawSingle,
        capture: summaryOf(raw.single),
        rawOneRow,
        ratio: singleRequests / rawOneRow.transactionsPerSecond,
        ratioToReplay: singleRequests / rawSingle.transactionsPerSecond,
      },
    }

    const exit = await child.stop()
    if (exit.code !== 0) {
      result.crash = crashReport(child, store.path, 'shutdown')
      log(`${dataset.name}: ${result.crash}`)
    }
    if (options.checkReplay === true) {
      const comparison = sameStore(raw.paths.capture, raw.paths.replay)
      result.replayCheck =
        comparison.difference === undefined
          ? `equal: ${Object.values(comparison.rows).reduce((sum, n) => sum + n, 0)} rows in ${Object.keys(comparison.rows).length} tables`
          : `DIFFERENT: ${comparison.difference}`
      log(`${dataset.name}: the store the captured statements were replayed on against the one they were captured on: ${result.replayCheck}`)
    }
  } finally {
    await child.stop()
    raw?.remove()
    removeStore(work)
  }

  result.rebuild = await measureRebuild(dataset, store, profiling)
  return result
}

async function measureAsOf(dataset: DatasetInfo, store: StoreInfo): Promise<AsOfResult> {
  const hot = dataset.hot!
  const cold = dataset.cold!
  const work = join(workDir, `${dataset.name}.sqlite`)
  copyStore(store.path, work)
  log(`as-of: starting the service on ${dataset.events} events (${hot.claims} claims at ${hot.id}, ${cold.claims} at ${cold.id}) …`)
  const { child, readyMs } = await startLedger(work)
  log(`as-of: ready in ${(readyMs / 1000).toFixed(1)} s`)
  const when = dates(256, 6962)
  let http: AsOfResult['http']
  let afterWriteResult: AsOfResult['afterWrite']
  try {
    const paths = (id: string) => when.map((date) => `/jurisdictions/${id}/stance?asOf=${date}`)
    await fetchBodies(child.baseUrl, [paths(hot.id)[0]!, paths(cold.id)[0]!])
    const coldLoad = await measure(child.baseUrl, cyclingGets(paths(cold.id)), 1, child)
    log(`as-of: ${cold.claims} claims: ${describeLoad(coldLoad)}, mean ${coldLoad.latency.mean.toFixed(3)} ms`)
    const hotLoad = await measure(child.baseUrl, cyclingGets(paths(hot.id)), 1, child)
    log(`as-of: ${hot.claims} claims: ${describeLoad(hotLoad)}, mean ${hotLoad.latency.mean.toFixed(3)} ms`)
    if (child.exit !== undefined) throw new Error(crashReport(child, store.path, 'as-of reads'))
    http = { hot: hotLoad, cold: coldLoad, ratio: hotLoad.latency.mean / coldLoad.latency.mean }
    // a read right after a write to the same jurisdiction of a claim dated in the past (a random day
    // inside the timelines the dataset wrote, 1979 to 2025): whatever the write invalidated is rebuilt
    const past = dates(AFTER_WRITE_ROUNDS * 2, 1979)
    let nextPast = 0
    const afterWrite = async (id: string): Promise<number[]> => {
      const body = postBodyMaker({ jurisdictions: [id], sources: dataset.plainSources }, 1, { on: () => past[nextPast++ % past.length]! })
      const latencies: number[] = []
      for (let i = 0; i < AFTER_WRITE_ROUNDS; i += 1) {
        const write = await fetch(`${child.baseUrl}/events`, { method: 'POST', headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' }, body: body() })
        if (write.status !== 201) throw new Error(`POST /events: ${write.status} ${await write.text()}`)
        await write.arrayBuffer()
        const started = performance.now()
        const read = await fetch(`${child.baseUrl}${paths(id)[i % when.length]}`)
        await read.arrayBuffer()
        latencies.push(performance.now() - started)
        if (read.status !== 200) throw new Error(`GET after a write: ${read.status}`)
      }
      return latencies.sort((a, b) => a - b)
    }
    const coldAfter = await afterWrite(cold.id)
    const hotAfter = await afterWrite(hot.id)
    const median = (values: number[]) => values[Math.floor(values.length / 2)]!
    afterWriteResult = { rounds: AFTER_WRITE_ROUNDS, hotMedianMs: median(hotAfter), coldMedianMs: median(coldAfter), ratio: median(hotAfter) / median(coldAfter) }
    log(`as-of: first read after a write of a claim dated in the past (fetch, median of ${AFTER_WRITE_ROUNDS}): ${afterWriteResult.hotMedianMs.toFixed(2)} ms at ${hot.claims} claims vs ${afterWriteResult.coldMedianMs.toFixed(2)} ms at ${cold.claims}`)
  } finally {
    await child.stop()
  }
  log('as-of: in process (compose read-only, stanceAnswer) …')
  const inProcess = await inProcessAsOf(work, hot.id, cold.id, when, Math.max(2, seconds))
  log(`as-of: in process: ${inProcess.hot.meanMicros.toFixed(1)} µs vs ${inProcess.cold.meanMicros.toFixed(1)} µs (first query ${inProcess.hot.firstQueryMicros.toFixed(0)} µs vs ${inProcess.cold.firstQueryMicros.toFixed(0)} µs)`)
  removeStore(work)
  return { hotClaims: hot.claims, coldClaims: cold.claims, events: dataset.events, http, afterWrite: afterWriteResult, inProcess }
}

// ---------------------------------------------------------------------------------------------------
// main

async function main(): Promise<void> {
  mkdirSync(workDir, { recursive: true })
  const info = machine()
  log(`policy-ledger benchmark: ${info.cpus} x ${info.cpuModel}, ${info.memoryGiB} GiB, node ${info.node}, sqlite ${info.sqlite}; load generator ${loadGenerator.name} ${loadGenerator.version}`)
  log(`sizes ${sizes.map(sizeName).join(', ')}; ${seconds} s per load run; as-of ${hotClaims} vs ${coldClaims} claims; Merkle at ${merkleSize}`)
  if (flags.fresh === true) {
    for (const name of readdirSync(dataDir)) if (/\.(ndjson|sqlite|json|pem)$/.test(name)) rmSync(join(dataDir, name), { force: true })
  }

  const datasets = sizes.map((events) => ensureDataset(ledgerSpec(events, seed), dataDir, log))
  const hotDataset = ensureDataset(hotColdSpec(hotClaims, coldClaims, seed), dataDir, log)

  const stores = new Map<string, StoreInfo>()
  let checked = false
  // the last check of the direct loader, kept while the store sources are the ones it was made with
  const checkFile = join(dataDir, 'direct-loader-check.json')
  let loaderCheck: string | undefined
  try {
    const kept = JSON.parse(readFileSync(checkFile, 'utf8')) as { sourcesHash: string; result: string; at: string }
    if (kept.sourcesHash === storeSourcesHash()) loaderCheck = `${kept.result} (checked ${kept.at})`
  } catch {
    // never checked with these sources
  }
  for (const dataset of [...datasets, hotDataset]) {
    if (loadMethod === 'direct' && !checked && currentStore(dataset, dataDir) === undefined) {
      // the direct loader must write what the service's import writes: checked on a 10k dataset
      const probe = ensureDataset(ledgerSpec(CHECK_EVENTS, seed), dataDir, log)
      log(`checking the direct loader against policy-ledger import on ${probe.name} …`)
      const comparison = await checkDirectLoader(probe, workDir, () => undefined)
      checked = true
      loaderCheck = comparison.difference === undefined ? `equal: ${Object.entries(comparison.rows).map(([table, n]) => `${table} ${n}`).join(', ')}` : `DIFFERENT: ${comparison.difference}`
      writeFileSync(checkFile, `${JSON.stringify({ sourcesHash: storeSourcesHash(), result: loaderCheck, at: new Date().toISOString() }, null, 2)}\n`)
      if (comparison.difference !== undefined) {
        log(`the direct loader + rebuild differs from the import (${comparison.difference}): using policy-ledger import for every store`)
        loadMethod = 'import'
      } else {
        log(`the direct loader + policy-ledger rebuild writes exactly what policy-ledger import writes, table by table (${loaderCheck})`)
      }
    }
    stores.set(dataset.name, await ensureStore(dataset, dataDir, loadMethod, log))
  }

  const sizeResults: SizeResult[] = []
  for (const [index, dataset] of datasets.entries()) sizeResults.push(await measureSize(dataset, stores.get(dataset.name)!, { checkReplay: index === 0 }))
  const growth = memoryGrowth(sizeResults)
  if (growth !== undefined) log(`memory: RSS grew ${Math.round(growth.bytesPerEvent)} B/event from ${growth.from.name} to ${growth.to.name} (heap ${Math.round(growth.heapBytesPerEvent)} B/event)`)

  let asOf: AsOfResult | undefined
  try {
    asOf = await measureAsOf(hotDataset, stores.get(hotDataset.name)!)
  } catch (error) {
    log(`as-of: failed: ${(error as Error).message}`)
  }

  log(`Merkle: ${merkleSize} leaves …`)
  const merkle = merkleCost(merkleSize)
  log(`Merkle: build ${merkle.buildSeconds.toFixed(2)} s, root ${merkle.rootMicros.toFixed(1)} µs, inclusion ${merkle.inclusionProofMicros.toFixed(1)} µs, consistency ${merkle.consistencyProofMicros.toFixed(1)} µs, naive root ${merkle.naiveRootSeconds.toFixed(2)} s`)

  let profile: Results['profile']
  if (flags.profile === true) {
    const wanted = flags['profile-size'] === undefined ? undefined : parseSize(flags['profile-size'])
    const dataset = datasets.find((d) => d.events === wanted) ?? datasets.find((d) => d.events === 100_000) ?? datasets.at(-1)!
    mkdirSync(profileDir, { recursive: true })
    log(`profile: the server child under --cpu-prof at ${dataset.name} …`)
    const profiling: Profiling = { phases: [], rebuildProfiles: [] }
    const before = new Set(readdirSync(profileDir))
    await measureSize(dataset, stores.get(dataset.name)!, { profiling })
    const written = readdirSync(profileDir)
      .filter((name) => !before.has(name) && name.endsWith('.cpuprofile'))
      .map((name) => join(profileDir, name))
      .filter((path) => !profiling.rebuildProfiles.includes(path))
    const mainThread = written.find((path) => /\.\d+\.0\.\d+\.cpuprofile$/.test(path))
    const phases: ProfilePhase[] = []
    if (mainThread === undefined) {
      log('profile: the server child wrote no profile')
    } else {
      const names = [...new Set(profiling.phases.map(({ phase }) => phase))]
      for (const phase of names) {
        phases.push({ phase, summary: formatProfile(summariseProfile(mainThread, 20, profiling.phases.filter((p) => p.phase === phase)), `${phase} at ${dataset.name} (server child)`) })
      }
    }
    const rebuildProfile = profiling.rebuildProfiles.find((path) => /\.\d+\.0\.\d+\.cpuprofile$/.test(path))
    if (rebuildProfile !== undefined) phases.push({ phase: 'policy-ledger rebuild', summary: formatProfile(summariseProfile(rebuildProfile, 20), `policy-ledger rebuild at ${dataset.name} (its child process, start to exit)`) })
    for (const { summary } of phases) process.stdout.write(`\n${summary}\n`)
    if (phases.length > 0) profile = { size: dataset.name, file: mainThread ?? rebuildProfile!, ...(rebuildProfile === undefined ? {} : { rebuildFile: rebuildProfile }), phases }
  }

  const rows = rowsOf({ sizes: sizeResults, asOf, merkle })
  const table = markdownTable(rows)
  const minutes = (performance.now() - runStarted) / 60_000
  const results: Results = {
    generatedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: info,
    loadGenerator,
    settings: {
      sizes: sizes.map(sizeName),
      secondsPerLoadRun: seconds,
      warmupSeconds,
      readConnections: READ_CONNECTIONS,
      readRounds: READ_ROUNDS,
      batchedAppend: { eventsPerRequest: BATCH_EVENTS, connections: batchConnections },
      singleAppend: { connections: SINGLE_CONNECTIONS },
      asOf: { hotClaims, coldClaims, connections: 1 },
      merkleSize,
      storesBuiltWith: loadMethod === 'direct' ? 'direct (events and checkpoints through the store module, then policy-ledger rebuild)' : 'policy-ledger import',
      ...(loaderCheck === undefined ? {} : { directLoaderAgainstImport: loaderCheck }),
      rawAppends:
        'bench/capture.ts: the ledger composed in the bench process on a scratch copy sends the same claims (recordEvents, one request at a time) while every write statement of its connection is recorded with its parameters; the raw baseline replays exactly those statements, prepared once, one transaction per captured request, on another copy of the same store (WAL, synchronous=FULL, the ledger connection\'s cache_size)',
      rawOneRowCommits: 'one events row (random UUID id) per BEGIN IMMEDIATE … COMMIT, WAL, synchronous=FULL, on the file the service wrote to',
      rebuild: 'policy-ledger rebuild (every read model) in a child process on a copy of the store, spawn to exit, minus the same command on an empty store; raw: better-sqlite3 reading every events row in position order and JSON.parse of its entry',
      service: 'node --import tsx src/cli/run.ts serve (child process), LEDGER_WRITE_RATE_LIMIT=0, LEDGER_SEED=false, LOG_LEVEL=silent, NODE_ENV=production',
      bare: 'fastify with no plugins in a child process, answering each URL with the exact bytes the ledger answered',
      seed,
      targets: TARGETS,
    },
    datasets: [...datasets, hotDataset].map((d) => ({ name: d.name, events: d.events, bytes: d.bytes, sha256: d.sha256, generatorVersion: d.generatorVersion, typeCounts: d.typeCounts, storeBytes: stores.get(d.name)?.bytes })),
    sizes: sizeResults,
    ...(asOf === undefined ? {} : { asOf }),
    merkle,
    ...(profile === undefined ? {} : { profile }),
    rows,
    table,
    minutes,
  }
  writeFileSync(output, `${JSON.stringify(results, null, 2)}\n`)
  process.stdout.write(`\n${table}\n\n`)
  process.stdout.write(`load generator: ${loadGenerator.name} ${loadGenerator.version}; ${info.cpus} x ${info.cpuModel}; node ${info.node}; sqlite ${info.sqlite}\n`)
  process.stdout.write(`reproduce: npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}   (${minutes.toFixed(1)} minutes; results in ${output})\n`)
  const failed = rows.filter((row) => row.pass === false).length
  process.stdout.write(`${rows.filter((row) => row.pass === true).length} rows meet their target, ${failed} do not\n`)
}

await main()
