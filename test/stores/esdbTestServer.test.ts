import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import grpc from '@grpc/grpc-js'
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client'
import sharedPb from '@eventstore/db-client/generated/shared_pb.js'
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js'
import streamsPb from '@eventstore/db-client/generated/streams_pb.js'
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js'
import {
  startEsdbTestServer,
  type EsdbTestServer,
  type EsdbTestServerOptions,
} from '../support/esdbTestServer/index.js'

/**
 * The test double against the behaviour of EventStoreDB that the adapter relies on, as the server's
 * source has it (EventStore/EventStore, src/EventStore.Core/Services/Transport/Grpc and
 * Services/Storage/ReaderIndex/IndexWriter.cs), through the real client.
 */

async function setUp(
  t: Test,
  options: EsdbTestServerOptions = {},
): Promise<{ server: EsdbTestServer; client: EventStoreDBClient }> {
  const server = await startEsdbTestServer(options)
  const client = EventStoreDBClient.connectionString(server.url)
  t.teardown(async () => {
    await client.dispose()
    await server.stop()
  })
  return { server, client }
}

const event = (type = 'Happened', id: string = randomUUID()) =>
  jsonEvent({ id, type, data: { type } })

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of stream) out.push(item)
  return out
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test(
  'server features: BatchAppend advertised (the client then appends through it)',
  async (t) => {
    const { server, client } = await setUp(t)
    await client.appendToStream('orders-1', event())
    t.equal(server.log.all.at(-1)?.stream, 'orders-1')
    t.equal(server.rpcCounts.get('Streams.BatchAppend'), 1)
    t.equal(server.rpcCounts.get('Streams.Append'), undefined)
    // the client asks once per channel, then uses what is advertised
    const { server: older, client: appendOnly } = await setUp(t, { batchAppend: false })
    const result = await appendOnly.appendToStream('orders-1', [event(), event()], {
      expectedRevision: NO_STREAM,
    })
    t.equal(result.nextExpectedRevision, 1n)
    t.equal(older.rpcCounts.get('ServerFeatures.GetSupportedMethods'), 1)
    t.equal(older.rpcCounts.get('Streams.Append'), 1)
    t.equal(older.rpcCounts.get('Streams.BatchAppend'), undefined)
  },
)

for (const batchAppend of [true, false]) {
  t.test(
    `wrong expected version details (${batchAppend ? 'BatchAppend' : 'Append'})`,
    async (t) => {
      const { client } = await setUp(t, { batchAppend })
      await client.appendToStream('orders-1', [event(), event()], { expectedRevision: NO_STREAM })
      const cases = [
        { expectedRevision: NO_STREAM, stream: 'orders-1', expected: 'no_stream', actual: 1n },
        { expectedRevision: 0n, stream: 'orders-1', expected: 0n, actual: 1n },
        { expectedRevision: 5n, stream: 'orders-1', expected: 5n, actual: 1n },
        { expectedRevision: 0n, stream: 'orders-2', expected: 0n, actual: 'no_stream' },
        {
          expectedRevision: STREAM_EXISTS,
          stream: 'orders-2',
          expected: 'stream_exists',
          actual: 'no_stream',
        },
      ] as const
      for (const c of cases) {
        const error = await client
          .appendToStream(c.stream, event(), { expectedRevision: c.expectedRevision })
          .catch((e: unknown) => e)
        t.type(error, WrongExpectedVersionError)
        t.match(
          error,
          { streamName: c.stream, expectedVersion: c.expected, actualVersion: c.actual },
          String(c.expectedRevision),
        )
      }
      t.equal(
        (await client.appendToStream('orders-1', event(), { expectedRevision: ANY }))
          .nextExpectedRevision,
        2n,
      )
      t.equal(
        (await client.appendToStream('orders-1', event(), { expectedRevision: STREAM_EXISTS }))
          .nextExpectedRevision,
        3n,
      )
    },
  )
}

