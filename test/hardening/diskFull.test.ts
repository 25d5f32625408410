import t, { type Test } from 'tap'
import Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sha256Hex } from '../../src/sha256Hex.js'
import { runCli as runCliToEnd } from '../support/runCli.js'
import {
  checkSignedCheckpoint,
  readEntries,
  readFeed,
  rfc6962Leaf,
  rfc6962Root,
  runCli,
  scratchDir,
  sleep,
  startServe,
  type PublishedCheckpoint,
  type Served,
} from '../support/serveProcess.js'
import { lastSeedPosition, pressStatement, seedSize } from '../support/testLedger.js'
import { mountTmpfs, tmpfsUnavailable, type Tmpfs } from '../support/tmpfs.js'

/**
 * The store's disk fills up, for real: a small tmpfs holds the store of a `serve` process, and writes
 * fill it. The write that does not fit is a 507 `/problems/store-full` with Retry-After that changed
 * nothing (head, checkpoint, read models, every GET answer as before it); reads, /health and /ready go
 * on answering; once the tmpfs is grown, writes succeed again in the same process, and the log
 * verifies with no gap and no duplicate. A start on a full disk (the lock, the open, a read-model
 * rebuild) says so, naming the file, and waits for space instead of exiting into a restart loop; an
 * import that runs out of space stops between batches, and running it again finishes it.
 */

const unavailable = tmpfsUnavailable()
const TOKEN = 'disk-full-token-0123456789'
const env = { LEDGER_TOKENS: `editor:${TOKEN}`, LEDGER_WRITE_RATE_LIMIT: '0', LOG_LEVEL: 'warn' }
const CONTENT_BYTES = 16 * 1024

/** A source with an archived text of about `bytes`: what fills the disk. */
function archivedSource(name: string, bytes = CONTENT_BYTES) {
  const content = `${name}: ${'the archived text of a long ordinance. '.repeat(Math.ceil(bytes / 39))}`
  return {
    id: randomUUID(),
    type: 'SourceRegistered',
    data: { sourceId: name, kind: 'ordinance', title: `Ordinance ${name}`, publisher: 'City Clerk', publishedOn: '2017', content, contentSha256: sha256Hex(content) },
  }
}

/** A request of two events, a claim and a source: all of it is written, or none. */
function fillRequest(n: number) {
  return [{ id: randomUUID(), ...pressStatement('us-pa-philadelphia', `2017-01-${String((n % 28) + 1).padStart(2, '0')}`, n % 2 === 0 ? 'sanctuary' : 'welcoming') }, archivedSource(`archive-${n}`)]
}

interface Answer {
  status: number
  headers: Headers
  body: string
}

