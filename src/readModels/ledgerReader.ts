import type Database from 'better-sqlite3'
import { dimensions, endOf, startOf, UNKNOWN } from '../../events/index.js'
import {
  asOfKey,
  claimView,
  correctedClaim,
  dayNumber,
  dimensionStance,
  uncertainKeys,
  type ActorView,
  type PanelEntry,
  type ChangesQuery,
  type RecordedChange,
  type RecordTimeChange,
  type ValidTimeChange,
  type ClaimAt,
  type ClaimStatus,
  type ClaimStatusView,
  type ClaimView,
  type CorrectedClaim,
  type CorrectionRecord,
  type Designation,
  type DimensionStance,
  type History,
  type HistoryQuery,
  type JurisdictionList,
  type JurisdictionListQuery,
  type JurisdictionRecord,
  type JurisdictionSummary,
  type KnownAt,
  type RetractionRecord,
  type RunEntry,
  type SourceRecord,
  type StanceAnswer,
  type TimelinePoint,
} from '../../projections/index.js'
import { claimRecordOf, versionData, type ClaimRow } from './tables.js'

/**
 * The read side: every query the API, the pages and the CLI ask of the read models, answered from
 * their SQLite indexes. A stance at (asOf, knownAt) is a walk back in valid time from asOf over the
 * entries valid at knownAt in record time: an index seek, then the run of the winning value.
 *
 * "Known at K" is the position K: a version or timeline entry is valid at K when it was opened at or
 * before K and not closed by then. Queries as known now use partial indexes over the open rows only.
 */

/** Larger than any position: an open row's end. */
const OPEN = Number.MAX_SAFE_INTEGER

interface ClaimRowWithVersion extends ClaimRow {
  retraction_position: number | null
  retraction: string | null
  status: ClaimStatus
  corrections: number
  data: string | null
}

const claimColumns = `c.position, c.claim_id, c.type, c.jurisdiction_id, c.stream, c.revision, c.recorded_at,
  c.recorded_by, c.recorded, c.retraction_position, c.retraction, v.status, v.corrections, v.data`

/** Valid in record time at :k. */
const validAt = (alias: string) => `${alias}.from_position <= :k AND coalesce(${alias}.to_position, ${OPEN}) > :k`

/** Where a page of a list continues: after this item, in the list's order. */
export interface Page<Key> {
  after?: Key
  limit: number
}

/** A history claim's place in valid-time order. */
export interface HistoryKey {
  key: number
  position: number
}

/** A change's place in valid-time order. */
export interface ChangeKey {
  key: number
  position: number
  dimension: string
}

/** A record-time change's place: by jurisdiction, then dimension. */
export interface DimensionKey {
  jurisdictionId: string
  dimension: string
}

interface ChangeRowOut {
  jurisdiction_id: string
  dimension: string
  key: number
  claim_position: number
  before: string
  after: string
  on_date: string
  source_id: string
  policy: number
  claim_id: string
  from_position: number
}

/** Unbounded, for callers that take a whole list (tests, the reference checks). */
const EVERYTHING = { limit: Number.MAX_SAFE_INTEGER }

/** Beyond (key, position) in the order asked for. */
const beyond = (alias: string, order: 'asc' | 'desc') =>
  order === 'asc'
    ? `(${alias}.key > :ak OR (${alias}.key = :ak AND ${alias}.claim_position > :ap))`
    : `(${alias}.key < :ak OR (${alias}.key = :ak AND ${alias}.claim_position < :ap))`
const direction = (order: 'asc' | 'desc') => (order === 'asc' ? '' : ' DESC')

type HistoryParams = { j: string; k: number; lo: number; hi: number; fromStart: string; ak: number; ap: number; limit: number }

export class LedgerReader {
  private readonly statements

