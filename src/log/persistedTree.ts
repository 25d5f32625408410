import type Database from 'better-sqlite3'
import type { LocalReadModel, LoggedEvent } from '../readModels/readModelStore.js'
import { MerkleTree, type NodeStore } from './merkle.js'

/**
 * The Merkle tree persisted beside the log: the leaves are the events' stored leaf hashes, and every
 * complete subtree's hash is kept in `merkle_nodes` as it completes (the C2SP tlog-tiles numbering,
 * one row a node). No start rebuilds the tree; a root or proof at any size reads O(log n) nodes.
 */
const ddl = `
CREATE TABLE merkle_nodes (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB    NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;`

class SqliteNodes implements NodeStore {
  /** The last node put at each level: the left sibling the next append at that level needs. */
  private readonly frontier = new Map<number, { index: number; hash: Buffer }>()
  private statements:
    | {
        leaf: Database.Statement<[number], Buffer>
        node: Database.Statement<[number, number], Buffer>
        put: Database.Statement<[number, number, Buffer]>
      }
    | undefined

  constructor(private readonly db: Database.Database) {}

  private prepared() {
    this.statements ??= {
      leaf: this.db.prepare<[number], Buffer>('SELECT leaf_hash FROM events WHERE position = ?').pluck(),
      node: this.db.prepare<[number, number], Buffer>('SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?').pluck(),
      put: this.db.prepare<[number, number, Buffer]>('INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)'),
    }
    return this.statements
  }

  get(level: number, index: number): Buffer {
    const last = this.frontier.get(level)
    if (last?.index === index) return last.hash
    const hash = level === 0 ? this.prepared().leaf.get(index) : this.prepared().node.get(level, index)
    if (hash === undefined) throw new RangeError(`internal: no Merkle node at level ${level}, index ${index}`)
    return hash
  }

  put(level: number, index: number, hash: Uint8Array): void {
    const copy = Buffer.from(hash)
    // leaves are the events' own leaf hashes, stored with the events
    if (level > 0) this.prepared().put.run(level, index, copy)
    this.frontier.set(level, { index, hash: copy })
  }
}

export const TREE_READ_MODEL = 'merkle'

export class PersistedTree implements LocalReadModel {
  readonly name = TREE_READ_MODEL
  readonly version = 1
  readonly schema = { tables: ['merkle_nodes'], ddl }
  private current: MerkleTree

  constructor(private readonly db: Database.Database, size = 0) {
    this.current = new MerkleTree(new SqliteNodes(db), size)
  }

  /** The tree over every folded event. */
  get tree(): MerkleTree {
    return this.current
  }

  fold(events: readonly LoggedEvent[]): void {
    for (const event of events) {
      if (event.position !== this.current.size) {
        throw new Error(`internal: the Merkle tree holds ${this.current.size} leaves, not position ${event.position}`)
      }
      this.current.append(event.leafHash)
    }
  }

  /** Forgets what was folded in memory (after a rollback, say) and takes the stored size. */
  reload(size: number): void {
    this.current = new MerkleTree(new SqliteNodes(this.db), size)
  }
}
