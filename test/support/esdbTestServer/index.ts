/**
 * A TEST DOUBLE of EventStoreDB, not a server: an in-process gRPC endpoint speaking the subset of the
 * EventStoreDB v1 client protocol that `@eventstore/db-client` v6 uses against a single node, built on
 * `@grpc/grpc-js` and the service definitions shipped inside the client (`generated/*_grpc_pb.js`).
 * Everything lives in memory and is lost on `stop()`. EventStoreDB cannot run on the CI machine (no Docker
 * engine, no server package), so this is what the store contract suite runs against there; `ESDB_URL`
 * points the same suite at a real server.
 *
 * Implemented, following the server's source (EventStore/EventStore, src/EventStore.Core/Services/
 * Transport/Grpc): ServerFeatures.GetSupportedMethods; Streams.BatchAppend (errors as google.rpc.Status
 * with packed details: WrongExpectedVersion, MaximumAppendSizeExceeded, BadRequest, Timeout); Streams.Append
 * (WrongExpectedVersion in the response, other failures as RPC errors); Streams.Read for a stream forwards
 * and backwards (StreamNotFound when it does not exist), `$all` forwards and backwards with or without a
 * filter (stream-name or event-type, prefixes or regex), and subscriptions to a stream or to `$all`
 * (confirmation, catch-up, `caught_up`, then live; filtered `$all` subscriptions send checkpoints).
 * Expected versions and idempotency follow the writer (see memoryLog.ts).
 *
 * Not implemented: TLS and authentication (the connection string must say `tls=false`), Delete and
 * Tombstone, stream metadata and its ACLs, `$maxAge`/`$maxCount`, link events and `resolveLinkTos`,
 * persistent subscriptions, projections, gossip and clusters, operations, and the server's slow-consumer
 * handling (a subscription is paced by gRPC flow control instead of being dropped).
 */
import { randomUUID } from 'node:crypto'
import type { Http2Session } from 'node:http2'
import grpc from '@grpc/grpc-js'
import anyPb from 'google-protobuf/google/protobuf/any_pb.js'
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js'
import codePb from '@eventstore/db-client/generated/code_pb.js'
import serverFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js'
import serverFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js'
import sharedPb from '@eventstore/db-client/generated/shared_pb.js'
import statusPb from '@eventstore/db-client/generated/status_pb.js'
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js'
import streamsPb from '@eventstore/db-client/generated/streams_pb.js'
import {
  ANY,
  InvalidEventId,
  MemoryLog,
  NO_STREAM,
  STREAM_EXISTS,
  normaliseId,
  type AppendOutcome,
  type LogRecord,
  type ProposedRecord,
} from './memoryLog.js'

export { MemoryLog, type LogRecord } from './memoryLog.js'

const { ReadReq, ReadResp } = streamsPb
type ReadReq = streamsPb.ReadReq
type ReadResp = streamsPb.ReadResp

/** The server's read page size, the default `maxSearchWindow` of a filtered `$all` subscription. */
const readBatchSize = 32

export interface EsdbTestServerOptions {
  /** 0 or omitted: any free port. */
  port?: number
  /** Advertise BatchAppend (every real server since 21.10 does); false makes the client use Append. */
  batchAppend?: boolean
  /**
   * Send `caught_up` on subscriptions (servers since 23.10 do; since 24.2 also on a stream that does
   * not exist yet, as here).
   */
  caughtUp?: boolean
  /** Reported by GetSupportedMethods. */
  serverVersion?: string
  maxAppendSize?: number
  /** Write the system events a fresh node has in `$all` before any client write (default true). */
  seedSystemEvents?: boolean
}

export interface EsdbTestServer {
  /** `esdb://127.0.0.1:PORT?tls=false` */
  readonly url: string
  readonly port: number
  /** The data: survives `dropConnections()`. */
  readonly log: MemoryLog
  /**
   * Simulates a server failure: every connection, call and subscription is cut, then (after `downMs`)
   * the server listens again on the same port with the same data.
   */
  dropConnections(options?: { downMs?: number }): Promise<void>
  /** Writes an event as the server itself would (a `$stats` event, say), waking subscriptions. */
  appendSystemEvent(stream: string, type: string, data?: unknown): void
  /**
   * How often each RPC was called, e.g. `Streams.BatchAppend`, `Streams.Read $all subscription
   * filtered`, `Streams.Read stream count`: which paths a client actually took.
   */
  readonly rpcCounts: ReadonlyMap<string, number>
  /** How many events the Read RPCs (reads and subscriptions) have sent, by stream: what clients read. */
  readonly eventsSent: ReadonlyMap<string, number>
  stop(): Promise<void>
}

