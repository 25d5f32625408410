import t from 'tap'
import Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import {
  checkSignedCheckpoint,
  readEntries,
  readFeed,
  rfc6962Leaf,
  rfc6962Root,
  runCli,
  scratchStore,
  seededRandom,
  sleep,
  startServe,
  type PublishedCheckpoint,
  type Served,
} from '../support/serveProcess.js'
import { seedSize } from '../support/testLedger.js'

/**
 * Crash durability, in the manner of SQLite's crash tests: a real `serve` process on a file store takes
 * concurrent writes and is killed with SIGKILL at random moments, then restarted on the same file.
 * After every restart: every acknowledged event is where it was acknowledged, every request is all or
 * nothing, positions are contiguous, and the Merkle log served recomputes (independently) to the
 * signed checkpoint's root. SIGKILL leaves the OS page cache intact, so this cannot catch a missing
 * fsync; the store's durability settings (WAL, synchronous=FULL) are asserted in
 * test/stores/sqlite/sqliteEventStore.test.ts ("a file store runs in WAL with synchronous=FULL").
 *
 * What a power loss can and cannot lose, given those settings: a request is acknowledged only after
 * its transaction committed (WAL fsynced, synchronous=FULL) and its checkpoint row was inserted
 * (another fsynced commit), so neither is lost, provided the disk honours fsync (no volatile write
 * cache that lies). A request in flight may be lost, whole: never a part of it. Checkpoints of sizes
 * between acknowledgements may be missing; the next start signs the head again.
 *
 * CRASH_SEED replays a run (the kill moments and batch shapes; event ids are random UUIDs).
 */

const SEED = Number(process.env.CRASH_SEED ?? 20_161_117)
const KILLS = 5
const WRITERS = 6
const TOKEN = 'crash-writer-token-0123456789'

const jurisdictions = [
  'us',
  'us-ca-los-angeles',
  'us-ny-new-york',
  'us-pa-philadelphia',
  'us-tn-nashville',
  'us-il-chicago',
  'us-wa-seattle',
  'us-dc',
]
const ARTICLE = 'abcnews-2016-11-17-cities-push-back'

interface Sent {
  key: string
  /** The events in request order. */
  events: Array<{ id: string; type: string; stream: string }>
  body: string
  /** `refused`: a 503 (under-pressure sheds load), which promises nothing was written. */
  outcome: 'acknowledged' | 'refused' | 'unknown'
  /** Where each event landed, from the acknowledgement. */
  positions?: number[]
}

const random = seededRandom(SEED)
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!

/** 1 to 5 events over a mix of streams; sometimes a new source and a claim citing it (two streams). */
function buildRequest(writer: number, n: number): Sent {
  const events: Array<{ id: string; type: string; data: Record<string, unknown> }> = []
  const size = 1 + Math.floor(random() * 5)
  for (let i = 0; i < size; i += 1) {
    const id = randomUUID()
    let sourceId = ARTICLE
    if (random() < 0.2 && events.length < size - 1) {
      sourceId = `crash-source-${id.slice(0, 8)}`
      events.push({
        id: randomUUID(),
        type: 'SourceRegistered',
        data: {
          sourceId,
          kind: 'other',
          title: `Crash source ${n}`,
          publisher: 'Crash test',
          publishedOn: '2020',
        },
      })
      i += 1
    }
    const jurisdictionId = pick(jurisdictions)
    events.push({
      id,
      type: 'StatementMade',
      data: {
        jurisdictionId,
        actor: { id: `crash-writer-${writer}`, name: `Crash writer ${writer}` },
        on: '2020-01-01',
        summary: `crash writer ${writer}, request ${n}, event ${i}`,
        sourceId,
        stances:
          random() < 0.5
            ? []
            : [{ dimension: 'declared_status', value: pick(['sanctuary', 'welcoming', 'none']) }],
      },
    })
  }
  return {
    key: `request ${n} (writer ${writer})`,
    events: events.map((event) => ({
      id: event.id,
      type: event.type,
      stream:
        event.type === 'SourceRegistered'
          ? `source-${String(event.data.sourceId)}`
          : `jurisdiction-${String(event.data.jurisdictionId)}`,
    })),
    body: JSON.stringify({ events }),
    outcome: 'unknown',
  }
}

