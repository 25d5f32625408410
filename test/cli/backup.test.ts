import t from 'tap'
import Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { backupCommand } from '../../src/cli/backupCommand.js'
import { parseConfig } from '../../src/config/config.js'
import { runCli as runCliToEnd } from '../support/runCli.js'
import { seedSize } from '../support/testLedger.js'
import {
  checkSignedCheckpoint,
  readEntries,
  readFeed,
  rfc6962Leaf,
  rfc6962Root,
  scratchDir,
  scratchStore,
  sleep,
  startServe,
  type PublishedCheckpoint,
  type Served,
} from '../support/serveProcess.js'

/**
 * `policy-ledger backup` copies the embedded store while the service serves and writes; the copy is
 * a store that `verify` passes and `serve` starts on with the same root, holding every event that was
 * acknowledged before the backup began.
 */

const TOKEN = 'backup-test-writer-token-01'
const WRITERS = 4
const PRELOAD_REQUESTS = 12 // of 1 000 events each: a store of some megabytes, copied in several steps

const jurisdictions = [
  'us-ca-los-angeles',
  'us-ny-new-york',
  'us-pa-philadelphia',
  'us-il-chicago',
  'us-wa-seattle',
]

function claim(summary: string, index: number): Record<string, unknown> {
  return {
    id: randomUUID(),
    type: 'StatementMade',
    data: {
      jurisdictionId: jurisdictions[index % jurisdictions.length],
      actor: { id: 'backup-test', name: 'Backup test' },
      on: '2020-01-01',
      summary,
      sourceId: 'abcnews-2016-11-17-cities-push-back',
      stances: [],
    },
  }
}