export async function startEsdbTestServer(
  options: EsdbTestServerOptions = {},
): Promise<EsdbTestServer> {
  const log = new MemoryLog({ maxAppendSize: options.maxAppendSize })
  const settings = {
    batchAppend: options.batchAppend ?? true,
    caughtUp: options.caughtUp ?? true,
    serverVersion: options.serverVersion ?? '24.10.0',
  }
  const appendSystemEvent = (stream: string, type: string, data: unknown = {}): void => {
    log.append(stream, ANY, [
      {
        id: randomUUID(),
        type,
        isJson: true,
        data: Buffer.from(JSON.stringify(data)),
        metadata: new Uint8Array(),
      },
    ])
  }
  if (options.seedSystemEvents ?? true) {
    appendSystemEvent('$$$scavenges', '$metadata', { $maxAge: 2_592_000 })
    appendSystemEvent('$$$stats-127.0.0.1:2113', '$metadata', { $maxAge: 86_400 })
    appendSystemEvent('$settings', '$settings', { $userStreamAcl: {}, $systemStreamAcl: {} })
  }

  let server: grpc.Server | undefined
  let port = options.port ?? 0
  const calls = new Set<() => void>()
  const rpcCounts = new Map<string, number>()
  const count = (rpc: string): void => {
    rpcCounts.set(rpc, (rpcCounts.get(rpc) ?? 0) + 1)
  }
  const eventsSent = new Map<string, number>()
  const sent = (stream: string): void => {
    eventsSent.set(stream, (eventsSent.get(stream) ?? 0) + 1)
  }

  const listen = async (): Promise<void> => {
    const next = new grpc.Server()
    next.addService(serverFeaturesGrpc.ServerFeaturesService, serverFeatures(settings, count))
    next.addService(streamsGrpc.StreamsService, streams(log, settings, calls, count, sent))
    port = await bind(next, port)
    server = next
  }
  const shutdown = (): void => {
    if (server !== undefined) cutConnections(server)
    server?.forceShutdown()
    server = undefined
    for (const cleanUp of [...calls]) cleanUp()
  }

  await listen()
  return {
    get url() {
      return `esdb://127.0.0.1:${port}?tls=false`
    },
    get port() {
      return port
    },
    log,
    async dropConnections({ downMs = 0 } = {}) {
      shutdown()
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs))
      await listen()
    },
    appendSystemEvent,
    rpcCounts,
    eventsSent,
    async stop() {
      shutdown()
    },
  }
}

/**
 * A crashed server's connections end without a goodbye, which clients see as UNAVAILABLE; grpc-js's
 * forceShutdown() alone cancels each call instead (CANCELLED). So end the HTTP/2 sessions first. This
 * reaches into grpc-js's private session table: a test double may; if it moves, forceShutdown() remains.
 */
function cutConnections(server: grpc.Server): void {
  const sessions = (server as unknown as { sessions?: Map<Http2Session, unknown> }).sessions
  for (const session of sessions?.keys() ?? []) session.destroy()
}

