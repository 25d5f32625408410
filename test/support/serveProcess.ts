import type { Test } from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, createPublicKey, verify } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PublishedCheckpoint } from '../../src/log/ledgerLog.js'

/**
 * Helpers for tests that run `policy-ledger serve` as a real child process (crash and shutdown
 * tests), plus an independent RFC 6962 / C2SP checker for what it serves. Only 127.0.0.1 is used.
 */

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

/**
 * A fresh directory under the OS temp dir, removed by `cleanup`. Not t.testdir(): that path is fixed
 * per test name, so two runs of the suite at once would serve (and lock) the same store file.
 */
export function scratchDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `policy-ledger-${prefix}-`))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A scratch directory removed when `t` ends, and the path of a store file `ledger.sqlite` in it. */
export function scratchStore(t: Test, prefix: string): { dir: string; store: string } {
  const scratch = scratchDir(prefix)
  t.teardown(scratch.cleanup)
  return { dir: scratch.dir, store: join(scratch.dir, 'ledger.sqlite') }
}

/** A port nobody listens on right now: bind port 0, read it, let it go. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address === null || typeof address === 'string') return reject(new Error('no port'))
      server.close(() => resolve(address.port))
    })
  })
}

export interface Served {
  child: ChildProcess
  baseUrl: string
  /** Everything the child wrote so far. */
  stdout(): string
  stderr(): string
  /** Settles when the child has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * Runs a CLI command from source; the environment is the test's minus NODE_OPTIONS (tap's hooks).
 * `prefix` runs it under another command, e.g. `['unshare', '--pid', '--fork', '--mount-proc']`.
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  prefix: string[] = [],
): Served & { port: number } {
  const base: Record<string, string | undefined> = { ...process.env }
  delete base.NODE_OPTIONS
  const command = [...prefix, process.execPath, '--import', 'tsx', 'src/cli/run.ts', ...args]
  const child = spawn(command[0]!, command.slice(1), {
    cwd: repoRoot,
    env: { ...base, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  const port = Number(env.PORT ?? 0)
  return {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    exited,
  }
}

/**
 * Starts `serve` on the embedded store at `storePath` on a free port and waits until GET /ready is
 * 200. Rejects (after killing the child) if it exits first or is not ready in `readyWithinMs`.
 */
export async function startServe(
  storePath: string,
  env: Record<string, string> = {},
  readyWithinMs = 30_000,
  prefix: string[] = [],
): Promise<Served> {
  const port = await freePort()
  const served = runCli(
    ['serve'],
    {
      LEDGER_STORE: `sqlite:${storePath}`,
      LEDGER_SEED: 'true',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    prefix,
  )
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  void served.exited.then((result) => (exited = result))
  const deadline = Date.now() + readyWithinMs
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new Error(
        `serve exited (${exited.code ?? exited.signal}) before it was ready:\n${served.stderr()}${served.stdout()}`,
      )
    }
    try {
      const response = await fetch(`${served.baseUrl}/ready`, {
        signal: AbortSignal.timeout(1_000),
      })
      if (response.status === 200) {
        await response.arrayBuffer()
        return served
      }
      await response.arrayBuffer()
    } catch {
      // not listening yet
    }
    await sleep(50)
  }
  served.child.kill('SIGKILL')
  await served.exited
  throw new Error(
    `serve was not ready within ${readyWithinMs} ms:\n${served.stderr()}${served.stdout()}`,
  )
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296
  }
}

export interface FeedEvent {
  id: string
  type: string
  stream: string
  revision: number
  position: number
}

/** The whole `/events` feed, page by page. */
export async function readFeed(baseUrl: string): Promise<FeedEvent[]> {
  const events: FeedEvent[] = []
  let after: number | null = null
  for (;;) {
    const url = `${baseUrl}/events?limit=1000${after === null ? '' : `&after=${after}`}`
    const response = await fetch(url)
    if (response.status !== 200)
      throw new Error(`GET ${url}: ${response.status} ${await response.text()}`)
    const page = (await response.json()) as { events: FeedEvent[]; nextAfter: number | null }
    if (page.events.length === 0) return events
    events.push(...page.events)
    after = page.nextAfter
  }
}


