import type grpc from '@grpc/grpc-js'
import anyPb from 'google-protobuf/google/protobuf/any_pb.js'
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js'
import codePb from '@eventstore/db-client/generated/code_pb.js'
import sharedPb from '@eventstore/db-client/generated/shared_pb.js'
import statusPb from '@eventstore/db-client/generated/status_pb.js'
import streamsPb from '@eventstore/db-client/generated/streams_pb.js'
import { expectedVersionOf, proposedRecord, streamIdentifierOf, streamName, uuidString } from './codecs.js'
import { ANY, NO_STREAM, STREAM_EXISTS, type AppendOutcome, type MemoryLog, type ProposedRecord } from './memoryLog.js'

/**
 * Streams.BatchAppend: errors as google.rpc.Status with packed details (WrongExpectedVersion,
 * MaximumAppendSizeExceeded, BadRequest, Timeout).
 */

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
export function handleBatchAppend(
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
  const cases = { revision: Case.STREAM_POSITION, noStream: Case.NO_STREAM, streamExists: Case.STREAM_EXISTS, any: Case.ANY }
  const expected = expectedVersionOf(options.getExpectedStreamPositionCase(), cases, () => options.getStreamPosition())
  if (expected === undefined) throw new Error('expected stream position not set')
  return expected
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