async function bind(server: grpc.Server, port: number): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await new Promise<number>((resolve, reject) => {
        server.bindAsync(
          `127.0.0.1:${port}`,
          grpc.ServerCredentials.createInsecure(),
          (error, bound) => (error ? reject(error) : resolve(bound)),
        )
      })
    } catch (error) {
      // the previous listener on this port may still be closing after a forced shutdown
      if (attempt >= 20 || port === 0) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

// --- ServerFeatures ---------------------------------------------------------------------------------

function serverFeatures(
  settings: { batchAppend: boolean; serverVersion: string },
  count: (rpc: string) => void,
): grpc.UntypedServiceImplementation {
  const handler: grpc.handleUnaryCall<sharedPb.Empty, serverFeaturesPb.SupportedMethods> = (
    _call,
    callback,
  ) => {
    count('ServerFeatures.GetSupportedMethods')
    const methods: Array<[string, string, string[]]> = [
      ['event_store.client.streams.streams', 'read', ['position', 'events']],
      ['event_store.client.streams.streams', 'append', []],
      ['event_store.client.server_features.serverfeatures', 'getsupportedmethods', []],
    ]
    if (settings.batchAppend)
      methods.push(['event_store.client.streams.streams', 'batchappend', ['deadline_duration']])
    const supported = new serverFeaturesPb.SupportedMethods()
    supported.setEventStoreServerVersion(settings.serverVersion)
    supported.setMethodsList(
      methods.map(([service, method, features]) => {
        const entry = new serverFeaturesPb.SupportedMethod()
        entry.setServiceName(service)
        entry.setMethodName(method)
        entry.setFeaturesList(features)
        return entry
      }),
    )
    callback(null, supported)
  }
  return { getSupportedMethods: handler }
}

// --- Streams ----------------------------------------------------------------------------------------

interface StreamsSettings {
  caughtUp: boolean
}

function streams(
  log: MemoryLog,
  settings: StreamsSettings,
  calls: Set<() => void>,
  count: (rpc: string) => void,
  sent: (stream: string) => void,
): grpc.UntypedServiceImplementation {
  const read: grpc.handleServerStreamingCall<ReadReq, ReadResp> = (call) => {
    count(readKind(call.request))
    try {
      handleRead(log, settings, calls, call, sent)
    } catch (error) {
      call.emit('error', toServiceError(error))
    }
  }
  const append: grpc.handleClientStreamingCall<streamsPb.AppendReq, streamsPb.AppendResp> = (
    call,
    callback,
  ) => {
    count('Streams.Append')
    handleAppend(log, call, callback)
  }
  const batchAppend: grpc.handleBidiStreamingCall<
    streamsPb.BatchAppendReq,
    streamsPb.BatchAppendResp
  > = (call) => {
    count('Streams.BatchAppend')
    handleBatchAppend(log, calls, call)
  }
  const unimplemented: grpc.handleUnaryCall<unknown, unknown> = (_call, callback) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: 'not implemented by the test double' })
  return { read, append, batchAppend, delete: unimplemented, tombstone: unimplemented }
}

function readKind(request: ReadReq): string {
  const options = request.getOptions()
  const Options = ReadReq.Options
  if (options === undefined) return 'Streams.Read'
  return [
    'Streams.Read',
    options.getStreamOptionCase() === Options.StreamOptionCase.ALL ? '$all' : 'stream',
    options.getCountOptionCase() === Options.CountOptionCase.SUBSCRIPTION
      ? 'subscription'
      : 'count',
    options.getReadDirection() === Options.ReadDirection.BACKWARDS ? 'backwards' : '',
    options.getFilterOptionCase() === Options.FilterOptionCase.FILTER ? 'filtered' : '',
  ]
    .filter((part) => part !== '')
    .join(' ')
}

class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
    /** EventStoreDB's `exception` trailer, which the client maps to its error classes. */
    readonly exception?: string,
  ) {
    super(message)
  }
}

function toServiceError(error: unknown): Partial<grpc.ServiceError> {
  if (error instanceof RpcError) {
    const metadata = new grpc.Metadata()
    if (error.exception !== undefined) metadata.set('exception', error.exception)
    return { code: error.code, details: error.message, metadata }
  }
  return {
    code: grpc.status.INTERNAL,
    details: error instanceof Error ? error.message : String(error),
  }
}

// --- Append and BatchAppend -------------------------------------------------------------------------

