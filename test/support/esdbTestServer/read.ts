import grpc from '@grpc/grpc-js'
import streamsPb from '@eventstore/db-client/generated/streams_pb.js'
import { eventResponse, RpcError, streamIdentifierOf, streamName } from './codecs.js'
import type { LogRecord, MemoryLog } from './memoryLog.js'
import type { StreamsSettings } from './streams.js'
import { ResponseWriter } from './subscriptions.js'

/**
 * Streams.Read: a stream forwards and backwards (StreamNotFound when it does not exist), `$all`
 * forwards and backwards with or without a filter (stream-name or event-type, prefixes or regex), and
 * subscriptions to a stream or to `$all` (see subscriptions.ts).
 */

const { ReadReq, ReadResp } = streamsPb
type ReadReq = streamsPb.ReadReq
type ReadResp = streamsPb.ReadResp

/** The server's read page size, the default `maxSearchWindow` of a filtered `$all` subscription. */
const readBatchSize = 32

export type RecordFilter = (record: LogRecord) => boolean

export interface Filtered {
  matches: RecordFilter
  /** Considered events between checkpoints. */
  checkpointInterval: number
}

export function handleRead(
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
