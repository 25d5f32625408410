import grpc from '@grpc/grpc-js'
import sharedPb from '@eventstore/db-client/generated/shared_pb.js'
import streamsPb from '@eventstore/db-client/generated/streams_pb.js'
import { ANY, InvalidEventId, NO_STREAM, normaliseId, STREAM_EXISTS, type LogRecord, type ProposedRecord } from './memoryLog.js'

/**
 * The wire codecs every RPC family shares: stream identifiers, the two UUID encodings, proposed and
 * recorded events, and errors as gRPC statuses with EventStoreDB's `exception` trailer.
 */

const { ReadResp } = streamsPb
type ReadResp = streamsPb.ReadResp

export class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
    /** EventStoreDB's `exception` trailer, which the client maps to its error classes. */
    readonly exception?: string,
  ) {
    super(message)
  }
}

export function toServiceError(error: unknown): Partial<grpc.ServiceError> {
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

export function proposedRecord(
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

export function eventResponse(record: LogRecord, structured: boolean): ReadResp {
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

export function streamName(identifier: sharedPb.StreamIdentifier | undefined): string {
  if (identifier === undefined)
    throw new RpcError(grpc.status.INVALID_ARGUMENT, 'stream identifier missing')
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8')
}

export function streamIdentifierOf(stream: string): sharedPb.StreamIdentifier {
  const identifier = new sharedPb.StreamIdentifier()
  identifier.setStreamName(Buffer.from(stream, 'utf8'))
  return identifier
}

export function uuidString(uuid: sharedPb.UUID): string {
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

export function uuidMessage(id: string, structured: boolean): sharedPb.UUID {
  const uuid = new sharedPb.UUID()
  if (!structured) return uuid.setString(id)
  const bytes = Buffer.from(id.replaceAll('-', ''), 'hex')
  const bits = new sharedPb.UUID.Structured()
  bits.setMostSignificantBits(bytes.readBigInt64BE(0).toString())
  bits.setLeastSignificantBits(bytes.readBigInt64BE(8).toString())
  return uuid.setStructured(bits)
}

/**
 * An append's expected version as the memory log takes it, from whichever oneof case the request set
 * (Append and BatchAppend number the same four cases differently); undefined when none is set.
 */
export function expectedVersionOf(
  set: number,
  cases: { revision: number; noStream: number; streamExists: number; any: number },
  revision: () => string,
): number | undefined {
  if (set === cases.revision) return Number(revision())
  if (set === cases.noStream) return NO_STREAM
  if (set === cases.streamExists) return STREAM_EXISTS
  if (set === cases.any) return ANY
  return undefined
}