async function post(baseUrl: string, body: string): Promise<Response> {
  return fetch(`${baseUrl}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(15_000),
  })
}

t.test(
  'acknowledged writes survive SIGKILL at random moments; requests stay all or nothing',
  async (t) => {
    const started = Date.now()
    const { store: storePath } = scratchStore(t, 'crash')
    const env = { LEDGER_TOKENS: `crash:${TOKEN}`, LEDGER_WRITE_RATE_LIMIT: '0' }
    const sent: Sent[] = []
    const unexpected: string[] = []
    let kills = 0
    let retried = 0
    let served: Served | undefined
    t.teardown(async () => {
      if (
        served !== undefined &&
        served.child.exitCode === null &&
        served.child.signalCode === null
      ) {
        served.child.kill('SIGKILL')
        await served.exited
      }
    })

    /** The invariants, checked against a freshly restarted process. */
    async function check(label: string): Promise<number> {
      const baseUrl = served!.baseUrl
      const feed = await readFeed(baseUrl)
      const contiguous = feed.every((event, index) => event.position === index)
      t.ok(contiguous, `${label}: positions are contiguous 0..${feed.length - 1}`)
      const at = new Map(feed.map((event) => [event.id, event]))

      let lost = 0
      let partial = 0
      let misplaced = 0
      let present = 0
      for (const request of sent) {
        const found = request.events.map((event) => at.get(event.id))
        const count = found.filter((event) => event !== undefined).length
        if (count !== 0 && count !== request.events.length) {
          partial += 1
          t.fail(
            `${label}: request ${request.key} is partly written (${count} of ${request.events.length})`,
          )
          continue
        }
        if (count !== 0 && request.outcome === 'refused') {
          t.fail(`${label}: request ${request.key} was refused with a 503 but written`)
        }
        if (count === 0) {
          if (request.outcome === 'acknowledged') {
            lost += 1
            t.fail(`${label}: acknowledged request ${request.key} is lost`)
          }
          continue
        }
        present += count
        // one transaction per request: its events sit together, in request order, in their streams
        const first = found[0]!.position
        const inPlace = found.every(
          (event, index) =>
            event!.position === first + index &&
            event!.stream === request.events[index]!.stream &&
            event!.type === request.events[index]!.type,
        )
        const asAcknowledged =
          request.positions === undefined ||
          request.positions.every((position, index) => found[index]!.position === position)
        if (!inPlace || !asAcknowledged) {
          misplaced += 1
          t.fail(`${label}: request ${request.key} is not where it was acknowledged`, {
            acknowledged: request.positions,
            found: found.map((e) => e!.position),
          })
        }
      }
      t.equal(
        feed.length,
        seedSize + present,
        `${label}: the ledger holds the seed and the requests found, nothing else`,
      )
      t.same(
        { lost, partial, misplaced },
        { lost: 0, partial: 0, misplaced: 0 },
        `${label}: nothing lost, partial or moved`,
      )

      // the verifiable log, recomputed here from the entry lines alone
      const checkpoint = (await (
        await fetch(`${baseUrl}/ledger/checkpoint`)
      ).json()) as PublishedCheckpoint
      t.equal(checkpoint.treeSize, feed.length, `${label}: the checkpoint covers the whole ledger`)
      const lines = await readEntries(baseUrl, checkpoint.treeSize)
      t.equal(lines.length, feed.length, `${label}: one entry line per event`)
      t.ok(
        lines.every((line, index) => (JSON.parse(line) as { id: string }).id === feed[index]?.id),
        `${label}: entry lines are in position order`,
      )
      t.equal(
        rfc6962Root(lines.map((line) => rfc6962Leaf(line))).toString('hex'),
        checkpoint.rootHash,
        `${label}: the RFC 6962 root of the entries is the checkpoint's`,
      )
      t.equal(
        checkSignedCheckpoint(checkpoint),
        undefined,
        `${label}: the checkpoint's signature verifies`,
      )
      return feed.length
    }

    /** Retries some requests whose outcome was unknown: the same ids are 200 if they landed, else 201. */
    async function retryUnknown(): Promise<void> {
      const feed = new Map(
        (await readFeed(served!.baseUrl)).map((event) => [event.id, event.position]),
      )
      for (const request of sent.filter((r) => r.outcome === 'unknown' && random() < 0.5)) {
        const landed = feed.has(request.events[0]!.id)
        const response = await post(served!.baseUrl, request.body)
        const body = (await response.json()) as { events?: Array<{ position: number }> }
        t.equal(
          response.status,
          landed ? 200 : 201,
          `retry of ${request.key} (${landed ? 'it had landed' : 'it had not'})`,
        )
        if (response.status === 200 || response.status === 201) {
          const positions = body.events!.map((event) => event.position)
          if (landed)
            t.same(
              positions,
              request.events.map((event) => feed.get(event.id)),
              `retry of ${request.key}: the original positions`,
            )
          request.outcome = 'acknowledged'
          request.positions = positions
          retried += 1
        }
      }
    }

    /** Writers post until the process dies under them; a request that fails with no answer is unknown. */
    async function writer(index: number, stop: { killed: boolean }): Promise<void> {
      while (!stop.killed) {
        const request = buildRequest(index, sent.length)
        sent.push(request)
        let response: Response
        try {
          response = await post(served!.baseUrl, request.body)
        } catch {
          if (!stop.killed) unexpected.push(`${request.key}: connection failed before the kill`)
          return
        }
        let body: { events?: Array<{ id: string; position: number }> }
        try {
          body = (await response.json()) as typeof body
        } catch {
          if (!stop.killed) unexpected.push(`${request.key}: the body was cut before the kill`)
          return
        }
        if (response.status === 503) {
          // shed under load: a clean refusal; back off as Retry-After asks (shortened) and go on
          request.outcome = 'refused'
          await sleep(100)
          continue
        }
        if (response.status !== 201) {
          unexpected.push(`${request.key}: ${response.status} ${JSON.stringify(body)}`)
          return
        }
        request.outcome = 'acknowledged'
        request.positions = body.events!.map((event) => event.position)
      }
    }

    for (let round = 0; ; round += 1) {
      served = await startServe(storePath, env)
      const size = await check(round === 0 ? 'first start' : `after kill ${round}`)
      t.comment(`round ${round}: ${size} events after restart`)
      await retryUnknown()
      if (round === KILLS) break
      const stop = { killed: false }
      const writers = Array.from({ length: WRITERS }, (_, index) => writer(index, stop))
      await sleep(150 + random() * 1_200)
      stop.killed = true
      served.child.kill('SIGKILL')
      kills += 1
      const exit = await served.exited
      t.equal(exit.signal, 'SIGKILL', `kill ${kills} landed`)
      await Promise.all(writers)
    }
    t.same(unexpected, [], 'every request before a kill was answered 201 (or refused with a 503)')

    const acknowledgedRequests = sent.filter((request) => request.outcome === 'acknowledged')
    const acknowledgedEvents = acknowledgedRequests.reduce(
      (sum, request) => sum + request.events.length,
      0,
    )
    t.ok(
      acknowledgedRequests.length > KILLS * 5,
      `enough writes to mean something (${acknowledgedRequests.length} requests)`,
    )

    // a clean stop, then the store itself: `policy-ledger verify` and the stored leaf hashes
    served.child.kill('SIGTERM')
    t.same(await served.exited, { code: 0, signal: null }, 'SIGTERM stops it cleanly')
    const verified = runCli(['verify'], { LEDGER_STORE: `sqlite:${storePath}`, LOG_LEVEL: 'warn' })
    const verifyExit = await verified.exited
    t.equal(
      verifyExit.code,
      0,
      `policy-ledger verify passes\n${verified.stdout()}${verified.stderr()}`,
    )
    const db = new Database(storePath, { readonly: true })
    try {
      const rows = db
        .prepare('SELECT position, id, entry, leaf_hash FROM events ORDER BY position')
        .all() as Array<{ position: number; id: string; entry: string; leaf_hash: Buffer }>
      const stored = new Map(rows.map((row) => [row.id, row.position]))
      t.ok(
        acknowledgedRequests.every((request) =>
          request.events.every(
            (event, index) => stored.get(event.id) === request.positions![index],
          ),
        ),
        'in the store file itself, every acknowledged event is where it was acknowledged',
      )
      t.ok(
        rows.every(
          (row, index) => row.position === index && rfc6962Leaf(row.entry).equals(row.leaf_hash),
        ),
        'every stored leaf hash is the hash of its entry',
      )
      const latest = db
        .prepare('SELECT tree_size, root_hash FROM checkpoints ORDER BY tree_size DESC LIMIT 1')
        .get() as { tree_size: number; root_hash: Buffer }
      t.equal(latest.tree_size, rows.length, 'the latest kept checkpoint covers every stored event')
      t.ok(
        rfc6962Root(rows.map((row) => row.leaf_hash)).equals(latest.root_hash),
        "the stored checkpoint's root is the root of the stored leaves",
      )
    } finally {
      db.close()
    }

    const unknown = sent.filter((request) => request.outcome === 'unknown').length
    const refused = sent.filter((request) => request.outcome === 'refused').length
    t.comment(
      `crash test (seed ${SEED}): ${kills} SIGKILLs, ${acknowledgedRequests.length} acknowledged requests ` +
        `(${acknowledgedEvents} events) checked after every restart; ${retried + unknown} requests cut off ` +
        `by a kill (${retried} of them retried with the same ids after a restart and acknowledged then, ` +
        `${unknown} never retried), ${refused} refused with 503 overloaded; ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s`,
    )
  },
)
