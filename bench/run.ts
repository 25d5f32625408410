/**
 * `npm run bench`: the ledger measured against the limits of this machine, each measurement beside a
 * baseline taken in the same run, printed as a markdown table with the issue's targets and written to
 * bench/results.json.
 *
 *   npm run bench                          sizes 10k, 100k and 1M (about 7 minutes on 2 cores once the
 *                                          datasets and stores exist, about 11 on a fresh clone)
 *   npm run bench -- --sizes 10k,100k      chosen sizes
 *   npm run bench -- --quick               10k only, 2 s per load run, a smaller hot jurisdiction
 *                                          (results in bench/data/results-quick.json)
 *   npm run bench -- --profile             also profile the server child (node --cpu-prof) per phase
 *
 * Datasets (bench/data/<size>.ndjson) and the stores built from them (bench/data/<size>.sqlite) are
 * reused while their generator and store sources are unchanged; --fresh rebuilds them.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, freemem, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { taxonomy } from '../events/index.js'
import { appendTarget, postBodyMaker, rawRowMaker } from './appends.js'
import { inProcessAsOf } from './asOfCost.js'
import { DEFAULT_SEED, ensureDataset, hotColdSpec, ledgerSpec, parseSize, Random, sizeName, type DatasetInfo } from './dataset.js'
import { combineLoads, cyclingGets, freshPosts, loadGenerator, runLoad, type LoadResult } from './load.js'
import { checkDirectLoader, copyStore, currentStore, ensureStore, removeStore, repoRoot, type LoadMethod, type StoreInfo } from './loadStore.js'
import { merkleCost } from './merkleCost.js'
import { BENCH_TOKEN, startBare, startLedger, type Child, type MemoryUsage } from './processes.js'
import { formatProfile, summariseProfile } from './profileSummary.js'
import { rawAppend, rawReplay } from './raw.js'
import { markdownTable, rowsOf, TARGETS, type AppendResult, type AsOfResult, type ProfilePhase, type ReadResult, type Results, type SizeResult } from './report.js'

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
  --load-with direct|import build stores through the store module (checked against the import) or with
                            policy-ledger import (default direct)
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

interface EmptyBaseline {
  readyMs: number
  memory: MemoryUsage
}

/** The service on an empty store: its start-up time and memory, subtracted from the loaded ones. */
async function emptyBaseline(): Promise<EmptyBaseline> {
  const readies: number[] = []
  const memories: MemoryUsage[] = []
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const path = join(workDir, 'empty.sqlite')
    removeStore(path)
    const { child, readyMs } = await startLedger(path)
    readies.push(readyMs)
    memories.push(await child.memory())
    await child.stop()
    removeStore(path)
  }
  const readyMs = Math.min(...readies)
  const memory = memories.sort((a, b) => a.rss - b.rss)[1]!
  log(`empty store: ready in ${readyMs.toFixed(0)} ms (best of ${readies.map((r) => r.toFixed(0)).join(', ')}), RSS ${(memory.rss / 2 ** 20).toFixed(0)} MiB after GC (median of ${memories.map((m) => (m.rss / 2 ** 20).toFixed(0)).join(', ')})`)
  return { readyMs, memory }
}