t.test(
  'BatchAppend answers a conflict as a google.rpc.Status with packed WrongExpectedVersion details',
  async (t) => {
    const { server } = await setUp(t)
    const raw = new streamsGrpc.StreamsClient(
      `127.0.0.1:${server.port}`,
      grpc.credentials.createInsecure(),
    )
    t.teardown(() => raw.close())
    const call = raw.batchAppend()
    const request = new streamsPb.BatchAppendReq()
    const correlation = new sharedPb.UUID()
    correlation.setString(randomUUID())
    const options = new streamsPb.BatchAppendReq.Options()
    const identifier = new sharedPb.StreamIdentifier()
    identifier.setStreamName(Buffer.from('$settings'))
    options.setStreamIdentifier(identifier)
    options.setNoStream(new emptyPb.Empty())
    request.setCorrelationId(correlation)
    request.setOptions(options)
    const message = new streamsPb.BatchAppendReq.ProposedMessage()
    const id = new sharedPb.UUID()
    id.setString(randomUUID())
    message.setId(id)
    message.getMetadataMap().set('type', 'x').set('content-type', 'application/json')
    message.setData(Buffer.from('{}'))
    request.setProposedMessagesList([message])
    request.setIsFinal(true)
    const response = await new Promise<streamsPb.BatchAppendResp>((resolve, reject) => {
      call.once('data', resolve)
      call.once('error', reject)
      call.write(request)
    })
    call.end()
    t.equal(response.getCorrelationId()?.getString(), correlation.getString())
    t.equal(
      Buffer.from(response.getStreamIdentifier()!.getStreamName_asU8()).toString(),
      '$settings',
    )
    const status = response.getError()!
    t.equal(status.getCode(), 6, 'ALREADY_EXISTS')
    t.equal(status.getMessage(), 'WrongExpectedVersion')
    t.equal(
      status.getDetails()?.getTypeUrl(),
      'type.googleapis.com/event_store.client.WrongExpectedVersion',
    )
    const details = status
      .getDetails()!
      .unpack(
        sharedPb.WrongExpectedVersion.deserializeBinary,
        'event_store.client.WrongExpectedVersion',
      )!
    t.equal(details.getCurrentStreamRevision(), '0')
    t.ok(details.hasExpectedNoStream())
  },
)

t.test('idempotent appends, as the writer decides them', async (t) => {
  const { server, client } = await setUp(t)
  const a = event()
  const b = event()
  const first = await client.appendToStream('orders-1', [a, b], { expectedRevision: NO_STREAM })
  const count = server.log.all.length

  const retried = await client.appendToStream('orders-1', [a, b], { expectedRevision: NO_STREAM })
  t.same(
    retried,
    first,
    'the same ids at the same expected version: the original answer, nothing written',
  )
  t.same(
    await client.appendToStream('orders-1', [a, b], { expectedRevision: ANY }),
    first,
    'and with any',
  )
  t.equal(server.log.all.length, count)

  const retriedFirst = await client.appendToStream('orders-1', [a], { expectedRevision: NO_STREAM })
  t.equal(retriedFirst.nextExpectedRevision, 0n, 'a prefix of the write: its last revision')

  const corrupted = await client
    .appendToStream('orders-1', [a, event()], { expectedRevision: NO_STREAM })
    .catch((e: unknown) => e)
  t.type(corrupted, WrongExpectedVersionError, 'some ids match, some do not')
  const corruptedAny = await client
    .appendToStream('orders-1', [a, event()], { expectedRevision: ANY })
    .catch((e: unknown) => e)
  t.type(corruptedAny, WrongExpectedVersionError)

  // with any, only the first id is looked at: a new first id writes the whole batch, duplicates included
  const again = await client.appendToStream('orders-1', [event(), a], { expectedRevision: ANY })
  t.equal(again.nextExpectedRevision, 3n)
  // ids are per stream: the same id elsewhere is a new event
  const elsewhere = await client.appendToStream('orders-2', [a], { expectedRevision: NO_STREAM })
  t.equal(elsewhere.nextExpectedRevision, 0n)
  t.equal(server.log.all.length, count + 3)
})

t.test(
  'a stream that does not exist: reading it fails with StreamNotFound, subscribing waits for it',
  async (t) => {
    const { client } = await setUp(t)
    const error = await collect(client.readStream('nowhere-1')).catch((e: unknown) => e)
    t.type(error, StreamNotFoundError)
    const seen: bigint[] = []
    let caughtUp = false
    const subscription = client.subscribeToStream('nowhere-1')
    subscription.on('caughtUp', () => (caughtUp = true))
    subscription.on('data', (resolved: ResolvedEvent) => seen.push(resolved.event!.revision))
    t.teardown(() => subscription.unsubscribe())
    await eventually(() => caughtUp, 'caught up on nothing')
    await client.appendToStream('nowhere-1', [event(), event()])
    await eventually(() => seen.length === 2, 'the stream appears')
    t.same(seen, [0n, 1n])
  },
)

t.test('reading a stream forwards and backwards, from a revision', async (t) => {
  const { client } = await setUp(t)
  await client.appendToStream('orders-1', [event('A'), event('B'), event('C')])
  const types = (events: ResolvedEvent[]) => events.map((e) => e.event!.type)
  t.same(types(await collect(client.readStream('orders-1'))), ['A', 'B', 'C'])
  t.same(types(await collect(client.readStream('orders-1', { fromRevision: 1n, maxCount: 1 }))), [
    'B',
  ])
  t.same(
    types(
      await collect(client.readStream('orders-1', { direction: BACKWARDS, fromRevision: END })),
    ),
    ['C', 'B', 'A'],
  )
  t.same(
    types(await collect(client.readStream('orders-1', { direction: BACKWARDS, fromRevision: 1n }))),
    ['B', 'A'],
  )
})