  constructor(
    readonly db: Database.Database,
    /** How many positions the read models have folded. */
    readonly size: () => number,
  ) {
    const run = (current: boolean) =>
      db.prepare<{ j: string; d: string; key: number; k: number }, { claimId: string; value: string; on: string; sourceId: string; policy: number }>(
        `SELECT c.claim_id AS claimId, t.value, t.on_date AS "on", t.source_id AS sourceId, t.policy
         FROM rm_timeline t ${current ? 'INDEXED BY rm_timeline_current' : ''} JOIN rm_claims c ON c.position = t.claim_position
         WHERE t.jurisdiction_id = :j AND t.dimension = :d AND t.key <= :key AND t.counted = 1
           AND ${current ? 't.to_position IS NULL AND :k >= 0' : validAt('t')}
         ORDER BY t.key DESC, t.claim_position DESC`,
      )
    const value = (current: boolean) =>
      db
        .prepare<{ j: string; d: string; key: number; k: number }, string>(
          `SELECT t.value FROM rm_timeline t ${current ? 'INDEXED BY rm_timeline_current' : ''}
           WHERE t.jurisdiction_id = :j AND t.dimension = :d AND t.key <= :key AND t.counted = 1
             AND ${current ? 't.to_position IS NULL AND :k >= 0' : validAt('t')}
           ORDER BY t.key DESC, t.claim_position DESC LIMIT 1`,
        )
        .pluck()
    const entryAt = (current: boolean) =>
      db
        .prepare<{ j: string; d: string; key: number; k: number }, number>(
          `SELECT 1 FROM rm_timeline t ${current ? 'INDEXED BY rm_timeline_current' : ''}
           WHERE t.jurisdiction_id = :j AND t.dimension = :d AND t.key = :key AND t.counted = 1
             AND ${current ? 't.to_position IS NULL AND :k >= 0' : validAt('t')} LIMIT 1`,
        )
        .pluck()
    this.statements = {
      run: { current: run(true), past: run(false) },
      value: { current: value(true), past: value(false) },
      entryAt: { current: entryAt(true), past: entryAt(false) },
      points: db.prepare<{ j: string; d: string; k: number }, { claimId: string; on: string; value: string }>(
        `SELECT c.claim_id AS claimId, t.on_date AS "on", t.value FROM rm_timeline t JOIN rm_claims c ON c.position = t.claim_position
         WHERE t.jurisdiction_id = :j AND t.dimension = :d AND t.counted = 1 AND ${validAt('t')}
         ORDER BY t.key, t.claim_position`,
      ),
      panelEntries: db.prepare<{ j: string; d: string; k: number }, { key: number; value: string; on: string; policy: number }>(
        `SELECT t.key, t.value, t.on_date AS "on", t.policy FROM rm_timeline t
         WHERE t.jurisdiction_id = :j AND t.dimension = :d AND t.counted = 1 AND ${validAt('t')}
         ORDER BY t.key, t.claim_position`,
      ),
      riseAfter: db
        .prepare<[number], number>('SELECT position FROM rm_record_time WHERE max_ms > ? ORDER BY max_ms LIMIT 1')
        .pluck(),
      jurisdiction: db.prepare<[string], string>('SELECT record FROM rm_jurisdictions WHERE jurisdiction_id = ?').pluck(),
      jurisdictions: db
        .prepare<{ k: number; kind: string | null; after: string; limit: number }, string>(
          `SELECT record FROM rm_jurisdictions WHERE position <= :k AND (:kind IS NULL OR kind = :kind) AND jurisdiction_id > :after
           ORDER BY jurisdiction_id LIMIT :limit`,
        )
        .pluck(),
      jurisdictionCount: db
        .prepare<{ k: number; kind: string | null }, number>(
          'SELECT COUNT(*) FROM rm_jurisdictions WHERE position <= :k AND (:kind IS NULL OR kind = :kind)',
        )
        .pluck(),
      source: db.prepare<[string], string>('SELECT record FROM rm_sources WHERE source_id = ?').pluck(),
      sourceContent: db.prepare<[string], string | null>('SELECT content FROM rm_sources WHERE source_id = ?').pluck(),
      history: {
        asc: historyStatement(db, 'asc', false),
        desc: historyStatement(db, 'desc', false),
      },
      historyOfDimension: {
        asc: historyStatement(db, 'asc', true),
        desc: historyStatement(db, 'desc', true),
      },
      designations: {
        current: db.prepare<{ j: string }, ClaimRowWithVersion>(
          `SELECT ${claimColumns} FROM rm_claim_versions v INDEXED BY rm_claim_versions_designations
           JOIN rm_claims c ON c.position = v.claim_position
           WHERE v.jurisdiction_id = :j AND v.third_party = 1 AND v.status <> 'retracted' AND v.to_position IS NULL
           ORDER BY v.key, v.claim_position`,
        ),
        past: db.prepare<{ j: string; k: number }, ClaimRowWithVersion>(
          `SELECT ${claimColumns} FROM rm_claim_versions v INDEXED BY rm_claim_versions_by_time
           JOIN rm_claims c ON c.position = v.claim_position
           WHERE v.jurisdiction_id = :j AND v.third_party = 1 AND v.status <> 'retracted' AND ${validAt('v')}
           ORDER BY v.key, v.claim_position`,
        ),
      },
      claimNow: db.prepare<[string], ClaimRowWithVersion>(
        `SELECT ${claimColumns} FROM rm_claims c
         JOIN rm_claim_versions v ON v.claim_position = c.position AND v.to_position IS NULL
         WHERE c.claim_id = ?`,
      ),
      claimAt: db.prepare<{ id: string; k: number }, ClaimRowWithVersion>(
        `SELECT ${claimColumns} FROM rm_claims c
         JOIN rm_claim_versions v ON v.claim_position = c.position AND ${validAt('v')}
         WHERE c.claim_id = :id`,
      ),
      claimByPositionNow: db.prepare<[number], ClaimRowWithVersion>(
        `SELECT ${claimColumns} FROM rm_claims c
         JOIN rm_claim_versions v ON v.claim_position = c.position AND v.to_position IS NULL
         WHERE c.position = ?`,
      ),
      corrections: db
        .prepare<[number, number], string>(
          'SELECT correction FROM rm_claim_corrections WHERE claim_position = ? AND position <= ? ORDER BY position',
        )
        .pluck(),
      sourceClaims: db
        .prepare<{ id: string; k: number; after: number; limit: number }, number>(
          `SELECT claim_position FROM rm_source_claims WHERE source_id = :id AND from_position <= :k AND claim_position > :after
           ORDER BY claim_position LIMIT :limit`,
        )
        .pluck(),
      actor: db.prepare<[string], { name: string; office: string | null }>('SELECT name, office FROM rm_actors WHERE actor_id = ?'),
      actorClaims: db
        .prepare<{ id: string; k: number; after: number; limit: number }, number>(
          `SELECT claim_position FROM rm_actor_claims WHERE actor_id = :id AND from_position <= :k AND claim_position > :after
           ORDER BY claim_position LIMIT :limit`,
        )
        .pluck(),
      changes: db.prepare<
        { lo: number; hi: number; k: number; j: string | null; kind: string | null; d: string | null; ak: number; ap: number; ad: string; limit: number },
        ChangeRowOut
      >(
        `SELECT c.jurisdiction_id, c.dimension, c.key, c.claim_position, c.before, c.after, c.on_date, c.source_id, c.policy,
                c.from_position, cl.claim_id
         FROM rm_changes c ${'INDEXED BY rm_changes_by_time'}
         JOIN rm_claims cl ON cl.position = c.claim_position
         WHERE c.key BETWEEN :lo AND :hi AND ${validAt('c')}
           AND (:j IS NULL OR c.jurisdiction_id = :j) AND (:d IS NULL OR c.dimension = :d)
           AND (:kind IS NULL OR c.jurisdiction_id IN (SELECT jurisdiction_id FROM rm_jurisdictions WHERE kind = :kind))
           AND (c.key > :ak OR (c.key = :ak AND (c.claim_position > :ap OR (c.claim_position = :ap AND c.dimension > :ad))))
         ORDER BY c.key, c.claim_position, c.dimension LIMIT :limit`,
      ),
      changesOf: db.prepare<
        { lo: number; hi: number; k: number; j: string | null; kind: string | null; d: string | null; ak: number; ap: number; ad: string; limit: number },
        ChangeRowOut
      >(
        `SELECT c.jurisdiction_id, c.dimension, c.key, c.claim_position, c.before, c.after, c.on_date, c.source_id, c.policy,
                c.from_position, cl.claim_id
         FROM rm_changes c INDEXED BY rm_changes_of
         JOIN rm_claims cl ON cl.position = c.claim_position
         WHERE c.jurisdiction_id = :j AND c.key BETWEEN :lo AND :hi AND ${validAt('c')}
           AND (:d IS NULL OR c.dimension = :d) AND (:kind IS NULL OR :kind IS NOT NULL)
           AND (c.key > :ak OR (c.key = :ak AND (c.claim_position > :ap OR (c.claim_position = :ap AND c.dimension > :ad))))
         ORDER BY c.key, c.claim_position, c.dimension LIMIT :limit`,
      ),
      newestOf: db.prepare<{ j: string; k: number; limit: number }, ChangeRowOut>(
        `SELECT c.jurisdiction_id, c.dimension, c.key, c.claim_position, c.before, c.after, c.on_date, c.source_id, c.policy,
                c.from_position, cl.claim_id
         FROM rm_changes c INDEXED BY rm_changes_of
         JOIN rm_claims cl ON cl.position = c.claim_position
         WHERE c.jurisdiction_id = :j AND ${validAt('c')}
         ORDER BY c.key DESC, c.claim_position DESC, c.dimension DESC LIMIT :limit`,
      ),
      recorded: db.prepare<{ j: string | null; limit: number }, ChangeRowOut>(
        `SELECT c.jurisdiction_id, c.dimension, c.key, c.claim_position, c.before, c.after, c.on_date, c.source_id, c.policy,
                c.from_position, cl.claim_id
         FROM rm_changes c JOIN rm_claims cl ON cl.position = c.claim_position
         WHERE c.to_position IS NULL AND (:j IS NULL OR c.jurisdiction_id = :j)
         ORDER BY c.from_position DESC, c.key DESC, c.dimension LIMIT :limit`,
      ),
      touched: db.prepare<{ since: number; k: number }, { jurisdiction_id: string; dimension: string; position: number }>(
        `SELECT jurisdiction_id, dimension, from_position AS position FROM rm_timeline INDEXED BY rm_timeline_opened
           WHERE counted = 1 AND from_position > :since AND from_position <= :k
         UNION
         SELECT jurisdiction_id, dimension, to_position AS position FROM rm_timeline INDEXED BY rm_timeline_closed
           WHERE counted = 1 AND to_position IS NOT NULL AND to_position > :since AND to_position <= :k
         ORDER BY 1, 2, 3`,
      ),
      eventIdAt: db.prepare<[number], string>('SELECT id FROM events WHERE position = ?').pluck(),
      entryAtPosition: db.prepare<[number], string>('SELECT entry FROM events WHERE position = ?').pluck(),
      claimByPositionAt: db.prepare<{ p: number; k: number }, ClaimRowWithVersion>(
        `SELECT ${claimColumns} FROM rm_claims c
         JOIN rm_claim_versions v ON v.claim_position = c.position AND ${validAt('v')}
         WHERE c.position = :p`,
      ),
    }
  }

