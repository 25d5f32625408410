import { readEnvelope, type RecordedEvent } from '../../events/index.js'
import { LedgerError } from '../errors.js'
import type { StoredEvent } from '../stores/eventStore.js'

/** A stored event that does not parse as any event of the catalogue: the store is damaged. */
export class CorruptEvent extends LedgerError {
  constructor(
    readonly position: number,
    readonly id: string,
    message: string,
  ) {
    super('corrupt_event', `event at position ${position} (${id}) cannot be read: ${message}`)
  }
}

/** The store is outside input too: every event read back is parsed before a projection sees it. */
export function parseStoredEvent(stored: StoredEvent): RecordedEvent {
  const { id, stream, type, data, metadata } = stored
  const read = readEnvelope({ id, stream, type, data, metadata })
  if (!read.ok) throw new CorruptEvent(stored.position, stored.id, read.message)
  const envelope = read.envelope as RecordedEvent
  envelope.revision = stored.revision
  envelope.position = stored.position
  return envelope
}