function handleAppend(
  log: MemoryLog,
  call: grpc.ServerReadableStream<streamsPb.AppendReq, streamsPb.AppendResp>,
  callback: grpc.sendUnaryData<streamsPb.AppendResp>,
): void {
  let stream: string | undefined
  let expected = ANY
  let expectedCase = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase.ANY
  const events: ProposedRecord[] = []
  let failed = false
  const fail = (error: unknown): void => {
    if (failed) return
    failed = true
    callback(toServiceError(error))
  }
  call.on('data', (request: streamsPb.AppendReq) => {
    if (failed) return
    try {
      const options = request.getOptions()
      if (options !== undefined) {
        stream = streamName(options.getStreamIdentifier())
        expectedCase = options.getExpectedStreamRevisionCase()
        expected = appendExpectedVersion(options)
        return
      }
      const message = request.getProposedMessage()
      if (message === undefined || stream === undefined)
        throw new RpcError(grpc.status.INVALID_ARGUMENT, 'options must come first')
      events.push(proposedRecord(message))
    } catch (error) {
      fail(error)
    }
  })
  call.on('error', () => undefined)
  call.on('end', () => {
    if (failed) return
    if (stream === undefined) return fail(new RpcError(grpc.status.INVALID_ARGUMENT, 'no options'))
    const outcome = log.append(stream, expected, events)
    const response = new streamsPb.AppendResp()
    switch (outcome.result) {
      case 'success': {
        const success = new streamsPb.AppendResp.Success()
        if (outcome.currentRevision < 0) success.setNoStream(new sharedPb.Empty())
        else success.setCurrentRevision(String(outcome.currentRevision))
        if (outcome.position === undefined) success.setNoPosition(new sharedPb.Empty())
        else {
          const position = new streamsPb.AppendResp.Position()
          position.setCommitPosition(String(outcome.position))
          position.setPreparePosition(String(outcome.position))
          success.setPosition(position)
        }
        response.setSuccess(success)
        return callback(null, response)
      }
      case 'wrong_expected_version': {
        const wrong = new streamsPb.AppendResp.WrongExpectedVersion()
        const Case = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase
        if (expectedCase === Case.ANY) wrong.setExpectedAny(new sharedPb.Empty())
        else if (expectedCase === Case.STREAM_EXISTS)
          wrong.setExpectedStreamExists(new sharedPb.Empty())
        else if (expectedCase === Case.NO_STREAM) wrong.setExpectedNoStream(new sharedPb.Empty())
        else wrong.setExpectedRevision(String(expected))
        if (outcome.currentRevision < 0) wrong.setCurrentNoStream(new sharedPb.Empty())
        else wrong.setCurrentRevision(String(outcome.currentRevision))
        response.setWrongExpectedVersion(wrong)
        return callback(null, response)
      }
      case 'maximum_append_size_exceeded':
        return fail(
          new RpcError(
            grpc.status.INVALID_ARGUMENT,
            `Maximum Append Size of ${outcome.maxAppendSize} Exceeded.`,
            'maximum-append-size-exceeded',
          ),
        )
    }
  })
}

function appendExpectedVersion(options: streamsPb.AppendReq.Options): number {
  const Case = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase
  switch (options.getExpectedStreamRevisionCase()) {
    case Case.REVISION:
      return Number(options.getRevision())
    case Case.NO_STREAM:
      return NO_STREAM
    case Case.STREAM_EXISTS:
      return STREAM_EXISTS
    case Case.ANY:
      return ANY
    default:
      throw new RpcError(grpc.status.INVALID_ARGUMENT, 'expected stream revision not set')
  }
}

interface PendingWrite {
  stream: string
  streamIdentifier: sharedPb.StreamIdentifier | undefined
  expected: number
  deadline: number | undefined
  events: ProposedRecord[]
}

/**
 * One long-lived duplex call per client: requests carry a correlation id; a write may span several
 * requests and is appended when its `is_final` request arrives; each answer echoes the correlation id.
 */
