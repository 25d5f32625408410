/**
 * Embedded stores holding a dataset, built once and reused: `bench/data/<name>.sqlite` (with its signing
 * key beside it, as the service keeps it). Two ways to build one, which must give the same store:
 *
 * - `import`: the service's own path, `policy-ledger import FILE` in a child process (every line parsed,
 *   checked against the schemas and the write model's rules, then written verbatim, each batch folded
 *   into the read models in the commit that stores it);
 * - `direct`: the same lines through the store module (`append`, `saveCheckpoint`) without the checks,
 *   with a checkpoint signed at the sizes the import signs them (0, every IMPORT_BATCH events, the end),
 *   then `policy-ledger rebuild` in a child process to fold the log into every read model.
 *
 * Either way the store is what the service finds after an import: events, checkpoints, the read models
 * (rm_* tables, `read_models`) and the Merkle tree's nodes, so a start has nothing to fold. `sameStore`
 * compares two stores table by table, row by row (the fold is deterministic); the harness builds its
 * smallest store both ways and falls back to `import` everywhere if they ever differ.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, createReadStream, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import Database from 'better-sqlite3'
import { parseConfig } from '../src/config/config.js'
import { signCheckpoint } from '../src/log/checkpoint.js'
import { leafHash } from '../src/log/entry.js'
import { MerkleTree } from '../src/log/merkle.js'
import { loadOrCreateSigningKey } from '../src/log/signingKey.js'
import type { EventToAppend, StreamAppend } from '../src/stores/eventStore.js'
import { openSqliteEventStore } from '../src/stores/sqlite/sqliteEventStore.js'
import type { DatasetInfo } from './dataset.js'

export type LoadMethod = 'direct' | 'import'

/** `policy-ledger import`'s default `--batch`: one append, and so one checkpoint, per this many lines. */
export const IMPORT_BATCH = 500

export const repoRoot = new URL('..', import.meta.url).pathname

/**
 * The sources whose behaviour decides what a built store holds (files, or folders taken whole): a change
 * to any of them rebuilds. The read models' folds live in projections/ and src/readModels/, what they
 * read in events/.
 */
const STORE_SOURCES = [
  'events',
  'projections',
  'src/stores',
  'src/readModels',
  'src/log',
  'src/runner',
  'src/writeModel',
  'src/ledger',
  'src/compose.ts',
  'src/cli/importFile.ts',
  'src/cli/rebuildCommand.ts',
]

/** Bump when `loadDirect` changes what it writes. */
const LOADER_VERSION = 2

function sourceFiles(path: string): string[] {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path)
    .sort()
    .flatMap((name) => sourceFiles(join(path, name)))
}

export function storeSourcesHash(): string {
  const hash = createHash('sha256').update(`loader ${LOADER_VERSION}`)
  for (const source of STORE_SOURCES) {
    for (const path of sourceFiles(join(repoRoot, source))) hash.update(path.slice(repoRoot.length)).update(readFileSync(path))
  }
  return hash.digest('hex').slice(0, 16)
}

export interface StoreInfo {
  path: string
  events: number
  method: LoadMethod
  /** How long building it took (when it was built, not when it was reused). */
  seconds: number
  /** Of which, for `direct`: writing events and checkpoints, then `policy-ledger rebuild`. */
  loadSeconds?: number
  rebuildSeconds?: number
  bytes: number
  datasetSha256: string
  sourcesHash: string
}

export function signingKeyPath(storePath: string): string {
  return `${storePath}.signing-key.pem`
}

/** Removes a store and everything the service keeps beside it. */
export function removeStore(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal', '.lock', '.signing-key.pem']) rmSync(`${path}${suffix}`, { force: true })
}

/** Copies a closed store (and its key) so a run can write to it without touching the cached one. */
export function copyStore(from: string, to: string): void {
  removeStore(to)
  copyFileSync(from, to)
  copyFileSync(signingKeyPath(from), signingKeyPath(to))
}