  /** The latest position, null on an empty ledger. */
  private latest(): number | null {
    const size = this.size()
    return size > 0 ? size - 1 : null
  }

  /** Whether "known at k" is everything folded: the open rows answer. */
  private isNow(k: number): boolean {
    return k >= this.size() - 1
  }

  /**
   * The highest position a query considers, or null when it considers nothing. A position is taken as
   * given (the caller compares it with `size` first); a timestamp selects the longest prefix of the
   * ledger whose `recordedAt` are all at or before it; no `knownAt` means everything folded.
   */
  resolveKnownAt(knownAt: KnownAt | undefined): number | null {
    if (knownAt === undefined) return this.latest()
    if ('position' in knownAt) return knownAt.position
    const rise = this.statements.riseAfter.get(knownAt.timestamp)
    if (rise === undefined) return this.latest()
    return rise > 0 ? rise - 1 : null
  }

  jurisdictionOf(jurisdictionId: string): JurisdictionRecord | null {
    const record = this.statements.jurisdiction.get(jurisdictionId)
    return record === undefined ? null : (JSON.parse(record) as JurisdictionRecord)
  }

  sourceOf(sourceId: string): SourceRecord | null {
    const record = this.statements.source.get(sourceId)
    return record === undefined ? null : (JSON.parse(record) as SourceRecord)
  }