function handleBatchAppend(
  log: MemoryLog,
  calls: Set<() => void>,
  call: grpc.ServerDuplexStream<streamsPb.BatchAppendReq, streamsPb.BatchAppendResp>,
): void {
  const pending = new Map<string, PendingWrite>()
  const end = (): void => {
    calls.delete(end)
    try {
      call.end()
    } catch {
      // already cut by a forced shutdown
    }
  }
  calls.add(end)
  call.on('error', () => calls.delete(end))
  call.on('cancelled', () => calls.delete(end))
  call.on('end', end)
  call.on('data', (request: streamsPb.BatchAppendReq) => {
    const correlationId = request.getCorrelationId()
    const key = correlationId === undefined ? '' : uuidString(correlationId)
    const answer = (
      result: { error: statusPb.Status } | { success: streamsPb.BatchAppendResp.Success },
      streamId?: sharedPb.StreamIdentifier,
    ): void => {
      const response = new streamsPb.BatchAppendResp()
      response.setCorrelationId(correlationId)
      response.setStreamIdentifier(streamId)
      if ('error' in result) response.setError(result.error)
      else response.setSuccess(result.success)
      call.write(response)
    }
    try {
      const options = request.getOptions()
      if (options !== undefined) {
        const streamIdentifier = options.getStreamIdentifier()
        if (streamIdentifier === undefined) {
          return answer({
            error: status(
              codePb.Code.INVALID_ARGUMENT,
              'BadRequest',
              badRequest('Required field StreamIdentifier not set.'),
            ),
          })
        }
        const deadline = options.getDeadline()
        pending.set(key, {
          stream: streamName(streamIdentifier),
          streamIdentifier,
          expected: batchExpectedVersion(options),
          deadline:
            deadline === undefined
              ? undefined
              : deadline.getSeconds() * 1000 + deadline.getNanos() / 1e6,
          events: [],
        })
      }
      const write = pending.get(key)
      if (write === undefined) return
      for (const message of request.getProposedMessagesList())
        write.events.push(proposedRecord(message))
      if (!request.getIsFinal()) return
      pending.delete(key)
      const identifier = streamIdentifierOf(write.stream)
      if (write.deadline !== undefined && write.deadline <= Date.now()) {
        return answer(
          {
            error: status(
              codePb.Code.DEADLINE_EXCEEDED,
              'Timeout',
              pack(new sharedPb.Timeout(), 'Timeout'),
            ),
          },
          identifier,
        )
      }
      answer(
        batchOutcome(log.append(write.stream, write.expected, write.events), write.expected),
        identifier,
      )
    } catch (error) {
      pending.delete(key)
      answer({
        error: status(
          codePb.Code.INVALID_ARGUMENT,
          'BadRequest',
          badRequest(error instanceof Error ? error.message : String(error)),
        ),
      })
    }
  })
}

function batchExpectedVersion(options: streamsPb.BatchAppendReq.Options): number {
  const Case = streamsPb.BatchAppendReq.Options.ExpectedStreamPositionCase
  switch (options.getExpectedStreamPositionCase()) {
    case Case.STREAM_POSITION:
      return Number(options.getStreamPosition())
    case Case.NO_STREAM:
      return NO_STREAM
    case Case.STREAM_EXISTS:
      return STREAM_EXISTS
    case Case.ANY:
      return ANY
    default:
      throw new Error('expected stream position not set')
  }
}

function batchOutcome(
  outcome: AppendOutcome,
  expected: number,
): { error: statusPb.Status } | { success: streamsPb.BatchAppendResp.Success } {
  switch (outcome.result) {
    case 'success': {
      const success = new streamsPb.BatchAppendResp.Success()
      if (outcome.currentRevision < 0) success.setNoStream(new emptyPb.Empty())
      else success.setCurrentRevision(String(outcome.currentRevision))
      if (outcome.position === undefined) success.setNoPosition(new emptyPb.Empty())
      else {
        const position = new sharedPb.AllStreamPosition()
        position.setCommitPosition(String(outcome.position))
        position.setPreparePosition(String(outcome.position))
        success.setPosition(position)
      }
      return { success }
    }
    case 'wrong_expected_version': {
      // Google.Rpc.Status.WrongExpectedVersion: AlreadyExists, details packed as event_store.client.WrongExpectedVersion
      const details = new sharedPb.WrongExpectedVersion()
      if (outcome.currentRevision < 0) details.setCurrentNoStream(new emptyPb.Empty())
      else details.setCurrentStreamRevision(String(outcome.currentRevision))
      if (expected === ANY) details.setExpectedAny(new emptyPb.Empty())
      else if (expected === NO_STREAM) details.setExpectedNoStream(new emptyPb.Empty())
      else if (expected === STREAM_EXISTS) details.setExpectedStreamExists(new emptyPb.Empty())
      else details.setExpectedStreamPosition(String(expected))
      return {
        error: status(
          codePb.Code.ALREADY_EXISTS,
          'WrongExpectedVersion',
          pack(details, 'WrongExpectedVersion'),
        ),
      }
    }
    case 'maximum_append_size_exceeded': {
      const details = new sharedPb.MaximumAppendSizeExceeded()
      details.setMaxappendsize(outcome.maxAppendSize)
      return {
        error: status(
          codePb.Code.INVALID_ARGUMENT,
          'MaximumAppendSizeExceeded',
          pack(details, 'MaximumAppendSizeExceeded'),
        ),
      }
    }
  }
}