async function* lines(path: string): AsyncGenerator<string> {
  for await (const line of createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    if (line !== '') yield line
  }
}

/** The environment a CLI command on `storePath` runs with: production, quiet, no seed, no tap hooks. */
function commandEnv(storePath: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    LEDGER_STORE: `sqlite:${storePath}`,
    LEDGER_SEED: 'false',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  }
  delete env.NODE_OPTIONS
  return env
}

/** The service's import command in a child process, its progress lines passed on. */
export async function loadWithImport(datasetPath: string, storePath: string, log: (line: string) => void): Promise<void> {
  const env = commandEnv(storePath)
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'import', '--batch', String(IMPORT_BATCH), datasetPath], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const relay = (chunk: string) => {
    output += chunk
    for (const line of chunk.split('\n')) if (line.trim() !== '') log(`  import: ${line.trim()}`)
  }
  child.stdout.setEncoding('utf8').on('data', relay)
  child.stderr.setEncoding('utf8').on('data', relay)
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)))
  if (code !== 0) throw new Error(`policy-ledger import exited with ${code}:\n${output.slice(-4000)}`)
}

export interface RebuildRun {
  /** Spawn to exit of the child, milliseconds. */
  wallMs: number
  /** What the command says it took (compose with every read model dropped and folded again). */
  reportedSeconds: number | undefined
  /** Its summary line. */
  line: string
}

/**
 * `policy-ledger rebuild` (every read model, as the command does without names) in a child process on
 * `storePath`, timed from spawn to exit. `profileDir`: run it under `--cpu-prof`.
 */
