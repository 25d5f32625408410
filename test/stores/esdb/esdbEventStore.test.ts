import t, { type Test } from 'tap'
import { EventStoreDBClient, NO_STREAM, jsonEvent } from '@eventstore/db-client'
import {
  CorruptLedgerEvent,
  checkpointEventId,
  openEsdbEventStore,
  type EsdbEventStore,
  type EsdbStoreOptions,
} from '../../../src/stores/esdb/esdbEventStore.js'
import {
  DuplicateEventId,
  PartialAppend,
  WrongExpectedRevision,
  type StoredEvent,
} from '../../../src/stores/eventStore.js'
import { startEsdbTestServer, type EsdbTestServer } from '../../support/esdbTestServer/index.js'
import { eventFor, eventStoreContract, freshStream } from '../../support/eventStoreContract.js'

/** Everything this file opens is closed at the end of the test that opened it. */
async function serverFor(
  t: Test,
  options: Parameters<typeof startEsdbTestServer>[0] = {},
): Promise<EsdbTestServer> {
  const server = await startEsdbTestServer(options)
  t.teardown(() => server.stop())
  return server
}

function storeFor(
  t: Test,
  server: EsdbTestServer,
  options: Partial<EsdbStoreOptions> = {},
): EsdbEventStore {
  const store = openEsdbEventStore({
    connectionString: server.url,
    retry: { initialDelayMs: 50, maxDelayMs: 400 },
    ...options,
  })
  t.teardown(() => store.close())
  return store
}

