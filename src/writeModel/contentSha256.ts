import { createHash } from 'node:crypto'

/** The hex SHA-256 of the UTF-8 bytes of an archived text: what a source's `contentSha256` must say. */
export function contentSha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex')
}
