import { createHash } from 'node:crypto'
import { canonicalJson } from './canonicalJson.js'

/** What one log entry commits to, in this order of fields (canonicalisation sorts them anyway). */
export interface EntryFields {
  id: string
  stream: string
  type: string
  data: unknown
  metadata: unknown
}

/** The exact bytes of one line of `GET /ledger/entries`, made once at write time. */
export function entryOf(fields: EntryFields): string {
  const { id, stream, type, data, metadata } = fields
  return canonicalJson({ id, stream, type, data, metadata })
}

/** RFC 6962 leaf hash: SHA-256(0x00 || entry). */
export function leafHash(entry: string | Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(0)).update(entry).digest()
}

/**
 * `entryOf` from parts already canonical: the event's data canonicalised once when the request was
 * checked, and the commit's metadata once for all its events. RFC 8785 orders the keys by UTF-16 code
 * units, which for these five is data, id, metadata, stream, type; the other three are plain strings,
 * serialised as ECMAScript does (a test holds this to `entryOf`).
 */
export function entryFromCanonical(parts: {
  id: string
  stream: string
  type: string
  canonicalData: string
  canonicalMetadata: string
}): string {
  const { id, stream, type, canonicalData, canonicalMetadata } = parts
  return `{"data":${canonicalData},"id":${JSON.stringify(id)},"metadata":${canonicalMetadata},"stream":${JSON.stringify(stream)},"type":${JSON.stringify(type)}}`
}
