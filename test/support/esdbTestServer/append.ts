import grpc from '@grpc/grpc-js'
import sharedPb from '@eventstore/db-client/generated/shared_pb.js'
import streamsPb from '@eventstore/db-client/generated/streams_pb.js'
import { expectedVersionOf, proposedRecord, RpcError, streamName, toServiceError } from './codecs.js'
import { ANY, type MemoryLog, type ProposedRecord } from './memoryLog.js'

/** Streams.Append: one client-streaming call per write; WrongExpectedVersion in the response, other failures as RPC errors. */

export function handleAppend(
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
  const cases = { revision: Case.REVISION, noStream: Case.NO_STREAM, streamExists: Case.STREAM_EXISTS, any: Case.ANY }
  const expected = expectedVersionOf(options.getExpectedStreamRevisionCase(), cases, () => options.getRevision())
  if (expected === undefined) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'expected stream revision not set')
  return expected
}
