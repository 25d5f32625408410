import t, { type Test } from 'tap'
import Database from 'better-sqlite3'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { generateSigningKey } from '../../src/log/signingKey.js'
import { FILE_VERSION } from '../../src/stores/sqlite/ledgerFile.js'
import { runCli as runCliToEnd } from '../support/runCli.js'
import { seedSize } from '../support/testLedger.js'
import { runCli, scratchDir, startServe } from '../support/serveProcess.js'

/**
 * What an operator finds at start: a damaged or foreign store file, and signing key trouble. Each
 * start must stop with a message naming the file, saying what is wrong and what to do, exit
 * non-zero, and leave the file's bytes exactly as they were (and make no key).
 */

const scratch = scratchDir('damaged')
t.teardown(scratch.cleanup)

// a real store: the seed imported (its events and their signed checkpoints), then closed cleanly
const fixture = join(scratch.dir, 'fixture', 'ledger.sqlite')
mkdirSync(join(scratch.dir, 'fixture'))
const imported = await runCliToEnd(['import', 'data/seed.ndjson'], {
  LEDGER_STORE: `sqlite:${fixture}`,
})
if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`)
const storeBytes = readFileSync(fixture)
const keyBytes = readFileSync(`${fixture}.signing-key.pem`)

interface Case {
  store?: Buffer
  /** The key file's bytes and mode; `null` for none; a directory with `'directory'`. */
  key?: { bytes: Buffer; mode: number } | null | 'directory'
  env?: Record<string, string>
}

let n = 0
function caseDir(setup: Case): { store: string; key: string } {
  n += 1
  const dir = join(scratch.dir, `case-${n}`)
  mkdirSync(dir)
  const store = join(dir, 'ledger.sqlite')
  const key = `${store}.signing-key.pem`
  writeFileSync(store, setup.store ?? storeBytes)
  const keySetup = setup.key === undefined ? { bytes: keyBytes, mode: 0o600 } : setup.key
  if (keySetup === 'directory') mkdirSync(key)
  else if (keySetup !== null) {
    writeFileSync(key, keySetup.bytes)
    chmodSync(key, keySetup.mode)
  }
  return { store, key }
}

/** `serve` on the case; fails the test (and kills it) if it starts instead of stopping. */
async function serveFails(
  t: Test,
  setup: Case,
): Promise<{ code: number | null; stderr: string; store: string; key: string }> {
  const paths = caseDir(setup)
  const before = readdirSync(join(paths.store, '..')).sort()
  const served = runCli(['serve'], {
    LEDGER_STORE: `sqlite:${paths.store}`,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    ...setup.env,
  })
  const timer = setTimeout(() => served.child.kill('SIGKILL'), 30_000)
  const exit = await served.exited
  clearTimeout(timer)
  if (exit.signal !== null)
    throw new Error(`serve did not stop by itself: it served on a bad store\n${served.stderr()}`)
  const after = readdirSync(join(paths.store, '..')).sort()
  // the lock database is made before the store is opened (and kept, with its journal: see
  // src/stores/storeLock.ts); a read-only look at a WAL store may leave its -wal and -shm; nothing else may appear
  t.same(
    after.filter((name) => !/(-wal|-shm|\.lock|\.lock-journal)$/.test(name)),
    before,
    'no file was made beside the store (no key)',
  )
  return { code: exit.code, stderr: served.stderr(), ...paths }
}

function sameBytes(t: Test, path: string, expected: Buffer, what: string): void {
  t.ok(readFileSync(path).equals(expected), `${what}: the bytes are unchanged`)
}

t.test('a truncated store', async (t) => {
  const store = storeBytes.subarray(0, Math.floor(storeBytes.length / 2))
  const result = await serveFails(t, { store })
  t.not(result.code, 0, 'exits non-zero')
  t.match(result.stderr, `${result.store} is damaged`)
  t.match(
    result.stderr,
    /Nothing was written to it\. Keep a copy of the file as it is, and restore the store from a backup/,
  )
  sameBytes(t, result.store, store, 'the store')
})

t.test('a store with a page overwritten', async (t) => {
  const store = Buffer.from(storeBytes)
  store.fill(0xa5, 9 * 4096, 10 * 4096) // the tenth page: garbage where a b-tree page was
  const result = await serveFails(t, { store })
  t.not(result.code, 0)
  t.match(
    result.stderr,
    new RegExp(`${result.store} is damaged: (SQLite's quick_check finds|SQLite reports)`),
  )
  t.match(result.stderr, /restore the store from a backup.*\.recover/)
  sameBytes(t, result.store, store, 'the store')
})

t.test('a file that is not a SQLite database (LEDGER_STORE naming the wrong file)', async (t) => {
  const store = readFileSync(
    new URL('../../data/abcnews-2016-11-17-cities-push-back.txt', import.meta.url),
  )
  const result = await serveFails(t, { store })
  t.not(result.code, 0)
  t.match(result.stderr, `${result.store} is not a SQLite database`)
  t.match(result.stderr, /Check that LEDGER_STORE names the store/)
  sameBytes(t, result.store, store, 'the file')

  const exported = await runCliToEnd(['export'], { LEDGER_STORE: `sqlite:${result.store}` })
  t.equal(exported.code, 1, 'a read-only command refuses it too')
  t.match(exported.stderr, `${result.store} is not a SQLite database`)
})