t.test(
  '$all: positions grow with commit == prepare; reads include their start, subscriptions start after it',
  async (t) => {
    const { server, client } = await setUp(t)
    const result = await client.appendToStream('orders-1', [event('A'), event('B')])
    await client.appendToStream('orders-2', [event('C')])
    const all = await collect(client.readAll())
    t.equal(all.length, server.log.all.length, 'system events included')
    const positions = all.map((e) => e.event!.position)
    for (const [index, position] of positions.entries()) {
      t.equal(position.commit, position.prepare)
      if (index > 0) t.ok(position.commit > positions[index - 1]!.commit)
    }
    const b = all.find((e) => e.event!.type === 'B')!.event!.position
    t.same(result.position, b, 'an append answers with the position of its last event')
    const fromB = await collect(client.readAll({ fromPosition: b }))
    t.same(
      fromB.map((e) => e.event!.type),
      ['B', 'C'],
    )
    const backwards = await collect(
      client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 2 }),
    )
    t.same(
      backwards.map((e) => e.event!.type),
      ['C', 'B'],
    )
    const afterB: string[] = []
    const subscription = client.subscribeToAll({ fromPosition: b })
    subscription.on('data', (e: AllStreamResolvedEvent) => afterB.push(e.event!.type))
    t.teardown(() => subscription.unsubscribe())
    await eventually(() => afterB.length === 1, 'the event after B')
    t.same(afterB, ['C'])
  },
)

t.test(
  'a $all subscription: confirmation, catch-up, caught_up, then live; filters apply to both',
  async (t) => {
    const { server, client } = await setUp(t)
    await client.appendToStream('orders-1', [event('A'), event('B')])
    await client.appendToStream('customers-1', [event('X')])
    const log: string[] = []
    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({ prefixes: ['orders-'] }),
    })
    subscription.on('confirmation', () => log.push('confirmation'))
    subscription.on('caughtUp', () => log.push('caughtUp'))
    subscription.on('data', (e: AllStreamResolvedEvent) => log.push(e.event!.type))
    t.teardown(() => subscription.unsubscribe())
    await eventually(() => log.includes('caughtUp'), 'caught up')
    server.appendSystemEvent('$stats-127.0.0.1:2113', '$statsCollected')
    await client.appendToStream('customers-1', [event('Y')])
    await client.appendToStream('orders-2', [event('C')])
    await eventually(() => log.length === 5, 'live')
    t.same(log, ['confirmation', 'A', 'B', 'caughtUp', 'C'])

    const byType: string[] = []
    const regex = client.subscribeToAll({ filter: eventTypeFilter({ regex: '^[AC]$' }) })
    regex.on('data', (e: AllStreamResolvedEvent) => byType.push(e.event!.type))
    t.teardown(() => regex.unsubscribe())
    const excluded: string[] = []
    const withoutSystem = client.subscribeToAll({
      filter: eventTypeFilter({ prefixes: ['B', 'X', 'Y'] }),
    })
    withoutSystem.on('data', (e: AllStreamResolvedEvent) => excluded.push(e.event!.type))
    t.teardown(() => withoutSystem.unsubscribe())
    await eventually(() => byType.length === 2 && excluded.length === 3, 'filtered by event type')
    t.same(byType, ['A', 'C'])
    t.same(excluded, ['B', 'X', 'Y'])
  },
)

t.test(
  'servers before 23.10 send no caught_up; a filtered subscription sends checkpoints',
  async (t) => {
    const { client } = await setUp(t, { caughtUp: false })
    for (let i = 0; i < 5; i += 1) await client.appendToStream(`other-${i}`, [event(), event()])
    const checkpoints: Position[] = []
    let caughtUp = false
    let confirmed = false
    const subscription = client.subscribeToAll({
      filter: streamNameFilter({
        prefixes: ['orders-'],
        maxSearchWindow: 2,
        checkpointInterval: 2,
        checkpointReached: (_s, p) => void checkpoints.push(p),
      }),
    })
    subscription.on('confirmation', () => (confirmed = true))
    subscription.on('caughtUp', () => (caughtUp = true))
    subscription.on('data', () => undefined)
    t.teardown(() => subscription.unsubscribe())
    await eventually(
      () => confirmed && checkpoints.length >= 3,
      'checkpoints while nothing matches',
    )
    for (let i = 1; i < checkpoints.length; i += 1)
      t.ok(checkpoints[i]!.commit > checkpoints[i - 1]!.commit)
    t.notOk(caughtUp)
  },
)

t.test(
  'dropping connections: calls fail as UNAVAILABLE, the server comes back on the same port with its data',
  async (t) => {
    const { server, client } = await setUp(t)
    await client.appendToStream('orders-1', [event('A')])
    const port = server.port
    let error: unknown
    const subscription = client.subscribeToAll()
    subscription.on('data', () => undefined)
    subscription.on('error', (e) => (error = e))
    await new Promise((resolve) => setTimeout(resolve, 50))
    await server.dropConnections({ downMs: 100 })
    await eventually(() => error !== undefined, 'the subscription fails')
    t.type(error, UnavailableError)
    t.equal(server.port, port)
    // the client dropped its channel on UNAVAILABLE; its next call connects again
    const events = await collect(client.readStream('orders-1'))
    t.same(
      events.map((e) => e.event!.type),
      ['A'],
    )
  },
)
