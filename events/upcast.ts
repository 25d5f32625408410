import { CURRENT_SCHEMA_VERSION, StoredEnvelope, type EventEnvelope } from './envelope.js'

/**
 * Reading old stored shapes as the current one. A stored event is never rewritten: its entry bytes (and
 * so its Merkle leaf) stay as written, and an old shape is upcast each time it is read, one version
 * at a time. test/events/upcast.test.ts runs a worked example of a version 1 event read as version 2.
 */

export class UnsupportedSchemaVersion extends Error {
  readonly code = 'unsupported_schema_version'
}

/** An envelope as a store hands it over, not yet checked. */
export interface RawEnvelope {
  id: unknown
  stream: unknown
  type: unknown
  data: unknown
  metadata: unknown
}

/** Reads an envelope of schema version n as version n + 1 (and says so in its `schemaVersion`). */
export type Upcaster = (envelope: RawEnvelope) => RawEnvelope

/**
 * The upcasters by the version each reads: `1` would read a version 1 envelope as version 2. None yet,
 * as there is one schema version; the next version adds its upcaster here and keeps its old shape in
 * `events.v1.ts`.
 */
export const upcasters: Readonly<Record<number, Upcaster>> = {}

function schemaVersionOf(envelope: RawEnvelope): unknown {
  return (envelope.metadata as { schemaVersion?: unknown } | null | undefined)?.schemaVersion
}

/**
 * Applies `chain` from the envelope's version up to `current`. An envelope without a version, or one
 * the chain has no way up from, is handed on as it is: the schema then says what is wrong with it.
 */
export function upcast(raw: RawEnvelope, chain: Readonly<Record<number, Upcaster>> = upcasters, current: number = CURRENT_SCHEMA_VERSION): RawEnvelope {
  let envelope = raw
  let version = schemaVersionOf(envelope)
  while (typeof version === 'number' && version < current) {
    const step = chain[version]
    if (step === undefined) return envelope
    envelope = step(envelope)
    const next = schemaVersionOf(envelope)
    if (next !== version + 1) throw new Error(`the upcaster from schema version ${version} made version ${String(next)}, not ${version + 1}`)
    version = next
  }
  return envelope
}

/**
 * Reads a stored envelope into the current shape: the one way every reader (replay, import, verify)
 * turns stored bytes into an event. It is upcast first, then validated in one pass. On failure, the
 * first zod issue's message.
 */
export function readEnvelope(raw: RawEnvelope): { ok: true; envelope: EventEnvelope & { stream: string } } | { ok: false; message: string } {
  const version = schemaVersionOf(raw)
  if (typeof version === 'number' && version > CURRENT_SCHEMA_VERSION) {
    return { ok: false, message: new UnsupportedSchemaVersion(`schema version ${version} is newer than this build reads (${CURRENT_SCHEMA_VERSION})`).message }
  }
  const parsed = StoredEnvelope.safeParse(upcast(raw))
  if (parsed.success) return { ok: true, envelope: parsed.data }
  const issue = parsed.error.issues[0]
  return { ok: false, message: issue === undefined ? 'invalid' : `${issue.path.join('.')}: ${issue.message}` }
}
