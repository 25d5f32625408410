import { LedgerEvent } from './catalogue.js'
import { CURRENT_SCHEMA_VERSION, type RawEnvelope } from './envelope.js'

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