  /** The archived text of a source, undefined when it has none (or is not registered). */
  sourceContent(sourceId: string): string | undefined {
    return this.statements.sourceContent.get(sourceId) ?? undefined
  }

  private runOf(jurisdictionId: string, dimension: string, asOf: string, k: number): DimensionStance {
    const now = this.isNow(k)
    const params = { j: jurisdictionId, d: dimension, key: asOfKey(asOf), k }
    const rows = (now ? this.statements.run.current : this.statements.run.past).iterate(params)
    const entryAt = now ? this.statements.entryAt.current : this.statements.entryAt.past
    return dimensionStance(runEntries(rows), () =>
      uncertainKeys(asOf).some((key) => entryAt.get({ ...params, key }) !== undefined),
    )
  }

  /** The stance of a jurisdiction on `asOf` (YYYY-MM-DD) as known at a position (DESIGN, "Stance semantics"). */
  stanceAnswer(jurisdictionId: string, asOf: string, knownAtPosition: number | null): StanceAnswer {
    const stance: Record<string, DimensionStance> = {}
    for (const dimension of dimensions) {
      stance[dimension] =
        knownAtPosition === null ? dimensionStance([], () => false) : this.runOf(jurisdictionId, dimension, asOf, knownAtPosition)
    }
    return { jurisdictionId, asOf, knownAtPosition, stance }
  }