async function post(
  baseUrl: string,
  events: Array<Record<string, unknown>>,
): Promise<Array<{ id: string; position: number }>> {
  const response = await fetch(`${baseUrl}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  })
  const body = (await response.json()) as { events?: Array<{ id: string; position: number }> }
  if (response.status !== 201)
    throw new Error(`POST /events: ${response.status} ${JSON.stringify(body)}`)
  return body.events!
}

interface Ack {
  at: number
  events: Array<{ id: string; position: number }>
}

t.test(
  'a backup under concurrent writers, restored: every acknowledged event, contiguous, verified, same root',
  async (t) => {
    const { dir, store } = scratchStore(t, 'backup')
    const copy = join(dir, 'copy.sqlite')
    const env = { LEDGER_TOKENS: `backup:${TOKEN}`, LEDGER_WRITE_RATE_LIMIT: '0' }
    const live = await startServe(store, env)
    const kill = async (served: Served) => {
      if (served.child.exitCode === null && served.child.signalCode === null) {
        served.child.kill('SIGKILL')
        await served.exited
      }
    }
    t.teardown(() => kill(live))

    for (let r = 0; r < PRELOAD_REQUESTS; r += 1) {
      await post(
        live.baseUrl,
        Array.from({ length: 1_000 }, (_, i) => claim(`preload ${r}.${i} ${'x'.repeat(200)}`, i)),
      )
    }

    const acks: Ack[] = []
    const stop = { now: false }
    const writer = async (w: number) => {
      for (let n = 0; !stop.now; n += 1) {
        const events = await post(
          live.baseUrl,
          Array.from({ length: 1 + (n % 3) }, (_, i) => claim(`writer ${w} request ${n}`, w + i)),
        )
        acks.push({ at: Date.now(), events })
      }
    }
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w))
    await sleep(300)

    const began = Date.now()
    const acknowledgedBefore = acks.filter((ack) => ack.at < began).flatMap((ack) => ack.events)
    const backup = await runCliToEnd(['backup', copy], { LEDGER_STORE: `sqlite:${store}` })
    const ended = Date.now()
    stop.now = true
    await Promise.all(writers)
    t.equal(backup.code, 0, `backup succeeds: ${backup.stderr}`)
    const during = acks.filter((ack) => ack.at >= began && ack.at <= ended).length
    t.ok(during > 0, `writes went on while the backup ran (${during} requests acknowledged)`)
    t.comment(
      `backup took ${ended - began} ms, ${acknowledgedBefore.length} events acknowledged before it began`,
    )
    t.match(backup.stdout, new RegExp(`backed up ${store} to ${copy}: \\d+ events`))
    t.match(backup.stdout, `keep the signing key with it: ${store}.signing-key.pem`)
    t.match(
      backup.stderr,
      /backing up: \d+\/\d+ pages/,
      'plain progress lines when not on a terminal',
    )

    // the copy as it lies on disk
    const db = new Database(copy, { readonly: true, fileMustExist: true })
    const rows = db
      .prepare<[], { position: number; id: string }>(
        'SELECT position, id FROM events ORDER BY position',
      )
      .all()
    db.close()
    const size = rows.length
    t.ok(
      rows.every((row, index) => row.position === index),
      `positions are contiguous 0..${size - 1}`,
    )
    const at = new Map(rows.map((row) => [row.id, row.position]))
    const missing = acknowledgedBefore.filter((event) => at.get(event.id) !== event.position)
    t.same(
      missing,
      [],
      `all ${acknowledgedBefore.length} events acknowledged before the backup began are there, where they were acknowledged`,
    )
    const feed = await readFeed(live.baseUrl)
    t.ok(feed.length > size, 'the live store went on growing after the snapshot')
    t.same(
      rows.map((row) => row.id),
      feed.slice(0, size).map((event) => event.id),
      'the copy is a prefix of the live ledger',
    )

    // it does not overwrite without --force
    const copyBytes = readFileSync(copy)
    const again = await runCliToEnd(['backup', copy], { LEDGER_STORE: `sqlite:${store}` })
    t.equal(again.code, 1, 'a second backup to the same file refuses')
    t.match(again.stderr, `${copy} already exists; pass --force to replace it`)
    t.ok(readFileSync(copy).equals(copyBytes), 'and leaves it as it was')

    // restore: the copy and the signing key, as the README says
    copyFileSync(`${store}.signing-key.pem`, `${copy}.signing-key.pem`)
    const verified = await runCliToEnd(['verify'], { LEDGER_STORE: `sqlite:${copy}` })
    t.equal(verified.code, 0, `verify passes on the copy: ${verified.stdout}${verified.stderr}`)
    t.match(verified.stdout, `entries: ${size}, positions 0..${size - 1} contiguous`)
    const verifiedRoot = /root: ([0-9a-f]{64})/.exec(verified.stdout)?.[1]

    const liveEntries = await readEntries(live.baseUrl, size)
    const rootAtSize = rfc6962Root(liveEntries.map((line) => rfc6962Leaf(line))).toString('hex')
    t.equal(verifiedRoot, rootAtSize, "the copy's root is the live ledger's root at that size")

    const restored = await startServe(copy, { ...env, LEDGER_SEED: 'true' })
    t.teardown(() => kill(restored))
    const checkpoint = (await (
      await fetch(`${restored.baseUrl}/ledger/checkpoint`)
    ).json()) as PublishedCheckpoint
    const liveCheckpoint = (await (
      await fetch(`${live.baseUrl}/ledger/checkpoint`)
    ).json()) as PublishedCheckpoint
    t.equal(checkpoint.treeSize, size, 'serve starts on the copy, at its size')
    t.equal(checkpoint.rootHash, rootAtSize, 'with the same root')
    t.equal(checkpoint.publicKey, liveCheckpoint.publicKey, 'signed by the same key')
    t.equal(checkSignedCheckpoint(checkpoint), undefined, 'and the signature verifies')
    const restoredWrite = await post(restored.baseUrl, [claim('written after the restore', 0)])
    t.equal(
      restoredWrite[0]!.position,
      size,
      'the restored store takes writes at the next position',
    )
    restored.child.kill('SIGTERM')
    await restored.exited

    const forced = await runCliToEnd(['backup', copy, '--force'], {
      LEDGER_STORE: `sqlite:${store}`,
    })
    t.equal(forced.code, 0, `--force replaces it: ${forced.stderr}`)
    t.match(forced.stdout, `: ${feed.length} events`, 'with the store as it is now')
  },
)

t.test('backup refuses what it cannot copy, saying why', async (t) => {
  const scratch = scratchDir('backup-refusals')
  t.teardown(scratch.cleanup)
  const memory = await runCliToEnd(['backup', join(scratch.dir, 'x.sqlite')], {
    LEDGER_STORE: 'sqlite::memory:',
  })
  t.equal(memory.code, 1)
  t.match(memory.stderr, /backup copies an embedded store file/)
  const store = join(scratch.dir, 'ledger.sqlite')
  const onItself = await runCliToEnd(['backup', store], { LEDGER_STORE: `sqlite:${store}` })
  t.equal(onItself.code, 1)
  t.match(onItself.stderr, /is the store's own file/)
  writeFileSync(store, 'not a database at all\n')
  const foreign = await runCliToEnd(['backup', join(scratch.dir, 'copy.sqlite')], {
    LEDGER_STORE: `sqlite:${store}`,
  })
  t.equal(foreign.code, 1)
  t.match(foreign.stderr, `${store} is not a SQLite database`)
  const help = await runCliToEnd(['--help'], {})
  t.match(help.stdout, /backup \[options\] <file>/, '--help lists it')
})

t.test('in this process: plain progress lines, or a bar on a terminal', async (t) => {
  const { dir, store } = scratchStore(t, 'backup-progress')
  const seeded = await runCliToEnd(['import', 'data/seed.ndjson'], {
    LEDGER_STORE: `sqlite:${store}`,
  })
  t.equal(seeded.code, 0, seeded.stderr)
  const config = parseConfig({ LEDGER_STORE: `sqlite:${store}` })
  for (const terminal of [false, true]) {
    const lines: string[] = []
    let progress = ''
    const stream = Object.assign(new PassThrough(), { isTTY: terminal, columns: 100 })
    stream.on('data', (chunk: Buffer) => (progress += chunk.toString('utf8')))
    const code = await backupCommand(
      { file: join(dir, `copy-${terminal}.sqlite`), force: false },
      config,
      (line) => lines.push(line),
      stream as unknown as NodeJS.WriteStream,
    )
    t.equal(code, 0)
    t.match(lines[0], new RegExp(`: ${seedSize} events, the latest checkpoint of size ${seedSize}`))
    t.match(
      progress,
      terminal ? /backing up \[=+\] 100% \| \d+\/\d+ pages/ : /backing up: (\d+)\/\1 pages/,
    )
  }
})