async function post(served: Served, events: unknown[]): Promise<Answer> {
  const response = await fetch(`${served.baseUrl}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  })
  return { status: response.status, headers: response.headers, body: await response.text() }
}

/** What the ledger answers readers, read models and log alike. */
const readUrls = [
  '/health',
  '/ready',
  '/jurisdictions',
  '/jurisdictions/us-pa-philadelphia',
  '/jurisdictions/us-pa-philadelphia/stance?asOf=2017-06-30',
  '/jurisdictions/us-pa-philadelphia/history',
  '/actors/press-office',
  '/sources/abcnews-2016-11-17-cities-push-back',
  '/ledger/checkpoint',
  '/ledger/entries',
  `/events?after=${lastSeedPosition}&limit=1000`,
  `/changes?since=${lastSeedPosition}`,
]

async function answers(served: Served): Promise<string[]> {
  return Promise.all(
    readUrls.map(async (url) => {
      const response = await fetch(served.baseUrl + url)
      return `${url} ${response.status} ${await response.text()}`
    }),
  )
}

/** Writes until one does not fit; the answers as they were just before it. */
async function fillUp(t: Test, served: Served, acked: string[], from: number): Promise<{ refused: ReturnType<typeof fillRequest>; answer: Answer; before: string[]; next: number }> {
  let before = await answers(served)
  // a hang guard: the tmpfs holds a few dozen of these
  for (let n = from; n < from + 500; n += 1) {
    const events = fillRequest(n)
    const answer = await post(served, events)
    if (answer.status === 201) {
      acked.push(...events.map((event) => event.id))
      before = await answers(served)
      continue
    }
    t.pass(`${n - from} requests fitted before the disk was full`)
    return { refused: events, answer, before, next: n + 1 }
  }
  throw new Error('the tmpfs never filled up')
}

function isStoreFull(t: Test, answer: Answer, what: string): void {
  t.equal(answer.status, 507, `${what}: 507`)
  t.match(answer.headers.get('content-type'), /^application\/problem\+json/, `${what}: a problem`)
  t.equal(answer.headers.get('retry-after'), '30', `${what}: with Retry-After`)
  const problem = JSON.parse(answer.body) as { type: string; detail: string }
  t.equal(problem.type, '/problems/store-full', `${what}: /problems/store-full`)
  t.match(problem.detail, /no space left for this write; nothing of it was written/, `${what}: says so`)
  t.notMatch(answer.body, /\/tmp|sqlite|SQLITE/, `${what}: no path or SQLite internals`)
}

function stop(served: Served | undefined): void {
  if (served !== undefined && served.child.exitCode === null && served.child.signalCode === null) served.child.kill('SIGKILL')
}

async function stopCleanly(t: Test, served: Served): Promise<void> {
  served.child.kill('SIGTERM')
  t.same(await served.exited, { code: 0, signal: null }, 'SIGTERM stops it cleanly, full disk or not')
}

/** Every acknowledged event once, at contiguous positions; the served entries reproduce the signed root. */
async function logIsWhole(t: Test, served: Served, acked: readonly string[]): Promise<void> {
  const feed = await readFeed(served.baseUrl)
  t.same(feed.map((event) => event.position), feed.map((_, index) => index), 'positions are contiguous')
  t.equal(new Set(feed.map((event) => event.id)).size, feed.length, 'no event is there twice')
  t.same(feed.slice(seedSize).map((event) => event.id), acked, 'every acknowledged event, in order, and nothing else')
  const checkpoint = (await (await fetch(`${served.baseUrl}/ledger/checkpoint`)).json()) as PublishedCheckpoint
  t.equal(checkpoint.treeSize, feed.length, 'the checkpoint covers the log')
  t.equal(checkSignedCheckpoint(checkpoint), undefined, 'its signature holds')
  const leaves = (await readEntries(served.baseUrl, checkpoint.treeSize)).map((line) => rfc6962Leaf(line))
  t.equal(rfc6962Root(leaves).toString('hex'), checkpoint.rootHash, 'the entries reproduce its root')
}

async function verifies(t: Test, storePath: string, events: number): Promise<void> {
  const verified = await runCliToEnd(['verify'], { LEDGER_STORE: `sqlite:${storePath}` })
  t.equal(verified.code, 0, `policy-ledger verify passes\n${verified.stdout}${verified.stderr}`)
  t.match(verified.stdout, `entries: ${events}, positions 0..${events - 1} contiguous`)
}

/** A tmpfs of `size` for this test, and where the store goes on it. */
function onTmpfs(t: Test, size: string): { tmpfs: Tmpfs; storePath: string } {
  const tmpfs = mountTmpfs('disk-full', size)
  t.teardown(() => tmpfs.unmount())
  return { tmpfs, storePath: join(tmpfs.dir, 'ledger.sqlite') }
}

t.test('a full disk: 507 for the write that does not fit and nothing of it written; reads go on; growing the disk lets writes go on in the same process', { skip: unavailable ?? false }, async (t) => {
  const { tmpfs, storePath } = onTmpfs(t, '2m')
  let served: Served | undefined = await startServe(storePath, env)
  t.teardown(() => stop(served))
  const acked: string[] = []

  const full = await fillUp(t, served, acked, 0)
  isStoreFull(t, full.answer, 'the write that does not fit')
  t.strictSame(await answers(served), full.before, 'nothing of it changed: head, checkpoint, read models, every answer as before it')
  for (const event of full.refused) {
    t.equal((await fetch(`${served.baseUrl}/events/${event.id}`)).status, 404, `neither of its events is stored (${event.type})`)
  }
  t.equal((await fetch(`${served.baseUrl}/health`)).status, 200, '/health answers')
  t.equal((await fetch(`${served.baseUrl}/ready`)).status, 200, '/ready answers: the service is up for reads')

  // concurrent writers while it is full share a group commit, and each is refused on its own
  const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => post(served!, [archivedSource(`burst-${i}`, 64 * 1024)])))
  t.same(burst.map((answer) => answer.status), Array(6).fill(507), 'six concurrent writes: each a 507, no other 5xx')
  t.strictSame(await answers(served), full.before, 'and they changed nothing either')

  tmpfs.resize('4m')
  const retried = await post(served, full.refused)
  t.equal(retried.status, 201, 'the same request, once there is space: written now (a 201, not an idempotent 200: nothing of it was there)')
  acked.push(...full.refused.map((event) => event.id))
  const positions = (JSON.parse(retried.body) as { events: Array<{ position: number }> }).events.map((event) => event.position)
  t.same(positions, [seedSize + acked.length - 2, seedSize + acked.length - 1], 'at the next positions: no gap where it failed')
  t.equal(served.child.exitCode, null, 'without a restart')

  // full a second time, then restarts on the full disk
  const again = await fillUp(t, served, acked, full.next)
  isStoreFull(t, again.answer, 'full again')
  await stopCleanly(t, served)
  tmpfs.fill(0)
  t.equal(tmpfs.available(), 0, 'not a byte left')
  served = await startServe(storePath, env)
  t.strictSame(await answers(served), again.before, 'a restart on the full disk is ready and answers as before')
  isStoreFull(t, await post(served, again.refused), 'a write after the restart')
  await stopCleanly(t, served)

  // a lock file from before its journal was kept: no space to say who holds it, and the lock is taken all the same
  rmSync(`${storePath}.lock-journal`)
  served = await startServe(storePath, env)
  t.strictSame(await answers(served), again.before, 'a restart with no space for the lock journal is ready too')

  tmpfs.resize('16m')
  t.equal((await post(served, again.refused)).status, 201, 'grown: the refused write goes in')
  acked.push(...again.refused.map((event) => event.id))
  const more = fillRequest(10_000)
  t.equal((await post(served, more)).status, 201, 'and the next')
  acked.push(...more.map((event) => event.id))
  await logIsWhole(t, served, acked)
  await stopCleanly(t, served)
  served = undefined
  await verifies(t, storePath, seedSize + acked.length)
})

/** `serve` as a child, not waited on for readiness: its log on stdout. */
function serveChild(storePath: string, port: number): Served {
  return runCli(['serve'], { LEDGER_STORE: `sqlite:${storePath}`, HOST: '127.0.0.1', PORT: String(port), ...env, LOG_LEVEL: 'info' })
}

async function until(what: string, deadlineMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + deadlineMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${deadlineMs} ms: ${what}`)
    await sleep(50)
  }
}