  /** Just the value of one dimension on `asOf` as known at a position: what lists and filters need. */
  stanceValue(jurisdictionId: string, dimension: string, asOf: string, knownAtPosition: number | null): string {
    if (knownAtPosition === null) return UNKNOWN
    const statement = this.isNow(knownAtPosition) ? this.statements.value.current : this.statements.value.past
    return statement.get({ j: jurisdictionId, d: dimension, key: asOfKey(asOf), k: knownAtPosition }) ?? UNKNOWN
  }

  /** The value and what backs it: the run of the value is read, not its basis. */
  supportedValue(
    jurisdictionId: string,
    dimension: string,
    asOf: string,
    knownAtPosition: number | null,
  ): { value: string; support: 'policy' | 'statement' | null } {
    if (knownAtPosition === null) return { value: UNKNOWN, support: null }
    const statement = this.isNow(knownAtPosition) ? this.statements.run.current : this.statements.run.past
    let value: string | undefined
    let policy = false
    for (const row of statement.iterate({ j: jurisdictionId, d: dimension, key: asOfKey(asOf), k: knownAtPosition })) {
      if (value === undefined) value = row.value
      else if (row.value !== value) break
      if (row.policy === 1) {
        policy = true
        break
      }
    }
    return value === undefined ? { value: UNKNOWN, support: null } : { value, support: policy ? 'policy' : 'statement' }
  }

  /** The counted claims of a dimension's timeline as known at a position, in valid-time order. */
  timelinePoints(jurisdictionId: string, dimension: string, knownAtPosition: number | null): TimelinePoint[] {
    if (knownAtPosition === null) return []
    return this.statements.points
      .all({ j: jurisdictionId, d: dimension, k: knownAtPosition })
      .map((row) => ({ claimId: row.claimId, on: row.on, start: startOf(row.on), value: row.value }))
  }

  /** A timeline's counted entries as known at a position, in valid-time order: what the panel folds. */
  panelEntries(jurisdictionId: string, dimension: string, knownAtPosition: number): PanelEntry[] {
    return this.statements.panelEntries
      .all({ j: jurisdictionId, d: dimension, k: knownAtPosition })
      .map((row) => ({ key: row.key, value: row.value, on: row.on, policy: row.policy === 1 }))
  }

  /** The jurisdictions registered at a position (of a kind), by id, after `page.after`. */
  registeredJurisdictions(kind: string | undefined, knownAtPosition: number, page: Page<string>): JurisdictionRecord[] {
    return this.statements.jurisdictions
      .all({ k: knownAtPosition, kind: kind ?? null, after: page.after ?? '', limit: page.limit })
      .map((text) => JSON.parse(text) as JurisdictionRecord)
  }