function status(code: codePb.Code, message: string, details: anyPb.Any): statusPb.Status {
  const result = new statusPb.Status()
  result.setCode(code)
  result.setMessage(message)
  result.setDetails(details)
  return result
}

function pack(message: { serializeBinary(): Uint8Array }, name: string): anyPb.Any {
  const packed = new anyPb.Any()
  packed.pack(message.serializeBinary(), `event_store.client.${name}`)
  return packed
}

function badRequest(message: string): anyPb.Any {
  const details = new sharedPb.BadRequest()
  details.setMessage(message)
  return pack(details, 'BadRequest')
}

function proposedRecord(
  message: streamsPb.AppendReq.ProposedMessage | streamsPb.BatchAppendReq.ProposedMessage,
): ProposedRecord {
  const metadata = message.getMetadataMap()
  const type = metadata.get('type')
  if (type === undefined)
    throw new RpcError(
      grpc.status.INVALID_ARGUMENT,
      'Required Metadata Property type is missing',
      'missing-required-metadata-property',
    )
  const contentType = metadata.get('content-type')
  if (contentType === undefined) {
    throw new RpcError(
      grpc.status.INVALID_ARGUMENT,
      'Required Metadata Property content-type is missing',
      'missing-required-metadata-property',
    )
  }
  const id = message.getId()
  if (id === undefined) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'event id missing')
  return {
    id: uuidString(id),
    type,
    isJson: contentType === 'application/json',
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  }
}

// --- Read -------------------------------------------------------------------------------------------

type RecordFilter = (record: LogRecord) => boolean

interface Filtered {
  matches: RecordFilter
  /** Considered events between checkpoints. */
  checkpointInterval: number
}

function handleRead(
  log: MemoryLog,
  settings: StreamsSettings,
  calls: Set<() => void>,
  call: grpc.ServerWritableStream<ReadReq, ReadResp>,
  sent: (stream: string) => void,
): void {
  const options = call.request.getOptions()
  if (options === undefined) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'options missing')
  const Options = ReadReq.Options
  const structured =
    options.getUuidOption()?.getContentCase() !== Options.UUIDOption.ContentCase.STRING
  const backwards = options.getReadDirection() === Options.ReadDirection.BACKWARDS
  const subscription = options.getCountOptionCase() === Options.CountOptionCase.SUBSCRIPTION
  const filter =
    options.getFilterOptionCase() === Options.FilterOptionCase.FILTER
      ? toFilter(options.getFilter()!)
      : undefined
  const onStream = options.getStreamOptionCase() === Options.StreamOptionCase.STREAM
  if (onStream && filter !== undefined) {
    throw new RpcError(grpc.status.INVALID_ARGUMENT, 'filters apply to $all only')
  }
  const writer = new ResponseWriter(call, calls)
  const event = (record: LogRecord): ReadResp => {
    sent(record.stream)
    return eventResponse(record, structured)
  }

  if (onStream) {
    const streamOptions = options.getStream()!
    const stream = streamName(streamOptions.getStreamIdentifier())
    const Revision = Options.StreamOptions.RevisionOptionCase
    const revisionCase = streamOptions.getRevisionOptionCase()
    const revision = Number(streamOptions.getRevision())
    if (subscription) {
      // from a revision means after it; the stream may not exist yet
      const start =
        revisionCase === Revision.START
          ? 0
          : revisionCase === Revision.END
            ? log.lastRevision(stream) + 1
            : revision + 1
      return writer.subscribe(log, () => log.stream(stream) ?? [], start, settings.caughtUp, event)
    }
    const records = log.stream(stream)
    if (records === undefined) {
      const notFound = new ReadResp.StreamNotFound()
      notFound.setStreamIdentifier(streamIdentifierOf(stream))
      const response = new ReadResp()
      response.setStreamNotFound(notFound)
      return writer.send([response])
    }
    const count = Number(options.getCount())
    const selected: LogRecord[] = []
    if (backwards) {
      let index =
        revisionCase === Revision.END
          ? records.length - 1
          : Math.min(revisionCase === Revision.START ? 0 : revision, records.length - 1)
      for (; index >= 0 && selected.length < count; index -= 1) selected.push(records[index]!)
    } else {
      let index =
        revisionCase === Revision.START
          ? 0
          : revisionCase === Revision.END
            ? records.length
            : revision
      for (; index < records.length && selected.length < count; index += 1)
        selected.push(records[index]!)
    }
    return writer.send(selected.map(event))
  }

  const allOptions = options.getAll()
  if (allOptions === undefined)
    throw new RpcError(grpc.status.INVALID_ARGUMENT, 'stream options missing')
  const All = Options.AllOptions.AllOptionCase
  const allCase = allOptions.getAllOptionCase()
  const position = Number(allOptions.getPosition()?.getCommitPosition() ?? 0)
  if (subscription) {
    // from a position means after the event at that position
    const start =
      allCase === All.START
        ? 0
        : allCase === All.END
          ? log.all.length
          : log.indexAtOrAfter(position + 1)
    return writer.subscribe(log, () => log.all, start, settings.caughtUp, event, filter)
  }
  const count = Number(options.getCount())
  const matches = filter?.matches ?? (() => true)
  const selected: LogRecord[] = []
  if (backwards) {
    // backwards from a position: the events before it
    let index =
      allCase === All.END
        ? log.all.length - 1
        : allCase === All.START
          ? -1
          : log.indexAtOrAfter(position) - 1
    for (; index >= 0 && selected.length < count; index -= 1)
      if (matches(log.all[index]!)) selected.push(log.all[index]!)
  } else {
    // forwards from a position: that event included
    let index =
      allCase === All.START
        ? 0
        : allCase === All.END
          ? log.all.length
          : log.indexAtOrAfter(position)
    for (; index < log.all.length && selected.length < count; index += 1)
      if (matches(log.all[index]!)) selected.push(log.all[index]!)
  }
  writer.send(selected.map(event))
}

