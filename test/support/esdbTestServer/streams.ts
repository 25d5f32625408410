import grpc from '@grpc/grpc-js'
import streamsPb from '@eventstore/db-client/generated/streams_pb.js'
import { handleAppend } from './append.js'
import { handleBatchAppend } from './batchAppend.js'
import { toServiceError } from './codecs.js'
import type { MemoryLog } from './memoryLog.js'
import { handleRead } from './read.js'

/** The Streams service: Read (reads and subscriptions), Append and BatchAppend; Delete and Tombstone are not implemented. */

const { ReadReq } = streamsPb
type ReadReq = streamsPb.ReadReq
type ReadResp = streamsPb.ReadResp

export interface StreamsSettings {
  caughtUp: boolean
}

export function streams(
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