function count(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, 'g'))?.length ?? 0
}

t.test('start-up on a full disk: a clear message naming the file, a wait for space instead of an exit, then a start by itself', { skip: unavailable ?? false }, async (t) => {
  const { tmpfs, storePath } = onTmpfs(t, '2m')
  let served: Served | undefined = await startServe(storePath, env)
  t.teardown(() => stop(served))
  const acked: string[] = []
  for (let n = 0; n < 3; n += 1) {
    const events = fillRequest(n)
    t.equal((await post(served, events)).status, 201)
    acked.push(...events.map((event) => event.id))
  }
  const before = await answers(served)
  await stopCleanly(t, served)
  // an upgrade whose projections changed: every read model is rebuilt from the log at the next start
  const db = new Database(storePath)
  db.exec('UPDATE read_models SET version = version + 1000')
  db.close()
  t.notOk(existsSync(`${storePath}-shm`), 'closed cleanly: the next open makes its -shm index anew')
  tmpfs.fill(0)

  const rebuild = await runCliToEnd(['rebuild'], { LEDGER_STORE: `sqlite:${storePath}` })
  t.equal(rebuild.code, 75, 'a one-shot command exits with EX_TEMPFAIL')
  t.match(rebuild.stderr, `the file system holding ${storePath} has no space left`, 'naming the file system and the file')
  t.match(rebuild.stderr, /\(0 KiB free of 2048 KiB\) to open it/, 'with the figures, and what needed the space')
  t.match(rebuild.stderr, /The store is not damaged and nothing acknowledged was lost: free space on that file system, or grow it, then try again/)
  t.notMatch(rebuild.stderr, /damaged:|restore/, 'not told to restore a backup of a good file')

  const port = 40_000 + Math.floor(Math.random() * 20_000)
  served = serveChild(storePath, port)
  const startFailed = /cannot start: the file system holding [^ ]+ledger\.sqlite has no space left/
  await until('serve says the disk is full, twice', 20_000, () => count(served!.stdout(), startFailed) >= 2)
  t.match(served.stdout(), /to open it .*Trying again in 1 s/, 'it says what needed the space, and when it tries again')
  t.equal(served.child.exitCode, null, 'and waits, rather than exit into a restart loop')

  // room to open the file, not to rebuild the read models
  tmpfs.resize(`${2048 + 64}k`)
  await until('serve says the rebuild has no space', 20_000, () => /to bring its file layout and read models up to date with the log/.test(served!.stdout()))
  t.equal(served.child.exitCode, null, 'still waiting')

  tmpfs.resize('16m')
  await until('serve is ready once there is space', 30_000, async () => {
    try {
      return (await fetch(`${served!.baseUrl}/ready`)).status === 200
    } catch {
      return false
    }
  })
  t.match(served.stdout(), /rebuilding read models from the log/, 'the read models were rebuilt')
  t.strictSame(await answers(served), before, 'and answer as before: the failed tries harmed nothing')
  await logIsWhole(t, served, acked)
  await stopCleanly(t, served)
  served = undefined
  await verifies(t, storePath, seedSize + acked.length)

  // SIGTERM while it waits stops it cleanly
  // (verify's read-only connection left the -shm index; without it the open needs space again)
  rmSync(`${storePath}-shm`, { force: true })
  tmpfs.fill(0)
  const waiting = serveChild(storePath, port)
  t.teardown(() => stop(waiting))
  await until('serve waits for space', 20_000, () => startFailed.test(waiting.stdout()))
  waiting.child.kill('SIGTERM')
  t.same(await waiting.exited, { code: 0, signal: null }, 'SIGTERM while it waits: a clean stop')
})

