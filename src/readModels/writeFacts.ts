import type Database from 'better-sqlite3'
import type { ClaimData, RetractionRecord } from '../../projections/index.js'
import type { ClaimFacts, Lookup, SourceFacts, WriteFacts } from '../writeModel/writeState.js'

/**
 * The write model's facts read from the read models' tables, so nothing of the ledger is kept in the
 * heap to decide a write: registrations, policies, claims (as corrected, and whether retracted) and
 * stream revisions. Archived source texts, which quotes are checked against, are read on demand and
 * the most recent kept in a cache bounded in bytes.
 */

const CONTENT_CACHE_BYTES = 16 * 1024 * 1024

export function sqliteWriteFacts(db: Database.Database, streamRevision: (stream: string) => number | null): WriteFacts {
  const jurisdiction = db.prepare<[string], string>('SELECT event_id FROM rm_jurisdictions WHERE jurisdiction_id = ?').pluck()
  const source = db.prepare<[string], { event_id: string; via: string | null; has_content: number }>(
    'SELECT event_id, via, content IS NOT NULL AS has_content FROM rm_sources WHERE source_id = ?',
  )
  const content = db.prepare<[string], string | null>('SELECT content FROM rm_sources WHERE source_id = ?').pluck()
  const policy = db
    .prepare<[string, string], string>('SELECT event_id FROM rm_policies WHERE jurisdiction_id = ? AND policy_id = ?')
    .pluck()
  const claim = db.prepare<[string], { type: ClaimFacts['type']; jurisdiction_id: string; recorded: string; data: string | null; retraction: string | null }>(
    `SELECT c.type, c.jurisdiction_id, c.recorded, v.data, c.retraction FROM rm_claims c
     JOIN rm_claim_versions v ON v.claim_position = c.position AND v.to_position IS NULL
     WHERE c.claim_id = ?`,
  )
  const contents = new ByteBoundedCache(CONTENT_CACHE_BYTES)

  const lookup = <V>(get: (key: string) => V | undefined): Lookup<string, V> => ({
    get,
    has: (key) => get(key) !== undefined,
  })

  const sourceFacts = (sourceId: string): SourceFacts | undefined => {
    const row = source.get(sourceId)
    if (row === undefined) return undefined
    const facts: SourceFacts = { registeredBy: row.event_id, ...(row.via === null ? {} : { via: row.via }) }
    if (row.has_content === 1) {
      let text = contents.get(sourceId)
      if (text === undefined) {
        text = content.get(sourceId)!
        contents.set(sourceId, text)
      }
      facts.content = text
    }
    return facts
  }

  return {
    jurisdictions: {
      get: (id) => jurisdiction.get(id),
      has: (id) => jurisdiction.get(id) !== undefined,
    },
    sources: { get: sourceFacts, has: (id) => source.get(id) !== undefined },
    policies: lookup((key) => {
      const slash = key.indexOf('/')
      return policy.get(key.slice(0, slash), key.slice(slash + 1))
    }),
    claims: lookup((claimId) => {
      const row = claim.get(claimId)
      if (row === undefined) return undefined
      const data = JSON.parse(row.data ?? row.recorded) as ClaimData
      return {
        type: row.type,
        jurisdictionId: row.jurisdiction_id,
        sourceId: data.sourceId,
        ...(data.quote === undefined ? {} : { quote: data.quote }),
        retractedBy: row.retraction === null ? null : (JSON.parse(row.retraction) as RetractionRecord).eventId,
      }
    }),
    streams: lookup((stream) => streamRevision(stream) ?? undefined),
  }
}

/** Least recently used first out, bounded by the total length of the kept strings. */
class ByteBoundedCache {
  private readonly entries = new Map<string, string>()
  private bytes = 0

  constructor(private readonly limit: number) {}

  get(key: string): string | undefined {
    const value = this.entries.get(key)
    if (value !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, value)
    }
    return value
  }

  set(key: string, value: string): void {
    if (value.length * 2 > this.limit) return
    this.entries.set(key, value)
    this.bytes += value.length * 2
    for (const [oldest, kept] of this.entries) {
      if (this.bytes <= this.limit) break
      this.entries.delete(oldest)
      this.bytes -= kept.length * 2
    }
  }
}
