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