  /**
   * The jurisdictions registered at `knownAtPosition`, each with its value per dimension on `asOf`, by
   * id: a page of them after the id `page.after`, or all.
   */
  listJurisdictions(query: JurisdictionListQuery, page: Page<string> = EVERYTHING): JurisdictionList {
    const { kind, dimension, value, support, asOf, knownAtPosition } = query
    const jurisdictions: JurisdictionSummary[] = []
    // a filter may pass few of them: read the registrations in batches until the page is full
    const batch = Math.min(page.limit, 500)
    let after = page.after ?? ''
    for (let more = knownAtPosition !== null; more && jurisdictions.length < page.limit; ) {
      const records = this.statements.jurisdictions.all({ k: knownAtPosition!, kind: kind ?? null, after, limit: batch })
      more = records.length === batch
      for (const text of records) {
        if (jurisdictions.length >= page.limit) break
        const jurisdiction = JSON.parse(text) as JurisdictionRecord
        after = jurisdiction.jurisdictionId
        const id = jurisdiction.jurisdictionId
        if (dimension !== undefined && value !== undefined) {
          const cell = this.supportedValue(id, dimension, asOf, knownAtPosition)
          if (cell.value !== value || (support !== undefined && cell.support !== support)) continue
        }
        const stance: Record<string, string> = {}
        const backing: Record<string, 'policy' | 'statement' | null> = {}
        for (const name of dimensions) {
          const cell = this.supportedValue(id, name, asOf, knownAtPosition)
          stance[name] = cell.value
          backing[name] = cell.support
        }
        jurisdictions.push({ jurisdictionId: id, name: jurisdiction.name, kind: jurisdiction.kind, ocdId: jurisdiction.ocdId, stance, support: backing })
      }
    }
    return { asOf, knownAtPosition, jurisdictions }
  }

  /** How many jurisdictions are registered at a position (of a kind): a list's `total`, cheap. */
  jurisdictionCount(kind: string | undefined, knownAtPosition: number | null): number {
    return knownAtPosition === null ? 0 : this.statements.jurisdictionCount.get({ k: knownAtPosition, kind: kind ?? null })!
  }

  private claimAt(row: ClaimRowWithVersion, k: number): ClaimAt {
    const record = claimRecordOf(row)
    const corrections =
      row.corrections === 0
        ? []
        : this.statements.corrections.all(row.position, k).map((text) => JSON.parse(text) as CorrectionRecord)
    const retraction =
      row.retraction_position !== null && row.retraction_position <= k ? (JSON.parse(row.retraction!) as RetractionRecord) : null
    return { record, data: versionData(record, row.data), status: row.status, corrections, retraction }
  }

  /**
   * The claims of a jurisdiction known at a position, official or not, in valid-time order (`desc`:
   * newest first): a page of them after `page.after`, or all of them.
   */
  historyOf(jurisdictionId: string, query: HistoryQuery, page: Page<HistoryKey> = EVERYTHING, order: 'asc' | 'desc' = 'asc'): History {
    const { dimension, from, to, knownAtPosition } = query
    if (knownAtPosition === null) return { jurisdictionId, knownAtPosition, claims: [] }
    const params: HistoryParams = {
      j: jurisdictionId,
      k: knownAtPosition,
      // a period is at most a year long: one ending on or after `from` starts at most 366 days before it
      lo: from === undefined ? Number.MIN_SAFE_INTEGER : (dayNumber(startOf(from)) - 366) * 4,
      hi: to === undefined ? Number.MAX_SAFE_INTEGER : asOfKey(endOf(to)),
      fromStart: from === undefined ? '' : startOf(from),
      ak: page.after?.key ?? (order === 'asc' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER),
      ap: page.after?.position ?? (order === 'asc' ? -1 : Number.MAX_SAFE_INTEGER),
      limit: page.limit,
    }
    const rows =
      dimension === undefined
        ? this.statements.history[order].all(params)
        : this.statements.historyOfDimension[order].all({ ...params, d: dimension })
    return { jurisdictionId, knownAtPosition, claims: rows.map((row) => claimView(this.claimAt(row, knownAtPosition))) }
  }

  /** The active third-party claims about a jurisdiction known at a position, corrected, in valid-time order. */
  designationsOf(jurisdictionId: string, knownAtPosition: number | null): Designation[] {
    if (knownAtPosition === null) return []
    const rows = this.isNow(knownAtPosition)
      ? this.statements.designations.current.all({ j: jurisdictionId })
      : this.statements.designations.past.all({ j: jurisdictionId, k: knownAtPosition })
    return rows.map((row) => {
      const data = versionData(claimRecordOf(row), row.data)
      return { eventId: row.claim_id, actor: data.actor, on: data.on, stances: data.stances, sourceId: data.sourceId }
    })
  }

