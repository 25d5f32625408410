import type Database from 'better-sqlite3'
import type { StoredCheckpoint, StoredEvent } from '../eventStore.js'

/**
 * The log's rows in a ledger file: one per event, holding its entry bytes (the canonical JSON line of
 * the log, from which id, stream, type, data and metadata are all read back) and its leaf hash; and the
 * kept checkpoints. Shared by the embedded store and an EventStoreDB replica's copy of the log.
 */

interface EventRow {
  position: number
  id: string
  stream: string
  revision: number
  entry: string
  leaf_hash: Buffer
}

interface CheckpointRow {
  tree_size: number
  root_hash: Buffer
  note: string
}

/** The entry is the one stored truth; an entry that no longer parses (tampering) reads as empty fields. */
function parseEntry(entry: string): { type?: unknown; data?: unknown; metadata?: unknown } {
  try {
    const parsed: unknown = JSON.parse(entry)
    return typeof parsed === 'object' && parsed !== null ? parsed : {}
  } catch {
    return {}
  }
}

export function toStoredEvent(row: EventRow): StoredEvent {
  const parsed = parseEntry(row.entry)
  return {
    position: row.position,
    id: row.id,
    stream: row.stream,
    revision: row.revision,
    type: typeof parsed.type === 'string' ? parsed.type : '',
    data: parsed.data,
    metadata: parsed.metadata,
    entry: row.entry,
    leafHash: row.leaf_hash,
  }
}

function toCheckpoint(row: CheckpointRow): StoredCheckpoint {
  return { treeSize: row.tree_size, rootHash: row.root_hash, note: row.note }
}

/** Ids a request may carry at once: one query looks them all up. */
const MAX_IDS = 1_000

export class EventRows {
  private readonly statements

  constructor(readonly db: Database.Database) {
    this.statements = {
      insert: db.prepare<[number, string, string, number, string, Buffer]>(
        'INSERT INTO events (position, id, stream, revision, entry, leaf_hash) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      lastPosition: db.prepare<[], number | null>('SELECT MAX(position) FROM events').pluck(),
      streamRevision: db.prepare<[string], number | null>('SELECT MAX(revision) FROM events WHERE stream = ?').pluck(),
      readStream: db.prepare<[string], EventRow>('SELECT * FROM events WHERE stream = ? ORDER BY revision'),
      readAll: db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE position >= ? ORDER BY position LIMIT ?'),
      byId: db.prepare<[string], EventRow>('SELECT * FROM events WHERE id = ?'),
      atRevision: db.prepare<[string, number], EventRow>('SELECT * FROM events WHERE stream = ? AND revision = ?'),
      byIds: db.prepare<[string], EventRow>('SELECT * FROM events WHERE id IN (SELECT value FROM json_each(?))'),
      saveCheckpoint: db.prepare<[number, Buffer, string]>(
        'INSERT INTO checkpoints (tree_size, root_hash, note) VALUES (?, ?, ?) ON CONFLICT (tree_size) DO NOTHING',
      ),
      checkpoints: db.prepare<[], CheckpointRow>('SELECT * FROM checkpoints ORDER BY tree_size'),
      latestCheckpoint: db.prepare<[], CheckpointRow>('SELECT * FROM checkpoints ORDER BY tree_size DESC LIMIT 1'),
      hasCheckpoint: db.prepare<[number], number>('SELECT 1 FROM checkpoints WHERE tree_size = ?').pluck(),
      sizesAfter: db
        .prepare<[number, number], number>('SELECT tree_size FROM checkpoints WHERE tree_size > ? ORDER BY tree_size LIMIT ?')
        .pluck(),
    }
  }

  insert(event: Omit<StoredEvent, 'type' | 'data' | 'metadata'>): void {
    this.statements.insert.run(event.position, event.id, event.stream, event.revision, event.entry, event.leafHash)
  }

  /** The number of events: the next position. */
  head(): number {
    return (this.statements.lastPosition.get() ?? -1) + 1
  }

  streamRevision(stream: string): number | null {
    return this.statements.streamRevision.get(stream) ?? null
  }

  readStream(stream: string): StoredEvent[] {
    return this.statements.readStream.all(stream).map(toStoredEvent)
  }

  readAll(from: number, limit: number): StoredEvent[] {
    return this.statements.readAll.all(from, limit).map(toStoredEvent)
  }

  byId(id: string): StoredEvent | undefined {
    const row = this.statements.byId.get(id)
    return row === undefined ? undefined : toStoredEvent(row)
  }

  atRevision(stream: string, revision: number): StoredEvent | undefined {
    const row = this.statements.atRevision.get(stream, revision)
    return row === undefined ? undefined : toStoredEvent(row)
  }

  /** The stored events among `ids`, in no particular order. */
  byIds(ids: readonly string[]): StoredEvent[] {
    const found: StoredEvent[] = []
    for (let start = 0; start < ids.length; start += MAX_IDS) {
      const rows = this.statements.byIds.all(JSON.stringify(ids.slice(start, start + MAX_IDS)))
      for (const row of rows) found.push(toStoredEvent(row))
    }
    return found
  }

  saveCheckpoint(checkpoint: StoredCheckpoint): void {
    this.statements.saveCheckpoint.run(checkpoint.treeSize, checkpoint.rootHash, checkpoint.note)
  }

  checkpoints(): StoredCheckpoint[] {
    return this.statements.checkpoints.all().map(toCheckpoint)
  }

  /** The sizes of the kept checkpoints larger than `size`, ascending: where commits ended. */
  checkpointSizesAfter(size: number, limit: number): number[] {
    return this.statements.sizesAfter.all(size, limit)
  }

  hasCheckpoint(treeSize: number): boolean {
    return this.statements.hasCheckpoint.get(treeSize) !== undefined
  }

  latestCheckpoint(): StoredCheckpoint | undefined {
    const row = this.statements.latestCheckpoint.get()
    return row === undefined ? undefined : toCheckpoint(row)
  }
}
