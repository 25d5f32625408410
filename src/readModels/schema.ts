import type { ReadModelName } from '../../projections/index.js'

/**
 * Each read model's tables, with an index for each query it answers. A read model owns its tables: a
 * rebuild drops them all and folds the log into new ones. Every table name starts with the read
 * model's prefix, so nothing else is ever dropped with them.
 */

export interface ReadModelSchema {
  tables: readonly string[]
  ddl: string
  /**
   * Indexes a rebuild's fold does without (queries read them, and the live fold may): a rebuild
   * creates them after folding the log, one sort each instead of an insertion an event.
   */
  queryIndexes?: string
}

/** A timeline entry's columns: in rm_timeline, and in the rm_staged_timeline a rebuild appends to. */
const TIMELINE_COLUMNS = `  jurisdiction_id TEXT NOT NULL,
  dimension       TEXT NOT NULL,
  key             INTEGER NOT NULL,
  claim_position  INTEGER NOT NULL,
  from_position   INTEGER NOT NULL,
  to_position     INTEGER,
  counted         INTEGER NOT NULL,
  value           TEXT NOT NULL,
  on_date         TEXT NOT NULL,
  source_id       TEXT NOT NULL,
  policy          INTEGER NOT NULL,
`

export const readModelSchemas: Record<ReadModelName, ReadModelSchema> = {
  jurisdictions: {
    tables: ['rm_jurisdictions'],
    ddl: `
CREATE TABLE rm_jurisdictions (
  jurisdiction_id TEXT PRIMARY KEY,
  event_id        TEXT NOT NULL,
  position        INTEGER NOT NULL,
  kind            TEXT NOT NULL,
  record          TEXT NOT NULL
);`,
  },
  sources: {
    tables: ['rm_sources'],
    ddl: `
CREATE TABLE rm_sources (
  source_id TEXT PRIMARY KEY,
  event_id  TEXT NOT NULL,
  position  INTEGER NOT NULL,
  via       TEXT,
  record    TEXT NOT NULL,
  content   TEXT
);`,
  },
  recordTime: {
    tables: ['rm_record_time'],
    ddl: `
-- the positions where the running maximum of recordedAt rises
CREATE TABLE rm_record_time (
  max_ms   INTEGER PRIMARY KEY,
  position INTEGER NOT NULL
) WITHOUT ROWID;`,
  },
  claims: {
    tables: [
      'rm_claims',
      'rm_claim_versions',
      'rm_claim_corrections',
      'rm_timeline',
      'rm_policies',
      'rm_source_claims',
      'rm_actors',
      'rm_actor_claims',
      'rm_changes',
      'rm_staged_timeline',
      'rm_staged_source_claims',
      'rm_staged_actor_claims',
    ],
    ddl: `
-- what never changes about a claim, by its position
CREATE TABLE rm_claims (
  position            INTEGER PRIMARY KEY,
  claim_id            TEXT NOT NULL,
  type                TEXT NOT NULL,
  jurisdiction_id     TEXT NOT NULL,
  stream              TEXT NOT NULL,
  revision            INTEGER NOT NULL,
  recorded_at         TEXT NOT NULL,
  recorded_by         TEXT NOT NULL,
  recorded            TEXT NOT NULL,
  retraction_position INTEGER,
  retraction          TEXT
);
-- a claim between two positions: [from_position, to_position); data NULL means as recorded
CREATE TABLE rm_claim_versions (
  claim_position  INTEGER NOT NULL,
  from_position   INTEGER NOT NULL,
  to_position     INTEGER,
  jurisdiction_id TEXT NOT NULL,
  key             INTEGER NOT NULL,
  on_end          TEXT NOT NULL,
  third_party     INTEGER NOT NULL,
  status          TEXT NOT NULL,
  corrections     INTEGER NOT NULL,
  data            TEXT,
  PRIMARY KEY (claim_position, from_position)
) WITHOUT ROWID;
CREATE TABLE rm_claim_corrections (
  claim_position INTEGER NOT NULL,
  position       INTEGER NOT NULL,
  correction     TEXT NOT NULL,
  PRIMARY KEY (claim_position, position)
) WITHOUT ROWID;
-- the bitemporal timelines: one row per claim version and dimension, valid in record time for
-- [from_position, to_position), ordered in valid time by (key, claim_position)
CREATE TABLE rm_timeline (
${TIMELINE_COLUMNS}  PRIMARY KEY (jurisdiction_id, dimension, key, claim_position, from_position)
) WITHOUT ROWID;
CREATE TABLE rm_policies (
  jurisdiction_id TEXT NOT NULL,
  policy_id       TEXT NOT NULL,
  event_id        TEXT NOT NULL,
  PRIMARY KEY (jurisdiction_id, policy_id)
) WITHOUT ROWID;
-- which claims cite a source (as recorded or after a correction), from which position
CREATE TABLE rm_source_claims (
  source_id      TEXT NOT NULL,
  claim_position INTEGER NOT NULL,
  from_position  INTEGER NOT NULL,
  PRIMARY KEY (source_id, claim_position)
) WITHOUT ROWID;
CREATE TABLE rm_actors (
  actor_id TEXT PRIMARY KEY,
  name     TEXT NOT NULL,
  office   TEXT
);
CREATE TABLE rm_actor_claims (
  actor_id       TEXT NOT NULL,
  claim_position INTEGER NOT NULL,
  from_position  INTEGER NOT NULL,
  PRIMARY KEY (actor_id, claim_position)
) WITHOUT ROWID;
-- the changes of each timeline (projections/changes.ts): one per day whose winner changes the value,
-- valid in record time for [from_position, to_position)
CREATE TABLE rm_changes (
  jurisdiction_id TEXT NOT NULL,
  dimension       TEXT NOT NULL,
  day             INTEGER NOT NULL,
  from_position   INTEGER NOT NULL,
  to_position     INTEGER,
  key             INTEGER NOT NULL,
  claim_position  INTEGER NOT NULL,
  before          TEXT NOT NULL,
  after           TEXT NOT NULL,
  on_date         TEXT NOT NULL,
  source_id       TEXT NOT NULL,
  policy          INTEGER NOT NULL,
  PRIMARY KEY (jurisdiction_id, dimension, day, from_position)
) WITHOUT ROWID;
-- there while the tables were made afresh for a fold of the whole log: it appends the timeline's
-- entries, citations and actors' claims here in position order and leaves rm_changes alone, then sorts
-- them into their tables and works the changes out, with its last events (src/readModels/claimRows.ts)
CREATE TABLE rm_staged_timeline (
${TIMELINE_COLUMNS}  PRIMARY KEY (from_position, dimension)
) WITHOUT ROWID;
CREATE TABLE rm_staged_source_claims (source_id TEXT NOT NULL, claim_position INTEGER NOT NULL, from_position INTEGER NOT NULL);
CREATE TABLE rm_staged_actor_claims (actor_id TEXT NOT NULL, claim_position INTEGER NOT NULL, from_position INTEGER NOT NULL);`,
    queryIndexes: `
-- a claim by its id: what corrections, retractions and the write model find it by (a rebuild, before
-- this is made, by the log's index of event ids)
CREATE UNIQUE INDEX IF NOT EXISTS rm_claims_by_id ON rm_claims (claim_id);
-- history as known at K, in valid time
CREATE INDEX IF NOT EXISTS rm_claim_versions_by_time ON rm_claim_versions (jurisdiction_id, key, claim_position, from_position);
-- designations as known now
CREATE INDEX IF NOT EXISTS rm_claim_versions_designations ON rm_claim_versions (jurisdiction_id, key, claim_position)
  WHERE third_party = 1 AND status <> 'retracted' AND to_position IS NULL;
-- the stance as known now
CREATE INDEX IF NOT EXISTS rm_timeline_current ON rm_timeline (jurisdiction_id, dimension, key, claim_position)
  WHERE counted = 1 AND to_position IS NULL;
-- what changed in record time: the entries a span of positions opened or closed
CREATE INDEX IF NOT EXISTS rm_timeline_opened ON rm_timeline (from_position) WHERE counted = 1;
CREATE INDEX IF NOT EXISTS rm_timeline_closed ON rm_timeline (to_position) WHERE counted = 1 AND to_position IS NOT NULL;
-- changes in valid time, as known at any position, across jurisdictions or in one
CREATE INDEX IF NOT EXISTS rm_changes_by_time ON rm_changes (key, claim_position, dimension);
CREATE INDEX IF NOT EXISTS rm_changes_of ON rm_changes (jurisdiction_id, key, claim_position, dimension);
-- the feeds: the changes known now, newest recorded first
CREATE INDEX IF NOT EXISTS rm_changes_recorded ON rm_changes (from_position) WHERE to_position IS NULL;
CREATE INDEX IF NOT EXISTS rm_changes_recorded_of ON rm_changes (jurisdiction_id, from_position) WHERE to_position IS NULL;`,
  },
}
