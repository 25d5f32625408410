import { CURRENT_SCHEMA_VERSION, StoredEnvelope, type EventEnvelope } from './envelope.js'

export class UnsupportedSchemaVersion extends Error {
  readonly code = 'unsupported_schema_version'
}

/**
 * Reads a stored envelope into the current shape: the one way every reader (replay, import, verify)
 * turns stored bytes into an event. Old stored shapes are upcast here on read and the stored bytes
 * never change; there is one schema version so far, so this is where the next version's upcaster goes
 * (`if (schemaVersion === 1) data = fromV1(data)`), with its old shape kept in `events.v1.ts`. Then
 * everything is validated in one pass. On failure, the first zod issue's message.
 */
export function readEnvelope(
  raw: { id: unknown; stream: unknown; type: unknown; data: unknown; metadata: unknown },
): { ok: true; envelope: EventEnvelope & { stream: string } } | { ok: false; message: string } {
  const version = (raw.metadata as { schemaVersion?: unknown } | null | undefined)?.schemaVersion
  if (typeof version === 'number' && version > CURRENT_SCHEMA_VERSION) {
    return { ok: false, message: new UnsupportedSchemaVersion(`schema version ${version} is newer than this build reads (${CURRENT_SCHEMA_VERSION})`).message }
  }
  const parsed = StoredEnvelope.safeParse(raw)
  if (parsed.success) return { ok: true, envelope: parsed.data }
  const issue = parsed.error.issues[0]
  return { ok: false, message: issue === undefined ? 'invalid' : `${issue.path.join('.')}: ${issue.message}` }
}