function toFilter(options: streamsPb.ReadReq.Options.FilterOptions): Filtered {
  const Case = ReadReq.Options.FilterOptions.FilterCase
  const byStream = options.getFilterCase() === Case.STREAM_IDENTIFIER
  const expression = byStream ? options.getStreamIdentifier() : options.getEventType()
  if (expression === undefined)
    throw new RpcError(grpc.status.INVALID_ARGUMENT, 'filter expression missing')
  const regex = expression.getRegex()
  const prefixes = expression.getPrefixList()
  const test =
    regex !== ''
      ? (value: string) => new RegExp(regex).test(value)
      : (value: string) => prefixes.some((prefix) => value.startsWith(prefix))
  const window =
    options.getWindowCase() === ReadReq.Options.FilterOptions.WindowCase.MAX
      ? options.getMax()
      : readBatchSize
  return {
    matches: (record) => test(byStream ? record.stream : record.type),
    checkpointInterval: Math.max(1, options.getCheckpointintervalmultiplier()) * window,
  }
}

/** Writes responses with gRPC flow control, and runs subscriptions: catch-up, caught-up, then live. */
class ResponseWriter {
  private cancelled = false
  private readonly cleanUps: Array<() => void> = []

  constructor(
    private readonly call: grpc.ServerWritableStream<ReadReq, ReadResp>,
    calls: Set<() => void>,
  ) {
    const stop = (): void => this.stop()
    this.cleanUps.push(() => calls.delete(stop))
    calls.add(stop)
    call.on('cancelled', stop)
    call.on('error', stop)
    call.on('close', stop)
  }

  private stop(): void {
    if (this.cancelled) return
    this.cancelled = true
    for (const cleanUp of this.cleanUps.splice(0)) cleanUp()
  }

