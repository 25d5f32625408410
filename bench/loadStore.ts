/**
 * Embedded stores holding a dataset, built once and reused: `bench/data/<name>.sqlite` (with its signing
 * key beside it, as the service keeps it). Two ways to build one, which must give the same store:
 *
 * - `import`: the service's own path, `policy-ledger import FILE` in a child process (every line parsed,
 *   checked against the schemas and the write model's rules, then written verbatim);
 * - `direct`: the same lines through the store module (`append`, `saveCheckpoint`) without the checks,
 *   with a checkpoint signed at the sizes the import signs them (0, every IMPORT_BATCH events, the end).
 *
 * `sameStore` compares two stores row by row; the harness builds its smallest store both ways and falls
 * back to `import` everywhere if they ever differ.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, createReadStream, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
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

/** The sources whose behaviour decides what a built store holds: a change to any of them rebuilds. */
const STORE_SOURCES = [
  'src/stores/sqliteEventStore.ts',
  'src/ledger/importEntries.ts',
  'src/cli/importFile.ts',
  'src/runner/projectionRunner.ts',
  'src/log/entry.ts',
  'src/log/canonicalJson.ts',
  'src/log/checkpoint.ts',
  'src/log/merkle.ts',
  'src/log/ledgerLog.ts',
]

/** Bump when `loadDirect` changes what it writes. */
const LOADER_VERSION = 1

export function storeSourcesHash(): string {
  const hash = createHash('sha256').update(`loader ${LOADER_VERSION}`)
  for (const file of STORE_SOURCES) {
    const path = join(repoRoot, file)
    hash.update(file).update(existsSync(path) ? readFileSync(path) : Buffer.alloc(0))
  }
  return hash.digest('hex').slice(0, 16)
}

export interface StoreInfo {
  path: string
  events: number
  method: LoadMethod
  /** How long building it took (when it was built, not when it was reused). */
  seconds: number
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

/** The service's import command in a child process, its progress lines passed on. */
export async function loadWithImport(datasetPath: string, storePath: string, log: (line: string) => void): Promise<void> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    LEDGER_STORE: `sqlite:${storePath}`,
    LEDGER_SEED: 'false',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  }
  delete env.NODE_OPTIONS
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
  log(`store ${dataset.name}: loading ${dataset.events} events with ${method === 'import' ? 'policy-ledger import' : 'the store module'} …`)
  const started = performance.now()
  if (method === 'import') await loadWithImport(dataset.path, building, log)
  else await loadDirect(dataset.path, building, log)
  const seconds = (performance.now() - started) / 1000
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(`${building}${suffix}`) && statSync(`${building}${suffix}`).size > 0) {
      throw new Error(`${building}${suffix} is left over: the store was not closed cleanly`)
    }
  }
  renameSync(building, path)
  renameSync(signingKeyPath(building), signingKeyPath(path))
  for (const suffix of ['-wal', '-shm', '.lock']) rmSync(`${building}${suffix}`, { force: true })
  const info: StoreInfo = { path, events: dataset.events, method, seconds, bytes: statSync(path).size, datasetSha256: dataset.sha256, sourcesHash }
  writeFileSync(metaPath, `${JSON.stringify(info, null, 2)}\n`)
  log(`store ${dataset.name}: ${dataset.events} events in ${seconds.toFixed(1)} s (${Math.round(dataset.events / seconds)} events/s), ${(info.bytes / 1e6).toFixed(0)} MB`)
  return info
}

/** Row-by-row equality of two stores (schema, events, checkpoints): undefined when equal, else where. */
export function sameStore(a: string, b: string): string | undefined {
  const left = new Database(a, { readonly: true })
  const right = new Database(b, { readonly: true })
  try {
    const queries = [
      "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
      'SELECT position, id, stream, revision, entry, hex(leaf_hash) AS leaf_hash FROM events ORDER BY position',
      'SELECT tree_size, hex(root_hash) AS root_hash, note FROM checkpoints ORDER BY tree_size',
    ]
    for (const query of queries) {
      const x = left.prepare(query).iterate() as IterableIterator<Record<string, unknown>>
      const y = right.prepare(query).iterate() as IterableIterator<Record<string, unknown>>
      for (let row = 0; ; row += 1) {
        const p = x.next()
        const q = y.next()
        if (p.done === true && q.done === true) break
        const l = JSON.stringify(p.value ?? null)
        const r = JSON.stringify(q.value ?? null)
        if (l !== r) {
          x.return?.()
          y.return?.()
          return `${query.split(' FROM ')[1]!.split(' ')[0]} row ${row}: ${l.slice(0, 200)} vs ${r.slice(0, 200)}`
        }
      }
    }
    return undefined
  } finally {
    left.close()
    right.close()
  }
}

/**
 * Builds `dataset` both ways (the direct store signing with the import's key, since Ed25519 signatures
 * are deterministic) and compares them: undefined when the direct loader writes what the import writes.
 */
export async function checkDirectLoader(dataset: DatasetInfo, dir: string, log: (line: string) => void): Promise<string | undefined> {
  const viaImport = join(dir, `${dataset.name}.check-import.sqlite`)
  const viaStore = join(dir, `${dataset.name}.check-direct.sqlite`)
  removeStore(viaImport)
  removeStore(viaStore)
  try {
    await loadWithImport(dataset.path, viaImport, log)
    copyFileSync(signingKeyPath(viaImport), signingKeyPath(viaStore))
    await loadDirect(dataset.path, viaStore, log)
    return sameStore(viaImport, viaStore)
  } finally {
    removeStore(viaImport)
    removeStore(viaStore)
  }
}