async function eventually(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test(
  'the EventStore contract, against the gRPC test double (BatchAppend, as every real server)',
  async (t) => {
    const server = await serverFor(t)
    eventStoreContract(t, async () => {
      const store = openEsdbEventStore({ connectionString: server.url })
      return { store, close: () => store.close() }
    })
    t.test('the client paths the adapter took', async (t) => {
      const paths = [...server.rpcCounts.keys()].sort()
      t.comment(JSON.stringify(Object.fromEntries(server.rpcCounts)))
      t.same(paths, [
        'ServerFeatures.GetSupportedMethods',
        'Streams.BatchAppend',
        'Streams.Read $all count',
        'Streams.Read $all subscription filtered',
        'Streams.Read stream count',
      ])
    })
  },
)

t.test(
  'the EventStore contract, against the double without BatchAppend (the client falls back to Append)',
  async (t) => {
    const server = await serverFor(t, { batchAppend: false })
    eventStoreContract(t, async () => {
      const store = openEsdbEventStore({ connectionString: server.url })
      return { store, close: () => store.close() }
    })
  },
)

const esdbUrl = process.env.ESDB_URL
t.test(
  'the EventStore contract, against a real EventStoreDB at ESDB_URL',
  { skip: esdbUrl === undefined && 'ESDB_URL is not set' },
  async (t) => {
    eventStoreContract(t, async () => {
      const store = openEsdbEventStore({ connectionString: esdbUrl! })
      return { store, close: () => store.close() }
    })
  },
)

t.test(
  'replicas number the ledger alike, leaving out system events and the checkpoint stream',
  async (t) => {
    const server = await serverFor(t)
    const writer = storeFor(t, server)
    const a = freshStream()
    const b = freshStream()
    await writer.append([
      { stream: a, expectedRevision: 'no_stream', events: [eventFor(a), eventFor(a)] },
    ])
    server.appendSystemEvent('$stats-127.0.0.1:2113', '$statsCollected', { 'proc-cpu': 1 })
    await writer.saveCheckpoint({ treeSize: 2, rootHash: Buffer.alloc(32, 7), note: 'two\n' })
    await writer.append([
      { stream: b, expectedRevision: 'no_stream', events: [eventFor(b)] },
      { stream: a, expectedRevision: 1, events: [eventFor(a)] },
    ])
    server.appendSystemEvent('$$jurisdiction-x', '$metadata', { $maxCount: 10 })

    const replica = storeFor(t, server)
    const mine = await writer.readAll(0, 100)
    const theirs = await replica.readAll(0, 100)
    t.same(
      theirs.map((e) => [e.position, e.id, e.stream, e.revision]),
      mine.map((e) => [e.position, e.id, e.stream, e.revision]),
    )
    t.same(
      theirs.map((e) => e.position),
      [0, 1, 2, 3],
    )
    t.ok(server.log.all.length > 4 + 1, 'the store holds more than the ledger')
    t.equal(await replica.head(), 4)
  },
)

t.test(
  'a conflict carries the current revision, through BatchAppend and through Append',
  async (t) => {
    for (const batchAppend of [true, false]) {
      const server = await serverFor(t, { batchAppend })
      const store = storeFor(t, server)
      const stream = freshStream()
      await store.append([
        { stream, expectedRevision: 'no_stream', events: [eventFor(stream), eventFor(stream)] },
      ])
      const stale = await store
        .append([{ stream, expectedRevision: 0, events: [eventFor(stream)] }])
        .catch((e: unknown) => e)
      t.type(stale, WrongExpectedRevision)
      t.match(
        stale,
        { stream, expectedRevision: 0, currentRevision: 1 },
        `batchAppend: ${batchAppend}`,
      )
      const missing = freshStream()
      const none = await store
        .append([{ stream: missing, expectedRevision: 3, events: [eventFor(missing)] }])
        .catch((e: unknown) => e)
      t.match(none, { stream: missing, expectedRevision: 3, currentRevision: null })
    }
  },
)

t.test(
  'a later run that fails after earlier ones were written says what was written; retrying the rest completes it',
  async (t) => {
    const server = await serverFor(t)
    const store = storeFor(t, server)
    const a = freshStream()
    const b = freshStream()
    await store.append([{ stream: b, expectedRevision: 'no_stream', events: [eventFor(b)] }])
    const first = [eventFor(a), eventFor(a)]
    const second = [eventFor(b)]
    const error = await store
      .append([
        { stream: a, expectedRevision: 'no_stream', events: first },
        { stream: b, expectedRevision: 'no_stream', events: second },
      ])
      .catch((e: unknown) => e)
    t.type(error, PartialAppend)
    const partial = error as PartialAppend
    t.same(
      partial.written.map((e) => [e.id, e.position, e.revision]),
      first.map((e, i) => [e.id, 1 + i, i]),
    )
    t.type(partial.cause, WrongExpectedRevision)
    t.match(partial.cause, { stream: b, currentRevision: 0 })
    const rest = await store.append([{ stream: b, expectedRevision: 0, events: second }])
    t.same(
      rest.map((e) => [e.id, e.position]),
      [[second[0]!.id, 3]],
    )
  },
)

t.test(
  'an id already in the ledger is refused before anything of the append is written',
  async (t) => {
    const server = await serverFor(t)
    const store = storeFor(t, server)
    const a = freshStream()
    const b = freshStream()
    const event = eventFor(a)
    await store.append([{ stream: a, expectedRevision: 'no_stream', events: [event] }])
    const before = server.log.all.length
    const again = { ...eventFor(b), id: event.id }
    const error = await store
      .append([
        { stream: b, expectedRevision: 'no_stream', events: [eventFor(b)] },
        { stream: b, expectedRevision: 0, events: [again] },
      ])
      .catch((e: unknown) => e)
    t.type(error, DuplicateEventId)
    t.equal(server.log.all.length, before, 'no run was sent')
  },
)

t.test(
  'replicas racing with the same run: EventStoreDB keeps one copy and both answers agree',
  async (t) => {
    const server = await serverFor(t)
    const one = storeFor(t, server)
    const two = storeFor(t, server)
    for (let round = 0; round < 5; round += 1) {
      const stream = freshStream()
      const run = {
        stream,
        expectedRevision: 'no_stream' as const,
        events: [eventFor(stream), eventFor(stream)],
      }
      const outcomes = await Promise.allSettled([one.append([run]), two.append([run])])
      const answers = outcomes.flatMap((o) =>
        o.status === 'fulfilled' ? [o.value.map((e) => [e.id, e.position])] : [],
      )
      for (const o of outcomes)
        if (o.status === 'rejected') t.type(o.reason, DuplicateEventId, 'a loser re-reads')
      t.ok(answers.length >= 1)
      for (const answer of answers) t.same(answer, answers[0])
      t.equal(server.log.stream(stream)?.length, 2, 'one copy in EventStoreDB')
    }
    t.same(
      (await one.readAll(0, 100)).map((e) => e.id),
      (await two.readAll(0, 100)).map((e) => e.id),
    )
  },
)

t.test(
  'an event id written twice in $all (a race across streams): the first occurrence is the ledger event',
  async (t) => {
    const server = await serverFor(t)
    const store = storeFor(t, server)
    const raw = EventStoreDBClient.connectionString(server.url)
    t.teardown(() => raw.dispose())
    const a = freshStream()
    const b = freshStream()
    const first = eventFor(a)
    await store.append([{ stream: a, expectedRevision: 'no_stream', events: [first] }])
    // another replica that had not seen it writes the same id into another stream, as the adapter would
    const copy = eventFor(b)
    await raw.appendToStream(
      b,
      jsonEvent({
        id: first.id,
        type: copy.type,
        data: copy.data as Record<string, unknown>,
        metadata: {
          ledger: copy.metadata,
          entry: copy.entry.replace(copy.id, first.id),
          leafHash: copy.leafHash.toString('hex'),
          run: { index: 0, size: 1 },
        },
      }),
      { expectedRevision: NO_STREAM },
    )
    const replica = storeFor(t, server)
    t.same(
      (await replica.readAll(0, 10)).map((e) => [e.id, e.stream]),
      [[first.id, a]],
    )
    t.equal((await replica.eventById(first.id))?.stream, a)
    t.equal(await replica.streamRevision(b), 0, 'EventStoreDB still counts it in its stream')
    t.same(await replica.readStream(b), [])
  },
)

t.test('a subscription catches up, goes live, and ignores what is not the ledger', async (t) => {
  const server = await serverFor(t)
  const store = storeFor(t, server)
  const stream = freshStream()
  await store.append([
    { stream, expectedRevision: 'no_stream', events: [eventFor(stream), eventFor(stream)] },
  ])
  const seen: StoredEvent[][] = []
  const connection: boolean[] = []
  let caughtUp = 0
  const subscription = store.subscribe(0, {
    onEvents: (events) => {
      seen.push(events)
    },
    onCaughtUp: () => {
      caughtUp += 1
    },
    onConnectionChange: (connected) => connection.push(connected),
  })
  t.teardown(() => subscription.close())
  await eventually(() => caughtUp === 1 && connection.length > 0, 'caught up and connected')
  server.appendSystemEvent('$stats-127.0.0.1:2113', '$statsCollected')
  const other = storeFor(t, server)
  await other.append([
    { stream, expectedRevision: 1, events: [eventFor(stream), eventFor(stream), eventFor(stream)] },
  ])
  await eventually(() => seen.flat().length === 5, 'the live run arrives')
  t.same(
    seen.flat().map((e) => e.position),
    [0, 1, 2, 3, 4],
  )
  t.same(
    seen.at(-1)!.map((e) => e.revision),
    [2, 3, 4],
    'a run arrives whole',
  )
  t.same(connection, [true])
  t.equal(caughtUp, 1)
})

t.test(
  'caught up is reported by the adapter itself, also on servers that never send caught_up',
  async (t) => {
    const server = await serverFor(t, { caughtUp: false, serverVersion: '22.10.0' })
    const store = storeFor(t, server)
    const stream = freshStream()
    await store.append([{ stream, expectedRevision: 'no_stream', events: [eventFor(stream)] }])
    let seen = 0
    let caughtUp = false
    const subscription = store.subscribe(0, {
      onEvents: (events) => {
        seen += events.length
      },
      onCaughtUp: () => {
        caughtUp = true
      },
    })
    t.teardown(() => subscription.close())
    await eventually(() => caughtUp, 'caught up')
    t.equal(seen, 1)
  },
)

t.test(
  'after the server drops every connection the subscription resubscribes: no position twice, none lost',
  async (t) => {
    const server = await serverFor(t)
    const subscriber = storeFor(t, server, { retry: { initialDelayMs: 300, maxDelayMs: 1_000 } })
    const writer = storeFor(t, server)
    const stream = freshStream()
    let revision = -1
    const write = async (n: number): Promise<void> => {
      const events = Array.from({ length: n }, () => eventFor(stream))
      await writer.append([
        { stream, expectedRevision: revision < 0 ? 'no_stream' : revision, events },
      ])
      revision += n
    }
    await write(3)
    const positions: number[] = []
    const connection: boolean[] = []
    const subscription = subscriber.subscribe(0, {
      onEvents: (events) => {
        positions.push(...events.map((e) => e.position))
      },
      onConnectionChange: (connected) => connection.push(connected),
    })
    t.teardown(() => subscription.close())
    await eventually(() => positions.length === 3 && connection.at(-1) === true, 'the first events')

    await server.dropConnections()
    await eventually(() => connection.at(-1) === false, 'the loss is reported')
    // written while the subscriber waits to resubscribe: found by its read from the resume position
    await write(2)
    await eventually(() => connection.at(-1) === true, 'resubscribed')
    await write(1)
    await eventually(() => positions.length === 6, 'everything')

    await server.dropConnections({ downMs: 200 })
    await eventually(() => connection.at(-1) === false, 'the second loss')
    await eventually(() => connection.at(-1) === true, 'back again', 8_000)
    await write(2)
    await eventually(() => positions.length === 8, 'everything again')
    await new Promise((resolve) => setTimeout(resolve, 100))
    t.same(positions, [0, 1, 2, 3, 4, 5, 6, 7], 'each position once, in order')
    t.same(connection, [true, false, true, false, true])
  },
)

t.test('a subscriber whose handler throws is stopped and told', async (t) => {
  const server = await serverFor(t)
  const store = storeFor(t, server)
  const stream = freshStream()
  await store.append([{ stream, expectedRevision: 'no_stream', events: [eventFor(stream)] }])
  let error: Error | undefined
  const subscription = store.subscribe(0, {
    onEvents: () => {
      throw new Error('projection broke')
    },
    onError: (e) => {
      error = e
    },
  })
  t.teardown(() => subscription.close())
  await eventually(() => error !== undefined, 'the error')
  t.match(error, { message: 'projection broke' })
})

t.test(
  'an event in a ledger stream that the ledger did not write stops readers with a clear error',
  async (t) => {
    const server = await serverFor(t)
    const store = storeFor(t, server)
    const raw = EventStoreDBClient.connectionString(server.url)
    t.teardown(() => raw.dispose())
    const stream = freshStream()
    await raw.appendToStream(stream, jsonEvent({ type: 'Whatever', data: { hello: 'world' } }), {
      expectedRevision: NO_STREAM,
    })
    await t.rejects(store.head(), { code: 'corrupt_ledger_event' })
    let error: Error | undefined
    const subscription = store.subscribe(0, {
      onEvents: () => undefined,
      onError: (e) => (error = e),
    })
    t.teardown(() => subscription.close())
    await eventually(() => error !== undefined, 'the error')
    t.type(error, CorruptLedgerEvent)
  },
)

t.test('checkpoints: one event per tree size, even when replicas save it together', async (t) => {
  const server = await serverFor(t)
  const one = storeFor(t, server)
  const two = storeFor(t, server)
  t.same(await one.checkpoints(), [], 'no checkpoint stream yet')
  t.equal(await one.latestCheckpoint(), undefined)
  const checkpoint = { treeSize: 5, rootHash: Buffer.alloc(32, 5), note: 'five\n' }
  await Promise.all([
    one.saveCheckpoint(checkpoint),
    two.saveCheckpoint(checkpoint),
    one.saveCheckpoint(checkpoint),
  ])
  await two.saveCheckpoint({ treeSize: 3, rootHash: Buffer.alloc(32, 3), note: 'three\n' })
  t.equal(server.log.stream('ledger-checkpoints')?.length, 2)
  t.same(
    (await one.checkpoints()).map((c) => [c.treeSize, c.note, c.rootHash.toString('hex')]),
    [
      [3, 'three\n', Buffer.alloc(32, 3).toString('hex')],
      [5, 'five\n', Buffer.alloc(32, 5).toString('hex')],
    ],
  )
  t.equal((await two.latestCheckpoint())?.treeSize, 5)
  t.equal(checkpointEventId('ledger-checkpoints', 5), checkpointEventId('ledger-checkpoints', 5))
  t.not(checkpointEventId('ledger-checkpoints', 5), checkpointEventId('ledger-checkpoints', 6))
  t.match(
    checkpointEventId('ledger-checkpoints', 5),
    /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  )
})

t.test('a connection string that turns throwOnAppendFailure off is refused', async (t) => {
  t.throws(
    () =>
      openEsdbEventStore({
        connectionString: 'esdb://127.0.0.1:1?tls=false&throwOnAppendFailure=false',
      }),
    /throwOnAppendFailure/,
  )
})

t.test('the checkpoint stream may not be one of the ledger streams', async (t) => {
  t.throws(() =>
    openEsdbEventStore({
      connectionString: 'esdb://127.0.0.1:1?tls=false',
      checkpointStream: 'jurisdiction-checkpoints',
    }),
  )
  t.throws(() =>
    openEsdbEventStore({
      connectionString: 'esdb://127.0.0.1:1?tls=false',
      checkpointStream: '$checkpoints',
    }),
  )
})
