import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import { entryOf, leafHash } from '../../src/log/entry.js'
import {
  DuplicateEventId,
  WrongExpectedRevision,
  type EventStore,
  type EventToAppend,
  type StoredEvent,
} from '../../src/stores/eventStore.js'

/**
 * The behaviour every EventStore adapter must have. Run by test/stores/*.test.ts against the embedded
 * store and against EventStoreDB (the gRPC test double in CI, a real server with ESDB_URL).
 */

export interface StoreUnderTest {
  store: EventStore
  close(): Promise<void>
}

let sequence = 0

/** A stream name unique to one test, so a shared server can run the whole suite. */
export function freshStream(): string {
  sequence += 1
  return `jurisdiction-contract-${process.pid}-${Date.now().toString(36)}-${sequence}`
}

export function eventFor(stream: string, note = 'x'): EventToAppend {
  const id = randomUUID()
  const type = 'StatementMade'
  const data = { note, unicode: 'é — “quoted” 😀' }
  const metadata = { recordedAt: '2026-11-20T12:00:00.000Z', recordedBy: 'contract', schemaVersion: 1 }
  const entry = entryOf({ id, stream, type, data, metadata })
  return { id, stream, type, data, metadata, entry, leafHash: leafHash(entry) }
}

function collect(store: EventStore, from: number) {
  const seen: StoredEvent[] = []
  let caughtUp = 0
  const waiters: Array<() => void> = []
  const subscription = store.subscribe(from, {
    onEvents: (events) => {
      seen.push(...events)
      for (const wake of waiters.splice(0)) wake()
    },
    onCaughtUp: () => {
      caughtUp += 1
      for (const wake of waiters.splice(0)) wake()
    },
  })
  const until = async (done: () => boolean, ms = 5_000): Promise<void> => {
    const deadline = Date.now() + ms
    while (!done()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the subscription')
      await new Promise<void>((resolve) => {
        waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }
  return { seen, caughtUpCount: () => caughtUp, until, subscription }
}

export function eventStoreContract(t: Test, open: () => Promise<StoreUnderTest>): void {
  let subject: StoreUnderTest
  t.beforeEach(async () => {
    subject = await open()
  })
  t.afterEach(async () => {
    await subject.close()
  })

  t.test('a new stream takes no_stream and numbers revisions from 0', async (t) => {
    const { store } = subject
    const stream = freshStream()
    const start = await store.head()
    const events = [eventFor(stream), eventFor(stream)]
    const stored = await store.append([{ stream, expectedRevision: 'no_stream', events }])
    t.same(
      stored.map((e) => [e.position, e.revision, e.id]),
      [
        [start, 0, events[0]!.id],
        [start + 1, 1, events[1]!.id],
      ],
    )
    t.equal(await store.head(), start + 2)
    t.equal(await store.streamRevision(stream), 1)
  })

  t.test('no_stream on an existing stream is a conflict naming the current revision', async (t) => {
    const { store } = subject
    const stream = freshStream()
    await store.append([{ stream, expectedRevision: 'no_stream', events: [eventFor(stream)] }])
    const head = await store.head()
    const error = await store
      .append([{ stream, expectedRevision: 'no_stream', events: [eventFor(stream)] }])
      .catch((e: unknown) => e)
    t.type(error, WrongExpectedRevision)
    t.match(error, { stream, expectedRevision: 'no_stream', currentRevision: 0 })
    t.equal(await store.head(), head, 'nothing written')
  })

  t.test('an exact revision appends when it matches and conflicts when it does not', async (t) => {
    const { store } = subject
    const stream = freshStream()
    await store.append([{ stream, expectedRevision: 'no_stream', events: [eventFor(stream), eventFor(stream)] }])
    const stored = await store.append([{ stream, expectedRevision: 1, events: [eventFor(stream)] }])
    t.equal(stored[0]!.revision, 2)
    const stale = await store.append([{ stream, expectedRevision: 1, events: [eventFor(stream)] }]).catch((e: unknown) => e)
    t.match(stale, { code: 'wrong_expected_revision', expectedRevision: 1, currentRevision: 2 })
    const missing = freshStream()
    const none = await store.append([{ stream: missing, expectedRevision: 0, events: [eventFor(missing)] }]).catch((e: unknown) => e)
    t.match(none, { code: 'wrong_expected_revision', currentRevision: null })
  })

  t.test('any appends whatever the stream holds', async (t) => {
    const { store } = subject
    const stream = freshStream()
    await store.append([{ stream, expectedRevision: 'any', events: [eventFor(stream)] }])
    const stored = await store.append([{ stream, expectedRevision: 'any', events: [eventFor(stream)] }])
    t.equal(stored[0]!.revision, 1)
  })

  t.test('positions follow the order of the runs in one append', async (t) => {
    const { store } = subject
    const a = freshStream()
    const b = freshStream()
    const start = await store.head()
    const stored = await store.append([
      { stream: a, expectedRevision: 'no_stream', events: [eventFor(a)] },
      { stream: b, expectedRevision: 'no_stream', events: [eventFor(b), eventFor(b)] },
      { stream: a, expectedRevision: 0, events: [eventFor(a)] },
    ])
    t.same(
      stored.map((e) => [e.position - start, e.stream === a ? 'a' : 'b', e.revision]),
      [
        [0, 'a', 0],
        [1, 'b', 0],
        [2, 'b', 1],
        [3, 'a', 1],
      ],
    )
    const all = await store.readAll(start, 10)
    t.same(
      all.map((e) => e.id),
      stored.map((e) => e.id),
    )
  })

  t.test('an id already stored is refused and nothing of that append is written', async (t) => {
    const { store } = subject
    const stream = freshStream()
    const first = eventFor(stream)
    await store.append([{ stream, expectedRevision: 'no_stream', events: [first] }])
    const head = await store.head()
    const error = await store.append([{ stream, expectedRevision: 0, events: [first] }]).catch((e: unknown) => e)
    t.type(error, DuplicateEventId)
    t.equal(await store.head(), head)
    t.equal(await store.streamRevision(stream), 0)
  })

  t.test('what is read back is byte-exact: entry, leaf hash, data and metadata', async (t) => {
    const { store } = subject
    const stream = freshStream()
    const event = eventFor(stream, 'round trip')
    const [stored] = await store.append([{ stream, expectedRevision: 'no_stream', events: [event] }])
    const byId = await store.eventById(event.id)
    const [fromStream] = await store.readStream(stream)
    const [fromAll] = await store.readAll(stored!.position, 1)
    for (const read of [byId, fromStream, fromAll]) {
      t.equal(read?.entry, event.entry)
      t.ok(read?.leafHash.equals(event.leafHash))
      t.same(read?.data, event.data)
      t.same(read?.metadata, event.metadata)
      t.equal(read?.type, event.type)
      t.equal(read?.position, stored!.position)
      t.equal(read?.revision, 0)
      t.equal(read?.stream, stream)
    }
  })

  t.test('a missing stream reads as empty and a missing id as undefined', async (t) => {
    const { store } = subject
    t.same(await store.readStream(freshStream()), [])
    t.equal(await store.streamRevision(freshStream()), null)
    t.equal(await store.eventById(randomUUID()), undefined)
  })

  t.test('readAll pages in position order from an inclusive position', async (t) => {
    const { store } = subject
    const stream = freshStream()
    const start = await store.head()
    const events = Array.from({ length: 7 }, () => eventFor(stream))
    await store.append([{ stream, expectedRevision: 'no_stream', events }])
    const page1 = await store.readAll(start + 2, 3)
    const page2 = await store.readAll(start + 5, 3)
    t.same(
      [...page1, ...page2].map((e) => e.id),
      events.slice(2).map((e) => e.id),
    )
    t.same(await store.readAll(start + 7, 10), [])
  })

  t.test('a subscription catches up, says so once, then goes live', async (t) => {
    const { store } = subject
    const stream = freshStream()
    const start = await store.head()
    await store.append([{ stream, expectedRevision: 'no_stream', events: [eventFor(stream), eventFor(stream)] }])
    const sub = collect(store, start)
    await sub.until(() => sub.caughtUpCount() === 1 && sub.seen.length >= 2)
    await store.append([{ stream, expectedRevision: 1, events: [eventFor(stream)] }])
    await store.append([{ stream, expectedRevision: 2, events: [eventFor(stream), eventFor(stream)] }])
    await sub.until(() => sub.seen.length >= 5)
    t.same(
      sub.seen.map((e) => e.position),
      [0, 1, 2, 3, 4].map((i) => start + i),
      'every position once, in order',
    )
    t.equal(sub.caughtUpCount(), 1)
    await sub.subscription.close()
  })

  t.test('a subscription from a later position skips what came before', async (t) => {
    const { store } = subject
    const stream = freshStream()
    const start = await store.head()
    await store.append([{ stream, expectedRevision: 'no_stream', events: [eventFor(stream), eventFor(stream), eventFor(stream)] }])
    const sub = collect(store, start + 2)
    await sub.until(() => sub.caughtUpCount() === 1)
    t.same(
      sub.seen.map((e) => e.position),
      [start + 2],
    )
    await sub.subscription.close()
  })

  t.test('a checkpoint is kept once per tree size', async (t) => {
    const { store } = subject
    const base = (await store.latestCheckpoint())?.treeSize ?? 0
    const first = { treeSize: base + 1_000_001, rootHash: Buffer.alloc(32, 1), note: 'note one\n' }
    const again = { treeSize: base + 1_000_001, rootHash: Buffer.alloc(32, 9), note: 'a different note\n' }
    const later = { treeSize: base + 1_000_002, rootHash: Buffer.alloc(32, 2), note: 'note two\n' }
    await store.saveCheckpoint(first)
    await store.saveCheckpoint(again)
    await store.saveCheckpoint(later)
    const kept = (await store.checkpoints()).filter((c) => c.treeSize > base + 1_000_000)
    t.same(
      kept.map((c) => [c.treeSize, c.note, c.rootHash.toString('hex')]),
      [
        [first.treeSize, first.note, first.rootHash.toString('hex')],
        [later.treeSize, later.note, later.rootHash.toString('hex')],
      ],
    )
    t.equal((await store.latestCheckpoint())?.treeSize, later.treeSize)
  })
}
