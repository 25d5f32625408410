/**
 * The checks an auditor and `policy-ledger verify` both make, on nothing but entry lines and signed
 * checkpoints: positions contiguous from 0, every stored leaf hash equal to the entry's, and every
 * checkpoint signed by the log's key over a root the entries reproduce. No store here: callers feed
 * rows from wherever they read them.
 */
import {
  InvalidCheckpoint,
  verifyCheckpoint,
  type Checkpoint,
  type InvalidCheckpointReason,
  type VerifierKey,
} from './checkpoint.js'
import { leafHash } from './entry.js'
import { MerkleTree } from './merkle.js'

/** One log entry as stored or exported. `id` and `leafHash` are checked when given. */
export interface LogRow {
  position: number
  id?: string
  /** The exact bytes of the entry line (canonical JSON, without the newline). */
  entry: string
  leafHash?: Uint8Array
}

export type EntryProblemKind =
  /** A position is absent: rows were deleted, or the log was cut. */
  | 'missing_position'
  /** A position came again or out of order. */
  | 'unexpected_position'
  /** The stored leaf hash is not the hash of the stored entry: one of them was altered. */
  | 'leaf_hash_mismatch'
  /** The row's event id is not the id inside its entry. */
  | 'id_mismatch'

export interface EntryProblem {
  kind: EntryProblemKind
  /** The first position at fault. */
  position: number
  /** The event id at that position, when known. */
  id?: string
  message: string
}

export type VerifyEntriesResult =
  { ok: true; size: number; root: Buffer; tree: MerkleTree } | { ok: false; problem: EntryProblem }

/** The id inside an entry line, or undefined when the line is not a JSON object with a string id. */
function idInEntry(entry: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(entry)
    if (typeof parsed !== 'object' || parsed === null) return undefined
    const id = (parsed as { id?: unknown }).id
    return typeof id === 'string' ? id : undefined
  } catch {
    return undefined
  }
}

const describe = (id: string | undefined): string => (id === undefined ? '' : `, event ${id}`)

/**
 * Checks rows one at a time, in the order read, building the tree as it goes; for callers that read
 * rows asynchronously or in pages. `check` returns the first problem, after which the checker stops.
 */
export class EntryChecker {
  readonly tree = new MerkleTree()
  private problem: EntryProblem | undefined

  check(row: LogRow): EntryProblem | undefined {
    if (this.problem !== undefined) return this.problem
    const hash = leafHash(row.entry)
    this.problem = this.find(row, hash)
    if (this.problem === undefined) this.tree.append(hash)
    return this.problem
  }

  result(): VerifyEntriesResult {
    if (this.problem !== undefined) return { ok: false, problem: this.problem }
    return { ok: true, size: this.tree.size, root: this.tree.root(), tree: this.tree }
  }

  private find(row: LogRow, recomputed: Buffer): EntryProblem | undefined {
    const expected = this.tree.size
    const { position } = row
    if (position !== expected) {
      const found = `found position ${position}${describe(row.id ?? idInEntry(row.entry))}`
      if (Number.isSafeInteger(position) && position > expected) {
        const missing = position - expected === 1 ? '' : ` (and ${position - expected - 1} more)`
        return {
          kind: 'missing_position',
          position: expected,
          message: `position ${expected} is missing${missing}: after ${expected} entries, ${found}`,
        }
      }
      return {
        kind: 'unexpected_position',
        position: expected,
        message: `expected position ${expected}, ${found}`,
      }
    }
    if (row.leafHash !== undefined) {
      if (!recomputed.equals(row.leafHash)) {
        const id = row.id ?? idInEntry(row.entry)
        return {
          kind: 'leaf_hash_mismatch',
          position,
          ...(id === undefined ? {} : { id }),
          message:
            `the entry at position ${position}${describe(id)} does not match its stored leaf hash ` +
            `(stored ${Buffer.from(row.leafHash).toString('hex')}, entry hashes to ${recomputed.toString('hex')})`,
        }
      }
    }
    if (row.id !== undefined) {
      const inEntry = idInEntry(row.entry)
      if (inEntry !== row.id) {
        return {
          kind: 'id_mismatch',
          position,
          id: row.id,
          message:
            `the row at position ${position} is event ${row.id}, but its entry ` +
            (inEntry === undefined ? 'has no id' : `is event ${inEntry}`),
        }
      }
    }
    return undefined
  }
}

/** Checks every row (see EntryChecker) and returns the size and root, or the first problem. */
export function verifyEntries(rows: Iterable<LogRow>): VerifyEntriesResult {
  const checker = new EntryChecker()
  for (const row of rows) if (checker.check(row) !== undefined) break
  return checker.result()
}

/** verifyEntries for rows read asynchronously (a store's pages, a file's lines). */
export async function verifyEntriesAsync(
  rows: AsyncIterable<LogRow> | Iterable<LogRow>,
): Promise<VerifyEntriesResult> {
  const checker = new EntryChecker()
  for await (const row of rows) if (checker.check(row) !== undefined) break
  return checker.result()
}

export type CheckpointProblemKind =
  /** Not a valid signed checkpoint by the key: `reason` says why. */
  | 'invalid_checkpoint'
  /** It commits to more entries than the log holds: entries were removed from the end. */
  | 'checkpoint_beyond_log'
  /** The entries up to its size do not reproduce its root. */
  | 'root_mismatch'

export interface CheckpointProblem {
  kind: CheckpointProblemKind
  message: string
  /** For checkpoint_beyond_log: the first missing position. */
  position?: number
  /** The checkpoint's size, when it could be read. */
  treeSize?: number
  /** For invalid_checkpoint. */
  reason?: InvalidCheckpointReason
}

export type CheckCheckpointResult =
  { ok: true; checkpoint: Checkpoint } | { ok: false; problem: CheckpointProblem }

/** Verifies a checkpoint's signature by `vkey`, then that `tree` has its size and reproduces its root. */
export function checkCheckpointAgainst(
  tree: MerkleTree,
  note: string,
  vkey: string | VerifierKey,
): CheckCheckpointResult {
  let checkpoint: Checkpoint
  try {
    checkpoint = verifyCheckpoint(note, vkey)
  } catch (error) {
    if (!(error instanceof InvalidCheckpoint)) throw error
    return {
      ok: false,
      problem: { kind: 'invalid_checkpoint', reason: error.reason, message: error.message },
    }
  }
  const { treeSize, rootHash } = checkpoint
  if (treeSize > tree.size) {
    return {
      ok: false,
      problem: {
        kind: 'checkpoint_beyond_log',
        position: tree.size,
        treeSize,
        message:
          `a checkpoint of size ${treeSize} is larger than the log (${tree.size} entries): ` +
          `position ${tree.size} is the first missing`,
      },
    }
  }
  const root = tree.root(treeSize)
  if (!root.equals(rootHash)) {
    return {
      ok: false,
      problem: {
        kind: 'root_mismatch',
        treeSize,
        message:
          `the entries up to size ${treeSize} hash to ${root.toString('hex')}, ` +
          `but the checkpoint of that size says ${rootHash.toString('hex')}`,
      },
    }
  }
  return { ok: true, checkpoint }
}
