import { LedgerEvent } from './catalogue.js'
import { CURRENT_SCHEMA_VERSION, StoredEnvelope, type EventEnvelope, type RawEnvelope } from './envelope.js'

/**
 * Old stored shapes are turned into the current one on read; the stored bytes never change. There is
 * one schema version so far, so this is where the next version's upcaster goes
 * (`if (schemaVersion === 1) data = fromV1(data)`), with its old shape kept in `events.v1.ts`.
 */
export class UnsupportedSchemaVersion extends Error {
  readonly code = 'unsupported_schema_version'
}

export function upcast(raw: Pick<RawEnvelope, 'type' | 'data' | 'metadata'>): LedgerEvent {
  if (raw.metadata.schemaVersion > CURRENT_SCHEMA_VERSION) {
    throw new UnsupportedSchemaVersion(
      `schema version ${raw.metadata.schemaVersion} is newer than this build reads (${CURRENT_SCHEMA_VERSION})`,
    )
  }
  return LedgerEvent.parse({ type: raw.type, data: raw.data })
}

/**
 * Reads a stored envelope into the current shape: checks its schema version, upcasts older versions
 * (none yet), and validates everything in one pass. Returns the zod issues' first message on failure.
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