async function measureSize(dataset: DatasetInfo, store: StoreInfo, empty: EmptyBaseline, profiling?: { phases: Array<{ phase: string; fromUs: number; toUs: number }> }): Promise<SizeResult> {
  const work = join(workDir, `${dataset.name}.sqlite`)
  log(`${dataset.name}: copying the store (${(store.bytes / 1e6).toFixed(0)} MB) and starting the service …`)
  copyStore(store.path, work)
  const mark = () => Number(process.hrtime.bigint() / 1000n)
  const spawnAt = mark()
  let started = await startLedger(work, profiling === undefined ? {} : { profileDir })
  profiling?.phases.push({ phase: 'cold start (replay)', fromUs: spawnAt, toUs: mark() })
  // a short replay is within the noise of starting node: take the best of three starts
  const readies = [started.readyMs]
  while (profiling === undefined && readies.length < 3 && Math.max(...readies) < 10_000) {
    await started.child.stop()
    started = await startLedger(work)
    readies.push(started.readyMs)
  }
  const { child } = started
  const readyMs = Math.min(...readies)
  const replaySeconds = Math.max(0.001, (readyMs - empty.readyMs) / 1000)
  log(`${dataset.name}: ready in ${(readyMs / 1000).toFixed(2)} s${readies.length > 1 ? ` (best of ${readies.map((r) => (r / 1000).toFixed(2)).join(', ')})` : ''}: replay ${replaySeconds.toFixed(2)} s = ${Math.round(dataset.events / replaySeconds)} events/s`)
  const loaded = await child.memory()
  const rssBytesPerEvent = (loaded.rss - empty.memory.rss) / dataset.events
  log(`${dataset.name}: RSS ${(loaded.rss / 2 ** 20).toFixed(0)} MiB after GC (${Math.round(rssBytesPerEvent)} B/event), heap ${(loaded.heapUsed / 2 ** 20).toFixed(0)} MiB`)

  const result: SizeResult = {
    name: dataset.name,
    events: dataset.events,
    datasetBytes: dataset.bytes,
    storeBytes: store.bytes,
    coldStart: { readyMs, readyMsEach: readies, emptyReadyMs: empty.readyMs, replaySeconds, eventsPerSecond: dataset.events / replaySeconds, raw: { events: 0, seconds: 0, eventsPerSecond: 0 }, ratio: 0 },
    memory: { loaded, empty: empty.memory, rssBytesPerEvent, heapBytesPerEvent: (loaded.heapUsed - empty.memory.heapUsed) / dataset.events },
    reads: [],
  }
  const alive = (what: string): boolean => {
    if (child.exit === undefined) return true
    result.crash = crashReport(child, store.path, what)
    log(`${dataset.name}: ${result.crash}`)
    return false
  }

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

    // appends: batched and single-event, every request with fresh ids
    const target = appendTarget(dataset)
    const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' }
    const appendLoad = async (eventsPerRequest: number, connections: number): Promise<LoadResult> => {
      const from = mark()
      const load = await measure(child.baseUrl, freshPosts(postBodyMaker(target, eventsPerRequest)), connections, child, { method: 'POST', headers })
      profiling?.phases.push({ phase: `POST /events x${eventsPerRequest} (${connections} conn)`, fromUs: from, toUs: mark() })
      return load
    }
    const batchedLoad = await appendLoad(BATCH_EVENTS, batchConnections)
    if (!alive('batched appends')) return result
    const batchedRate = (batchedLoad.statusCodes['201'] ?? 0) * BATCH_EVENTS / batchedLoad.seconds
    log(`${dataset.name}: batched appends: ${Math.round(batchedRate)} events/s (${describeLoad(batchedLoad)})`)
    const singleLoad = await appendLoad(1, SINGLE_CONNECTIONS)
    if (!alive('single-event appends')) return result
    const singleRate = (singleLoad.statusCodes['201'] ?? 0) / singleLoad.seconds
    log(`${dataset.name}: single-event appends: ${Math.round(singleRate)} writes/s (${describeLoad(singleLoad)})`)

    const exit = await child.stop()
    if (exit.code !== 0) {
      result.crash = crashReport(child, store.path, 'shutdown')
      log(`${dataset.name}: ${result.crash}`)
    }

    // the raw baselines, on the same file the service wrote to, the service stopped
    const rawBatched = rawAppend(work, rawRowMaker(target), BATCH_EVENTS, seconds)
    log(`${dataset.name}: raw better-sqlite3, ${BATCH_EVENTS} a transaction: ${Math.round(rawBatched.eventsPerSecond)} events/s`)
    const rawSingle = rawAppend(work, rawRowMaker(target), 1, seconds)
    log(`${dataset.name}: raw better-sqlite3, 1 a transaction: ${Math.round(rawSingle.eventsPerSecond)} events/s`)
    const append = (http: LoadResult, eventsPerRequest: number, eventsPerSecond: number, raw: typeof rawBatched): AppendResult => ({
      eventsPerRequest,
      http,
      eventsPerSecond,
      raw,
      ratio: eventsPerSecond / raw.eventsPerSecond,
    })
    result.appends = { batched: append(batchedLoad, BATCH_EVENTS, batchedRate, rawBatched), single: append(singleLoad, 1, singleRate, rawSingle) }
  } finally {
    await child.stop()
  }

  const raw = rawReplay(store.path)
  result.coldStart.raw = raw
  result.coldStart.ratio = result.coldStart.eventsPerSecond / raw.eventsPerSecond
  log(`${dataset.name}: raw read + parse of the rows: ${Math.round(raw.eventsPerSecond)} events/s (${raw.seconds.toFixed(2)} s)`)
  removeStore(work)
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
    // a read right after a write to the same jurisdiction: whatever the write invalidated is rebuilt
    const afterWrite = async (id: string): Promise<number[]> => {
      const body = postBodyMaker({ jurisdictions: [id], sources: dataset.plainSources }, 1)
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
    log(`as-of: first read after a write (fetch, median of ${AFTER_WRITE_ROUNDS}): ${afterWriteResult.hotMedianMs.toFixed(2)} ms at ${hot.claims} claims vs ${afterWriteResult.coldMedianMs.toFixed(2)} ms at ${cold.claims}`)
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
  for (const dataset of [...datasets, hotDataset]) {
    if (loadMethod === 'direct' && !checked && currentStore(dataset, dataDir) === undefined) {
      // the direct loader must write what the service's import writes: checked on a 10k dataset
      const probe = ensureDataset(ledgerSpec(CHECK_EVENTS, seed), dataDir, log)
      log(`checking the direct loader against policy-ledger import on ${probe.name} …`)
      const difference = await checkDirectLoader(probe, workDir, () => undefined)
      checked = true
      if (difference !== undefined) {
        log(`the direct loader differs from the import (${difference}): using policy-ledger import for every store`)
        loadMethod = 'import'
      } else {
        log('the direct loader writes exactly what policy-ledger import writes')
      }
    }
    stores.set(dataset.name, await ensureStore(dataset, dataDir, loadMethod, log))
  }

  const empty = await emptyBaseline()
  const sizeResults: SizeResult[] = []
  for (const dataset of datasets) sizeResults.push(await measureSize(dataset, stores.get(dataset.name)!, empty))

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
    const profiling = { phases: [] as Array<{ phase: string; fromUs: number; toUs: number }> }
    const before = new Set(readdirSync(profileDir))
    await measureSize(dataset, stores.get(dataset.name)!, empty, profiling)
    const written = readdirSync(profileDir).filter((name) => !before.has(name) && name.endsWith('.cpuprofile'))
    const mainThread = written.map((name) => join(profileDir, name)).find((path) => /\.\d+\.0\.\d+\.cpuprofile$/.test(path))
    if (mainThread === undefined) {
      log('profile: the child wrote no profile')
    } else {
      const names = [...new Set(profiling.phases.map(({ phase }) => phase))]
      const phases: ProfilePhase[] = names.map((phase) => ({
        phase,
        summary: formatProfile(summariseProfile(mainThread, 20, profiling.phases.filter((p) => p.phase === phase)), `${phase} at ${dataset.name} (server child)`),
      }))
      for (const { summary } of phases) process.stdout.write(`\n${summary}\n`)
      profile = { size: dataset.name, file: mainThread, phases }
    }
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
      storesBuiltWith: loadMethod,
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