/** What `GET /ledger/checkpoint` answers: the log's own type, so the two cannot drift apart. */
export type { PublishedCheckpoint }

/** Every line of `GET /ledger/entries` up to `end`, following `Link: rel="next"`. */
export async function readEntries(baseUrl: string, end: number): Promise<string[]> {
  const lines: string[] = []
  let next: string | undefined = `/ledger/entries?start=0&end=${end}`
  while (next !== undefined) {
    const response = await fetch(`${baseUrl}${next}`)
    const body = await response.text()
    if (response.status !== 200) throw new Error(`GET ${next}: ${response.status} ${body}`)
    lines.push(...body.split('\n').filter((line) => line !== ''))
    next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1]
  }
  return lines
}

// ---- an independent RFC 6962 Merkle tree hash, written from the RFC, not from src/log ----

const sha256 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return hash.digest()
}

export function rfc6962Leaf(line: string | Buffer): Buffer {
  return sha256(Buffer.of(0x00), Buffer.isBuffer(line) ? line : Buffer.from(line, 'utf8'))
}

/** MTH over leaf hashes: split at the largest power of two smaller than n. */
export function rfc6962Root(leaves: Buffer[]): Buffer {
  const mth = (from: number, to: number): Buffer => {
    const n = to - from
    if (n === 0) return sha256()
    if (n === 1) return leaves[from]!
    let k = 1
    while (k * 2 < n) k *= 2
    return sha256(Buffer.of(0x01), mth(from, from + k), mth(from + k, to))
  }
  return mth(0, leaves.length)
}

/**
 * Checks a C2SP signed note against a verifier key `<name>+<hex key hash>+<base64(0x01 || key)>`:
 * the key hash, the Ed25519 signature over the note text, and that the text is origin, size, root.
 * Returns undefined when it holds, else what is wrong.
 */
export function checkSignedCheckpoint(checkpoint: PublishedCheckpoint): string | undefined {
  // base64 may itself hold '+': only the first two separate fields
  const match = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(checkpoint.publicKey)
  if (match === null) return 'bad verifier key'
  const [, name, keyHashHex, keyBase64] = match as unknown as [string, string, string, string]
  const keyBytes = Buffer.from(keyBase64, 'base64')
  if (keyBytes.length !== 33 || keyBytes[0] !== 0x01) return 'verifier key is not Ed25519'
  const expectedKeyHash = sha256(Buffer.from(`${name}\n`, 'utf8'), keyBytes).subarray(0, 4)
  if (expectedKeyHash.toString('hex') !== keyHashHex) return 'key hash does not match the key'
  const split = checkpoint.note.indexOf('\n\n')
  if (split < 0) return 'no blank line in the note'
  const text = checkpoint.note.slice(0, split + 1)
  const expectedText = `${checkpoint.origin}\n${checkpoint.treeSize}\n${Buffer.from(checkpoint.rootHash, 'hex').toString('base64')}\n`
  if (text !== expectedText)
    return `note text ${JSON.stringify(text)} is not ${JSON.stringify(expectedText)}`
  const signatureLine = checkpoint.note
    .slice(split + 2)
    .split('\n')
    .find((line) => line.startsWith(`\u2014 ${name} `))
  if (signatureLine === undefined) return 'no signature by the key'
  const signed = Buffer.from(signatureLine.slice(`\u2014 ${name} `.length), 'base64')
  if (!signed.subarray(0, 4).equals(expectedKeyHash)) return 'signature names another key'
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: keyBytes.subarray(1).toString('base64url') },
    format: 'jwk',
  })
  return verify(null, Buffer.from(text, 'utf8'), publicKey, signed.subarray(4))
    ? undefined
    : 'bad signature'
}