t.test("another application's SQLite database", async (t) => {
  const other = join(scratch.dir, 'other.sqlite')
  const db = new Database(other)
  db.exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('Ada')")
  db.close()
  const store = readFileSync(other)
  const result = await serveFails(t, { store })
  t.not(result.code, 0)
  t.match(
    result.stderr,
    `${result.store} is a SQLite database but no policy-ledger store: it has no events table (it has people)`,
  )
  sameBytes(t, result.store, store, 'the file')
})

t.test('a store written by a newer policy-ledger (a file layout this build does not know)', async (t) => {
  const store = Buffer.from(storeBytes)
  // PRAGMA user_version is the header's 4 bytes at offset 60
  const layout = FILE_VERSION + 1
  store.writeUInt32BE(layout, 60)
  const result = await serveFails(t, { store })
  t.not(result.code, 0)
  t.match(
    result.stderr,
    `${result.store} was written by a newer policy-ledger (file layout ${layout}; this build reads up to ${FILE_VERSION})`,
  )
  t.match(result.stderr, /Nothing was written to it: run that version, or restore a backup this one made/)
  sameBytes(t, result.store, store, 'the store')
})

t.test('a store holding signed checkpoints whose key file is missing: no new key', async (t) => {
  const result = await serveFails(t, { key: null })
  t.not(result.code, 0)
  t.match(
    result.stderr,
    `the signing key ${result.key} is missing, but ${result.store} holds checkpoints signed with it`,
  )
  t.match(result.stderr, /so none was made\. Restore the key file from your backup/)
  t.notOk(existsSync(result.key), 'no key was generated')
  sameBytes(t, result.store, storeBytes, 'the store')
})

t.test('a key that cannot be read', async (t) => {
  const result = await serveFails(t, { key: 'directory' })
  t.not(result.code, 0)
  t.match(result.stderr, `cannot read the signing key ${result.key}`)
  t.match(result.stderr, /chmod 600/)
  sameBytes(t, result.store, storeBytes, 'the store')
})

t.test('a key file with loose permissions', async (t) => {
  const result = await serveFails(t, { key: { bytes: keyBytes, mode: 0o644 } })
  t.not(result.code, 0)
  t.match(result.stderr, `the signing key ${result.key} may be read by other users (mode 0644)`)
  t.match(result.stderr, `chmod 600 ${result.key}`)
  sameBytes(t, result.store, storeBytes, 'the store')
  sameBytes(t, result.key, keyBytes, 'the key')
})

t.test('a key that is not an Ed25519 private key', async (t) => {
  const bytes = Buffer.from('not a key\n')
  const result = await serveFails(t, { key: { bytes, mode: 0o600 } })
  t.not(result.code, 0)
  t.match(result.stderr, `${result.key} is not a PEM private key`)
  sameBytes(t, result.store, storeBytes, 'the store')
  sameBytes(t, result.key, bytes, 'the key')
})

t.test('a key that did not sign the kept checkpoints', async (t) => {
  const bytes = Buffer.from(generateSigningKey().pem)
  const result = await serveFails(t, { key: { bytes, mode: 0o600 } })
  t.not(result.code, 0)
  t.match(
    result.stderr,
    `the signing key ${result.key} did not sign the checkpoints of ${result.store}: the latest (size ${seedSize})`,
  )
  t.match(result.stderr, /Use the key that signed the store/)
  sameBytes(t, result.store, storeBytes, 'the store')
  sameBytes(t, result.key, bytes, 'the key')
})

t.test('the right key under another LEDGER_ORIGIN', async (t) => {
  const result = await serveFails(t, { env: { LEDGER_ORIGIN: 'renamed-ledger' } })
  t.not(result.code, 0)
  t.match(
    result.stderr,
    /is signed as policy-ledger\+[0-9a-f]{8}, but LEDGER_ORIGIN is "renamed-ledger"/,
  )
  sameBytes(t, result.store, storeBytes, 'the store')
})

t.test(
  'LEDGER_SIGNING_KEY naming a file that is not there, on a store that signed with another',
  async (t) => {
    const result = await serveFails(t, {
      env: { LEDGER_SIGNING_KEY: join(scratch.dir, 'nowhere.pem') },
    })
    t.not(result.code, 0)
    t.match(result.stderr, `the signing key ${join(scratch.dir, 'nowhere.pem')} is missing, but`)
    t.notOk(existsSync(join(scratch.dir, 'nowhere.pem')), 'no key was generated there')
    sameBytes(t, result.store, storeBytes, 'the store')
  },
)

t.test('and the store itself, with its key, starts', async (t) => {
  const { store, key } = caseDir({})
  copyFileSync(`${fixture}.signing-key.pem`, key)
  const served = await startServe(store, { LEDGER_SEED: 'true' })
  t.teardown(async () => {
    served.child.kill('SIGTERM')
    await served.exited
  })
  const checkpoint = (await (await fetch(`${served.baseUrl}/ledger/checkpoint`)).json()) as {
    treeSize: number
  }
  t.equal(checkpoint.treeSize, seedSize, 'the checks do not refuse a good store')
})
