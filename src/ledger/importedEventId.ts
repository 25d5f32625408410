import { createHash } from 'node:crypto'

/**
 * The id of an imported event line that carries none: a name-based UUID (RFC 9562 version 5) of its
 * type and canonical data. A random one would make every run of the same import write the same
 * events again, so an interrupted import could not be finished by running it again; derived from
 * the content, the rerun's ids are the first run's and idempotency sets the stored ones aside. Two
 * lines with the same type and data and no id are one event, as a retried write is.
 */
const NAMESPACE = Buffer.from('b33009dea4844490a4cc3d4c20e3a1d9', 'hex')

export function importedEventId(type: string, canonicalData: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${type}\n${canonicalData}`, 'utf8').digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