  /**
   * The changes in valid time within [from, to] (partial dates, inclusive) as known at a position,
   * ordered by `on` then position: a page of them after `page.after`, or all.
   */
  changesBetween(query: ChangesQuery, page: Page<ChangeKey> = EVERYTHING): ValidTimeChange[] {
    return this.changeRows(query, page).map((row) => row.change)
  }

  /** `changesBetween`, each change with its place in the order (what a cursor continues after). */
  changeRows(query: ChangesQuery, page: Page<ChangeKey> = EVERYTHING): Array<{ change: ValidTimeChange; key: ChangeKey }> {
    if (query.knownAtPosition === null) return []
    const params = {
      lo: dayNumber(startOf(query.from)) * 4,
      hi: asOfKey(endOf(query.to)),
      k: query.knownAtPosition,
      j: query.jurisdiction ?? null,
      kind: query.kind ?? null,
      d: query.dimension ?? null,
      ak: page.after?.key ?? Number.MIN_SAFE_INTEGER,
      ap: page.after?.position ?? -1,
      ad: page.after?.dimension ?? '',
      limit: page.limit,
    }
    const statement = query.jurisdiction === undefined ? this.statements.changes : this.statements.changesOf
    return statement.all(params).map((row) => ({ change: changeView(row), key: { key: row.key, position: row.claim_position, dimension: row.dimension } }))
  }

  /** A jurisdiction's changes in valid time as known at a position, the latest `on` first: what its page lists. */
  newestChangesOf(jurisdictionId: string, knownAtPosition: number | null, limit: number): ValidTimeChange[] {
    if (knownAtPosition === null) return []
    return this.statements.newestOf.all({ j: jurisdictionId, k: knownAtPosition, limit }).map(changeView)
  }

  /** The changes known now, newest recorded first (a jurisdiction's, or everyone's): what the feeds show. */
  recordedChanges(jurisdictionId: string | undefined, limit: number): RecordedChange[] {
    return this.statements.recorded.all({ j: jurisdictionId ?? null, limit }).map((row) => ({
      ...changeView(row),
      position: row.from_position,
      recordedAt: this.recordedAtOf(row.from_position) ?? '',
    }))
  }

  /** When the event at a position was recorded, from its entry; undefined beyond the log. */
  recordedAtOf(position: number): string | undefined {
    const entry = this.statements.entryAtPosition.get(position)
    return entry === undefined ? undefined : (JSON.parse(entry) as { metadata: { recordedAt: string } }).metadata.recordedAt
  }

  /**
   * What a client that last looked at `since` must update: each dimension whose answer today (`asOf`)
   * differs between knowing `since` and knowing `knownAtPosition`, with the events in between that
   * opened or closed its timeline entries. By jurisdiction and dimension: a page after `page.after`.
   */
  changesSince(since: number, knownAtPosition: number, asOf: string, page: Page<DimensionKey> = EVERYTHING): RecordTimeChange[] {
    if (knownAtPosition <= since) return []
    const touched = new Map<string, { jurisdictionId: string; dimension: string; positions: Set<number> }>()
    for (const row of this.statements.touched.all({ since, k: knownAtPosition })) {
      const after = page.after
      if (after !== undefined && (row.jurisdiction_id < after.jurisdictionId || (row.jurisdiction_id === after.jurisdictionId && row.dimension <= after.dimension))) continue
      const id = `${row.jurisdiction_id}\u0000${row.dimension}`
      let entry = touched.get(id)
      if (entry === undefined) {
        entry = { jurisdictionId: row.jurisdiction_id, dimension: row.dimension, positions: new Set() }
        touched.set(id, entry)
      }
      entry.positions.add(row.position)
    }
    const changes: RecordTimeChange[] = []
    for (const { jurisdictionId, dimension, positions } of touched.values()) {
      if (changes.length >= page.limit) break
      const before = this.stanceValue(jurisdictionId, dimension, asOf, since)
      const after = this.stanceValue(jurisdictionId, dimension, asOf, knownAtPosition)
      if (before === after) continue
      changes.push({
        jurisdictionId,
        dimension,
        before,
        after,
        causedBy: [...positions].sort((a, b) => a - b).map((position) => this.statements.eventIdAt.get(position)!),
      })
    }
    return changes
  }