t.test('a fresh store on a full disk: the message names the file; with space, the same command works on what the failed tries left', { skip: unavailable ?? false }, async (t) => {
  const { tmpfs, storePath } = onTmpfs(t, '1m')
  for (const leave of [0, 96 * 1024]) {
    rmSync(storePath, { force: true })
    tmpfs.fill(leave)
    const imported = await runCliToEnd(['import', 'data/seed.ndjson'], { LEDGER_STORE: `sqlite:${storePath}` })
    t.equal(imported.code, 75, `${leave} bytes free: exit 75`)
    t.match(imported.stderr, `the file system holding ${storePath} has no space left`)
    t.notMatch(imported.stderr, /database or disk is full\n/, "not SQLite's bare words")
    t.same(readdirSync(tmpfs.dir).filter((name) => name.endsWith('.tmp')), [], 'no half-written key file left behind')
  }
  tmpfs.resize('16m')
  const imported = await runCliToEnd(['import', 'data/seed.ndjson'], { LEDGER_STORE: `sqlite:${storePath}` })
  t.equal(imported.code, 0, `with space, the same command works on what the failed tries left\n${imported.stderr}`)
  await verifies(t, storePath, seedSize)
})

t.test('an import that runs out of space stops between batches (exit 75); grown, the same import finishes it', { skip: unavailable ?? false }, async (t) => {
  const { tmpfs, storePath } = onTmpfs(t, '2m')
  const store = { LEDGER_STORE: `sqlite:${storePath}` }
  t.equal((await runCliToEnd(['import', 'data/seed.ndjson'], store)).code, 0)
  const scratch = scratchDir('disk-full-import')
  t.teardown(scratch.cleanup)
  const file = join(scratch.dir, 'sources.ndjson')
  const lines = 200
  const batch = 10
  // no ids: the importer derives them from the content, so the second run writes nothing twice
  writeFileSync(file, Array.from({ length: lines }, (_, i) => JSON.stringify((({ id: _id, ...event }) => event)(archivedSource(`import-${i}`, 8 * 1024)))).join('\n') + '\n')

  const first = await runCliToEnd(['import', '--batch', String(batch), file], store)
  t.equal(first.code, 75, `exit 75\n${first.stderr}`)
  const written = Number(/written: (\d+)/.exec(first.stdout)?.[1])
  t.ok(written > 0 && written < lines, `stopped part way: ${written} of ${lines} written`)
  t.equal(written % batch, 0, 'in whole batches')
  t.match(first.stderr, `import stopped after line ${written}: every line up to it is in the store or was rejected`)
  t.match(first.stderr, new RegExp(`has no space left \\(\\d+ KiB free of 2048 KiB\\) to write the batch after line ${written}`))

  tmpfs.resize('16m')
  await verifies(t, storePath, seedSize + written)
  const second = await runCliToEnd(['import', '--batch', String(batch), file], store)
  t.equal(second.code, 0, second.stderr)
  t.match(second.stdout, `written: ${lines - written}, skipped (already recorded): ${written}, rejected: 0`, 'the rest written, what was there skipped')
  await verifies(t, storePath, seedSize + lines)
})
