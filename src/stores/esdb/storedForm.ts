import { jsonEvent, type JSONType, type Position } from '@eventstore/db-client'
import { z } from 'zod'
import { LedgerError } from '../../errors.js'
import type { EventToAppend, StoredEvent } from '../eventStore.js'

/**
 * How a ledger event is stored in EventStoreDB: the EventStoreDB event's id and type are the ledger
 * event's; its data is the ledger data (so EventStoreDB's own tools show something useful); its
 * metadata is `{ ledger: <ledger metadata>, entry, leafHash, run: { index, size } }`. The entry (the
 * canonical log line) is made once at write time and must come back byte for byte, and the client
 * re-serialises data and metadata with JSON.stringify, which keeps values but not bytes; a JSON string
 * survives that unchanged, so the entry travels as a string, and what the ledger reads back (id,
 * stream, type, data, metadata) is parsed from it, as on the embedded store. The leaf hash is stored
 * beside it rather than recomputed on read, so `verify` still has two things to compare. `run` marks
 * the events of one atomic append, so a reader takes a run whole.
 */

/** An event in a ledger stream that this adapter did not write: the store is not a ledger store. */
export class CorruptLedgerEvent extends LedgerError {
  constructor(message: string) {
    super('corrupt_ledger_event', message)
  }
}

const StoredMetadata = z.object({
  ledger: z.unknown(),
  entry: z.string(),
  leafHash: z.string().regex(/^[0-9a-f]{64}$/),
  run: z.object({ index: z.number().int().min(0), size: z.number().int().min(1) }),
})
type StoredMetadata = z.infer<typeof StoredMetadata>

const Entry = z.object({
  id: z.string(),
  stream: z.string(),
  type: z.string(),
  data: z.unknown(),
  metadata: z.unknown(),
})

export function toEsdbEvent(event: EventToAppend, index: number, size: number) {
  const metadata: StoredMetadata = {
    ledger: event.metadata,
    entry: event.entry,
    leafHash: event.leafHash.toString('hex'),
    run: { index, size },
  }
  return jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata })
}

/** A ledger event read from `$all`, before it takes a position; `run` says where it sits in its append. */
export interface ReadEvent {
  event: Omit<StoredEvent, 'position'>
  run: { index: number; size: number }
  /** Where it is in `$all`. */
  at: Position
}

export function fromEsdbEvent(
  stream: string,
  id: string,
  type: string,
  revision: number,
  metadata: unknown,
  position: Position,
): ReadEvent {
  const where = `${stream}@${revision} (${position.commit}/${position.prepare})`
  const stored = StoredMetadata.safeParse(metadata)
  if (!stored.success) {
    throw new CorruptLedgerEvent(`event ${id} in ${where} was not written by the ledger: no entry in its metadata`)
  }
  let entry
  try {
    entry = Entry.parse(JSON.parse(stored.data.entry))
  } catch {
    throw new CorruptLedgerEvent(`event ${id} in ${where}: its entry is not a log entry`)
  }
  if (entry.id.toLowerCase() !== id.toLowerCase() || entry.stream !== stream || entry.type !== type) {
    throw new CorruptLedgerEvent(`event ${id} in ${where}: its entry says ${entry.id} in ${entry.stream} of type ${entry.type}`)
  }
  return {
    event: {
      id: entry.id,
      stream,
      revision,
      type: entry.type,
      data: entry.data,
      metadata: entry.metadata,
      entry: stored.data.entry,
      leafHash: Buffer.from(stored.data.leafHash, 'hex'),
    },
    run: stored.data.run,
    at: position,
  }
}