  private async write(response: ReadResp): Promise<void> {
    if (this.cancelled) return
    if (!this.call.write(response)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.call.off('drain', done)
          this.cleanUps.splice(this.cleanUps.indexOf(done) >>> 0, 1)
          resolve()
        }
        this.call.on('drain', done)
        this.cleanUps.push(done)
      })
    }
  }

  send(responses: ReadResp[]): void {
    void (async () => {
      for (const response of responses) await this.write(response)
      if (!this.cancelled) this.call.end()
      this.stop()
    })()
  }

  subscribe(
    log: MemoryLog,
    source: () => readonly LogRecord[],
    start: number,
    sendCaughtUp: boolean,
    event: (record: LogRecord) => ReadResp,
    filter?: Filtered,
  ): void {
    let cursor = start
    let considered = 0
    let caughtUp = false
    let dirty = true
    let pumping = false
    const pump = async (): Promise<void> => {
      try {
        while (dirty && !this.cancelled) {
          dirty = false
          const records = source()
          while (cursor < records.length && !this.cancelled) {
            const record = records[cursor]!
            cursor += 1
            if (filter === undefined || filter.matches(record)) await this.write(event(record))
            if (filter !== undefined && ++considered >= filter.checkpointInterval) {
              considered %= filter.checkpointInterval
              const checkpoint = new ReadResp.Checkpoint()
              checkpoint.setCommitPosition(String(record.position))
              checkpoint.setPreparePosition(String(record.position))
              const response = new ReadResp()
              response.setCheckpoint(checkpoint)
              await this.write(response)
            }
          }
          if (!caughtUp && sendCaughtUp) {
            const response = new ReadResp()
            response.setCaughtUp(new ReadResp.CaughtUp())
            await this.write(response)
          }
          caughtUp = true
        }
      } finally {
        pumping = false
      }
    }
    const wake = (): void => {
      dirty = true
      if (pumping || this.cancelled) return
      pumping = true
      void pump()
    }
    this.cleanUps.push(log.onAppended(wake))
    const confirmation = new ReadResp.SubscriptionConfirmation()
    confirmation.setSubscriptionId(randomUUID())
    const response = new ReadResp()
    response.setConfirmation(confirmation)
    void this.write(response).then(wake)
  }
}

function eventResponse(record: LogRecord, structured: boolean): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
  recorded.setId(uuidMessage(record.id, structured))
  recorded.setStreamIdentifier(streamIdentifierOf(record.stream))
  recorded.setStreamRevision(String(record.revision))
  recorded.setCommitPosition(String(record.position))
  recorded.setPreparePosition(String(record.position))
  const metadata = recorded.getMetadataMap()
  metadata.set('type', record.type)
  metadata.set('created', String(record.created))
  metadata.set('content-type', record.isJson ? 'application/json' : 'application/octet-stream')
  recorded.setData(record.data)
  recorded.setCustomMetadata(record.metadata)
  const readEvent = new ReadResp.ReadEvent()
  readEvent.setEvent(recorded)
  readEvent.setCommitPosition(String(record.position))
  const response = new ReadResp()
  response.setEvent(readEvent)
  return response
}

// --- identifiers ------------------------------------------------------------------------------------

function streamName(identifier: sharedPb.StreamIdentifier | undefined): string {
  if (identifier === undefined)
    throw new RpcError(grpc.status.INVALID_ARGUMENT, 'stream identifier missing')
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8')
}

function streamIdentifierOf(stream: string): sharedPb.StreamIdentifier {
  const identifier = new sharedPb.StreamIdentifier()
  identifier.setStreamName(Buffer.from(stream, 'utf8'))
  return identifier
}

function uuidString(uuid: sharedPb.UUID): string {
  if (uuid.getValueCase() === sharedPb.UUID.ValueCase.STRUCTURED) {
    const structured = uuid.getStructured()!
    const bytes = Buffer.alloc(16)
    bytes.writeBigInt64BE(BigInt(structured.getMostSignificantBits()), 0)
    bytes.writeBigInt64BE(BigInt(structured.getLeastSignificantBits()), 8)
    const hex = bytes.toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
  try {
    return normaliseId(uuid.getString())
  } catch (error) {
    if (error instanceof InvalidEventId)
      throw new RpcError(grpc.status.INVALID_ARGUMENT, error.message)
    throw error
  }
}

function uuidMessage(id: string, structured: boolean): sharedPb.UUID {
  const uuid = new sharedPb.UUID()
  if (!structured) return uuid.setString(id)
  const bytes = Buffer.from(id.replaceAll('-', ''), 'hex')
  const bits = new sharedPb.UUID.Structured()
  bits.setMostSignificantBits(bytes.readBigInt64BE(0).toString())
  bits.setLeastSignificantBits(bytes.readBigInt64BE(8).toString())
  return uuid.setStructured(bits)
}