  /** Claims by position as known at k, in position order. */
  private claimViewsAt(positions: readonly number[], k: number): ClaimView[] {
    const now = this.isNow(k)
    return positions.map((position) => {
      const row = now ? this.statements.claimByPositionNow.get(position)! : this.statements.claimByPositionAt.get({ p: position, k })!
      return claimView(this.claimAt(row, k))
    })
  }

  /**
   * The claims citing a source, as recorded or after a correction, as known at a position (default:
   * everything), in position order: a page of them after the claim at `page.after`, or all.
   */
  claimsCitingSource(sourceId: string, knownAtPosition = this.latest(), page: Page<number> = EVERYTHING): ClaimView[] {
    if (knownAtPosition === null) return []
    const positions = this.statements.sourceClaims.all({ id: sourceId, k: knownAtPosition, after: page.after ?? -1, limit: page.limit })
    return this.claimViewsAt(positions, knownAtPosition)
  }

  /** An actor (the latest name and office seen) and their claims, as `claimsCitingSource` pages them. */
  actorView(actorId: string, knownAtPosition = this.latest(), page: Page<number> = EVERYTHING): ActorView | null {
    const actor = this.statements.actor.get(actorId)
    if (actor === undefined) return null
    const positions =
      knownAtPosition === null
        ? []
        : this.statements.actorClaims.all({ id: actorId, k: knownAtPosition, after: page.after ?? -1, limit: page.limit })
    return {
      actorId,
      name: actor.name,
      ...(actor.office !== null && { office: actor.office }),
      claims: knownAtPosition === null ? [] : this.claimViewsAt(positions, knownAtPosition),
    }
  }

  /** A claim's status as known now, for `GET /events/:id`; null when the event is not a claim. */
  claimStatus(eventId: string): ClaimStatusView | null {
    const row = this.statements.claimNow.get(eventId)
    if (row === undefined) return null
    const claim = this.claimAt(row, this.latest() ?? -1)
    return {
      status: claim.status,
      correctedBy: claim.corrections.map((correction) => correction.eventId),
      retractedBy: claim.retraction?.eventId ?? null,
    }
  }

  /** A claim as recorded and as corrected, as known at a position; null when it is not a claim known then. */
  correctedClaim(eventId: string, knownAtPosition: number | null): CorrectedClaim | null {
    if (knownAtPosition === null) return null
    const row = this.statements.claimAt.get({ id: eventId, k: knownAtPosition })
    return row === undefined ? null : correctedClaim(this.claimAt(row, knownAtPosition))
  }
}

function changeView(row: ChangeRowOut): ValidTimeChange {
  return {
    jurisdictionId: row.jurisdiction_id,
    dimension: row.dimension,
    on: row.on_date,
    before: row.before,
    after: row.after,
    eventId: row.claim_id,
    sourceId: row.source_id,
    uncertain: row.on_date.length < 10,
    support: row.policy === 1 ? 'policy' : 'statement',
  }
}

function historyStatement(db: Database.Database, order: 'asc' | 'desc', byDimension: boolean) {
  const from = byDimension
    ? `rm_timeline t
       JOIN rm_claim_versions v ON v.claim_position = t.claim_position AND v.from_position = t.from_position`
    : 'rm_claim_versions v INDEXED BY rm_claim_versions_by_time'
  const row = byDimension ? 't' : 'v'
  return db.prepare<HistoryParams & { d?: string }, ClaimRowWithVersion>(
    `SELECT ${claimColumns} FROM ${from}
     JOIN rm_claims c ON c.position = ${row}.claim_position
     WHERE ${row}.jurisdiction_id = :j ${byDimension ? 'AND t.dimension = :d' : ''} AND ${row}.key BETWEEN :lo AND :hi
       AND ${validAt(row)} AND v.on_end >= :fromStart AND ${beyond(row, order)}
     ORDER BY ${row}.key${direction(order)}, ${row}.claim_position${direction(order)} LIMIT :limit`,
  )
}

function* runEntries(rows: Iterable<{ claimId: string; value: string; on: string; sourceId: string; policy: number }>): Generator<RunEntry> {
  for (const row of rows) yield { claimId: row.claimId, value: row.value, on: row.on, sourceId: row.sourceId, policy: row.policy === 1 }
}