export async function runRebuild(storePath: string, options: { profileDir?: string; log?: (line: string) => void } = {}): Promise<RebuildRun> {
  const env = commandEnv(storePath)
  const args = [...(options.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`]), '--import', 'tsx', 'src/cli/run.ts', 'rebuild']
  const started = performance.now()
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
    for (const line of chunk.split('\n')) if (line.trim() !== '') options.log?.(`  rebuild: ${line.trim()}`)
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)))
  const wallMs = performance.now() - started
  if (code !== 0) throw new Error(`policy-ledger rebuild exited with ${code}:\n${output.slice(-4000)}`)
  const line = output.split('\n').find((text) => text.startsWith('rebuilt ')) ?? output.trim().split('\n').at(-1) ?? ''
  const reported = / in (\d+(?:\.\d+)?) s /.exec(line)
  return { wallMs, reportedSeconds: reported === null ? undefined : Number(reported[1]), line }
}

/** The same lines through the store module: what the import writes, without re-checking every line. */
export async function loadDirect(datasetPath: string, storePath: string, log: (line: string) => void): Promise<void> {
  const origin = parseConfig({}).origin
  const key = await loadOrCreateSigningKey(signingKeyPath(storePath))
  const store = openSqliteEventStore({ path: storePath })
  const tree = new MerkleTree()
  const checkpoint = async (size: number) => {
    const rootHash = tree.root(size)
    await store.saveCheckpoint({ treeSize: size, rootHash, note: signCheckpoint({ origin, treeSize: size, rootHash }, key.privateKey) })
  }
  try {
    await checkpoint(0)
    let batch: EventToAppend[] = []
    let position = 0
    let lastReport = performance.now()
    const flush = async () => {
      if (batch.length === 0) return
      // consecutive events of one stream form a run, as the write model groups them
      const runs: StreamAppend[] = []
      for (const event of batch) {
        const last = runs.at(-1)
        if (last?.stream === event.stream) last.events.push(event)
        else runs.push({ stream: event.stream, expectedRevision: 'any', events: [event] })
      }
      await store.append(runs)
      for (const event of batch) tree.append(event.leafHash)
      position += batch.length
      batch = []
      await checkpoint(position)
      if (performance.now() - lastReport > 5_000) {
        lastReport = performance.now()
        log(`  direct load: ${position} events`)
      }
    }
    for await (const line of lines(datasetPath)) {
      const parsed = JSON.parse(line) as { id: string; stream: string; type: string; data: unknown; metadata: unknown }
      batch.push({ id: parsed.id, stream: parsed.stream, type: parsed.type, data: parsed.data, metadata: parsed.metadata, entry: line, leafHash: leafHash(line) })
      if (batch.length === IMPORT_BATCH) await flush()
    }
    await flush()
  } finally {
    await store.close()
  }
}

/** The dataset's built store, when it is there and was built from this dataset by these sources. */
export function currentStore(dataset: DatasetInfo, dir: string): StoreInfo | undefined {
  const path = join(dir, `${dataset.name}.sqlite`)
  const metaPath = `${path}.meta.json`
  if (!existsSync(path) || !existsSync(metaPath) || !existsSync(signingKeyPath(path))) return undefined
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as StoreInfo
  const current = meta.datasetSha256 === dataset.sha256 && meta.sourcesHash === storeSourcesHash() && statSync(path).size === meta.bytes
  return current ? { ...meta, path } : undefined
}

/** The dataset's store: reused when built from the same dataset by the same sources, built otherwise. */
export async function ensureStore(dataset: DatasetInfo, dir: string, method: LoadMethod, log: (line: string) => void): Promise<StoreInfo> {
  const path = join(dir, `${dataset.name}.sqlite`)
  const metaPath = `${path}.meta.json`
  const sourcesHash = storeSourcesHash()
  const current = currentStore(dataset, dir)
  if (current !== undefined) {
    log(`store ${dataset.name}: reusing ${path} (built with ${current.method} in ${current.seconds.toFixed(1)} s)`)
    return current
  }
  const building = join(dir, `${dataset.name}.building.sqlite`)
  removeStore(building)
  removeStore(path)
  log(`store ${dataset.name}: loading ${dataset.events} events with ${method === 'import' ? 'policy-ledger import' : 'the store module, then policy-ledger rebuild'} …`)
  const started = performance.now()
  let phases: Pick<StoreInfo, 'loadSeconds' | 'rebuildSeconds'> = {}
  if (method === 'import') {
    await loadWithImport(dataset.path, building, log)
  } else {
    await loadDirect(dataset.path, building, log)
    const loaded = performance.now()
    const rebuild = await runRebuild(building, { log })
    log(`store ${dataset.name}: ${rebuild.line}`)
    phases = { loadSeconds: (loaded - started) / 1000, rebuildSeconds: rebuild.wallMs / 1000 }
  }
  const seconds = (performance.now() - started) / 1000
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(`${building}${suffix}`) && statSync(`${building}${suffix}`).size > 0) {
      throw new Error(`${building}${suffix} is left over: the store was not closed cleanly`)
    }
  }
  renameSync(building, path)
  renameSync(signingKeyPath(building), signingKeyPath(path))
  for (const suffix of ['-wal', '-shm', '.lock']) rmSync(`${building}${suffix}`, { force: true })
  const info: StoreInfo = { path, events: dataset.events, method, seconds, ...phases, bytes: statSync(path).size, datasetSha256: dataset.sha256, sourcesHash }
  writeFileSync(metaPath, `${JSON.stringify(info, null, 2)}\n`)
  log(`store ${dataset.name}: ${dataset.events} events in ${seconds.toFixed(1)} s (${Math.round(dataset.events / seconds)} events/s), ${(info.bytes / 1e6).toFixed(0)} MB`)
  return info
}

export interface StoreComparison {
  /** undefined when equal, else the first difference. */
  difference: string | undefined
  /** Rows compared, by table. */
  rows: Record<string, number>
}

/** A column value as text: blobs as hex, so two values compare by their bytes. */
function cellText(value: unknown): string {
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex')}'`
  return JSON.stringify(value)
}

/** How a table's rows are read in a fixed order: by rowid, or by the primary key of a WITHOUT ROWID one. */
function orderedRows(db: Database.Database, table: string): string {
  const quoted = `"${table.replaceAll('"', '""')}"`
  const withoutRowid = /\bWITHOUT\s+ROWID\b/i.test(
    (db.prepare<[string], string>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) ?? ''),
  )
  if (!withoutRowid) return `SELECT rowid AS "(rowid)", * FROM ${quoted} ORDER BY rowid`
  const key = (db.prepare(`PRAGMA table_info(${quoted})`).all() as Array<{ name: string; pk: number }>)
    .filter((column) => column.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((column) => `"${column.name}"`)
  return `SELECT * FROM ${quoted} ORDER BY ${key.join(', ')}`
}

/**
 * Equality of two stores: the schema (every table, index and trigger), the file layout version, and
 * every table row by row, column by column: events, checkpoints, `read_models`, every rm_* table,
 * `merkle_nodes`, whatever else is there.
 */
export function sameStore(a: string, b: string): StoreComparison {
  const left = new Database(a, { readonly: true })
  const right = new Database(b, { readonly: true })
  const rows: Record<string, number> = {}
  try {
    const versions = [left, right].map((db) => Number(db.pragma('user_version', { simple: true })))
    if (versions[0] !== versions[1]) return { difference: `user_version ${versions[0]} vs ${versions[1]}`, rows }
    const schema = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    const schemas = [left, right].map((db) => db.prepare(schema).all() as Array<{ type: string; name: string; sql: string | null }>)
    const l = JSON.stringify(schemas[0])
    const r = JSON.stringify(schemas[1])
    if (l !== r) {
      const index = schemas[0]!.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(schemas[1]![i]))
      return { difference: `schema: ${JSON.stringify(schemas[0]![index] ?? null).slice(0, 300)} vs ${JSON.stringify(schemas[1]![index] ?? null).slice(0, 300)}`, rows }
    }
    const tables = schemas[0]!.filter((row) => row.type === 'table').map((row) => row.name)
    for (const table of tables) {
      const x = left.prepare(orderedRows(left, table)).raw().iterate() as IterableIterator<unknown[]>
      const y = right.prepare(orderedRows(right, table)).raw().iterate() as IterableIterator<unknown[]>
      let row = 0
      for (; ; row += 1) {
        const p = x.next()
        const q = y.next()
        if (p.done === true && q.done === true) break
        const lt = p.done === true ? '(no row)' : p.value.map(cellText).join(', ')
        const rt = q.done === true ? '(no row)' : q.value.map(cellText).join(', ')
        if (lt !== rt) {
          x.return?.()
          y.return?.()
          return { difference: `${table} row ${row}: ${lt.slice(0, 300)} vs ${rt.slice(0, 300)}`, rows }
        }
      }
      rows[table] = row
    }
    return { difference: undefined, rows }
  } finally {
    left.close()
    right.close()
  }
}

/**
 * Builds `dataset` both ways (the direct store signing with the import's key, since Ed25519 signatures
 * are deterministic; then rebuilt by `policy-ledger rebuild`) and compares them table by table.
 */
export async function checkDirectLoader(dataset: DatasetInfo, dir: string, log: (line: string) => void): Promise<StoreComparison> {
  const viaImport = join(dir, `${dataset.name}.check-import.sqlite`)
  const viaStore = join(dir, `${dataset.name}.check-direct.sqlite`)
  removeStore(viaImport)
  removeStore(viaStore)
  try {
    await loadWithImport(dataset.path, viaImport, log)
    copyFileSync(signingKeyPath(viaImport), signingKeyPath(viaStore))
    await loadDirect(dataset.path, viaStore, log)
    await runRebuild(viaStore, { log })
    return sameStore(viaImport, viaStore)
  } finally {
    removeStore(viaImport)
    removeStore(viaStore)
  }
}
