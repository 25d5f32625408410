import { createHash } from 'node:crypto'

/** The lower-case hex SHA-256 of some bytes, a string counting as its UTF-8 bytes (a source's `contentSha256`). */
export function sha256Hex(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
