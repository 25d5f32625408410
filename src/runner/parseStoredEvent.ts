import { RawEnvelope, upcast, type RecordedEvent } from '../../events/index.js'
import type { StoredEvent } from '../stores/eventStore.js'

export class CorruptEvent extends Error {
  readonly code = 'corrupt_event'
  constructor(
    readonly position: number,
    readonly id: string,
    message: string,
  ) {
    super(`event at position ${position} (${id}) cannot be read: ${message}`)
  }
}

/** The store is outside input too: every event read back is parsed before a projection sees it. */
export function parseStoredEvent(stored: StoredEvent): RecordedEvent {
  const raw = RawEnvelope.safeParse({
    id: stored.id,
    stream: stored.stream,
    type: stored.type,
    data: stored.data,
    metadata: stored.metadata,
  })
  if (!raw.success) throw new CorruptEvent(stored.position, stored.id, raw.error.issues[0]?.message ?? 'invalid')
  try {
    const event = upcast(raw.data)
    return { ...event, id: raw.data.id, metadata: raw.data.metadata, stream: stored.stream, revision: stored.revision, position: stored.position } as RecordedEvent
  } catch (error) {
    throw new CorruptEvent(stored.position, stored.id, error instanceof Error ? error.message : String(error))
  }
}
