import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { signCheckpoint, verifierKey } from '../../src/log/checkpoint.js'
import { entryOf, leafHash } from '../../src/log/entry.js'
import { EMPTY_ROOT, MerkleTree, rootFromLeafHashes } from '../../src/log/merkle.js'
import {
  EntryChecker,
  checkCheckpointAgainst,
  verifyEntries,
  verifyEntriesAsync,
  type LogRow,
} from '../../src/log/verifyLog.js'

const origin = 'policy-ledger'
const { privateKey, publicKey } = generateKeyPairSync('ed25519')
const vkey = verifierKey(origin, publicKey)

function makeRows(n: number): LogRow[] {
  return Array.from({ length: n }, (_, position) => {
    const id = `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`
    const entry = entryOf({
      id,
      stream: `jurisdiction-${position % 3}`,
      type: 'ClaimRecorded',
      data: { position, quote: `quote number ${position}` },
      metadata: { recordedBy: 'test' },
    })
    return { position, id, entry, leafHash: leafHash(entry) }
  })
}

const rows = makeRows(10)
const fullTree = new MerkleTree()
for (const row of rows) fullTree.append(row.leafHash as Buffer)
const checkpointAt = (size: number) =>
  signCheckpoint({ origin, treeSize: size, rootHash: fullTree.root(size) }, privateKey)

/** The same row with one character of its entry changed (so its stored leaf hash no longer fits). */
function flipOneByte(row: LogRow): LogRow {
  const at = row.entry.indexOf('quote number') + 1
  const entry = `${row.entry.slice(0, at)}Q${row.entry.slice(at + 1)}`
  return { ...row, entry }
}

t.test('an intact log: size, root, and every checkpoint verifies', async (t) => {
  const result = verifyEntries(rows)
  t.ok(result.ok)
  if (!result.ok) return
  t.equal(result.size, 10)
  t.same(result.root, rootFromLeafHashes(rows.map((r) => leafHash(r.entry))))
  t.same(result.root, fullTree.root())
  for (const size of [0, 1, 5, 10]) {
    const check = checkCheckpointAgainst(result.tree, checkpointAt(size), vkey)
    t.same(check, {
      ok: true,
      checkpoint: { origin, treeSize: size, rootHash: fullTree.root(size) },
    })
  }
  const empty = verifyEntries([])
  t.same(empty.ok && { size: empty.size, root: empty.root }, { size: 0, root: EMPTY_ROOT })
  t.ok(verifyEntries(rows.map(({ position, entry }) => ({ position, entry }))).ok, 'bare lines')
})

t.test('a flipped byte in an entry is named by position and id', async (t) => {
  const tampered = rows.map((row) => (row.position === 4 ? flipOneByte(row) : row))
  const result = verifyEntries(tampered)
  t.same(result.ok, false)
  if (result.ok) return
  t.equal(result.problem.kind, 'leaf_hash_mismatch')
  t.equal(result.problem.position, 4)
  t.equal(result.problem.id, rows[4]?.id)
  t.match(
    result.problem.message,
    /^the entry at position 4, event 00000000-0000-4000-8000-000000000004 does not match its stored leaf hash/,
  )

  // Without the row's id column, the id is read from the entry itself.
  const withoutIds = tampered.map(({ position, entry, leafHash }) => ({
    position,
    entry,
    leafHash,
  }))
  const again = verifyEntries(withoutIds)
  t.equal(!again.ok && again.problem.id, rows[4]?.id)

  // An export without leaf hashes reproduces another root: the checkpoint catches it.
  const exported = verifyEntries(tampered.map(({ position, entry }) => ({ position, entry })))
  t.ok(exported.ok)
  if (!exported.ok) return
  const check = checkCheckpointAgainst(exported.tree, checkpointAt(10), vkey)
  t.equal(!check.ok && check.problem.kind, 'root_mismatch')
  t.match(
    !check.ok && check.problem.message,
    /entries up to size 10 hash to [0-9a-f]{64}, but the checkpoint of that size says/,
  )
  t.ok(
    checkCheckpointAgainst(exported.tree, checkpointAt(4), vkey).ok,
    'the prefix before it is fine',
  )

  // So does rewriting the stored leaf hash along with the entry.
  const rehashed = tampered.map((row) => ({ ...row, leafHash: leafHash(row.entry) }))
  const rewritten = verifyEntries(rehashed)
  t.ok(rewritten.ok)
  if (rewritten.ok) t.notOk(checkCheckpointAgainst(rewritten.tree, checkpointAt(5), vkey).ok)
})

t.test('a deleted row in the middle is named by its position', async (t) => {
  const result = verifyEntries(rows.filter((row) => row.position !== 5))
  t.notOk(result.ok)
  if (result.ok) return
  t.equal(result.problem.kind, 'missing_position')
  t.equal(result.problem.position, 5)
  t.equal(
    result.problem.message,
    'position 5 is missing: after 5 entries, found position 6, event 00000000-0000-4000-8000-000000000006',
  )
  const gap = verifyEntries(rows.filter((row) => row.position < 3 || row.position > 6))
  t.match(!gap.ok && gap.problem.message, /^position 3 is missing \(and 3 more\)/)
  const noStart = verifyEntries(rows.slice(1))
  t.equal(!noStart.ok && noStart.problem.position, 0, 'a log must start at position 0')
})

t.test('rows deleted at the end are named against a checkpoint', async (t) => {
  const result = verifyEntries(rows.slice(0, 7))
  t.ok(result.ok, 'the remaining rows are consistent among themselves')
  if (!result.ok) return
  const check = checkCheckpointAgainst(result.tree, checkpointAt(10), vkey)
  t.same(check, {
    ok: false,
    problem: {
      kind: 'checkpoint_beyond_log',
      position: 7,
      treeSize: 10,
      message:
        'a checkpoint of size 10 is larger than the log (7 entries): position 7 is the first missing',
    },
  })
  t.ok(checkCheckpointAgainst(result.tree, checkpointAt(7), vkey).ok)
})

t.test('repeated positions and mismatched ids', async (t) => {
  const repeated = verifyEntries([...rows.slice(0, 4), rows[3] as LogRow, ...rows.slice(4)])
  t.same(!repeated.ok && [repeated.problem.kind, repeated.problem.position], [
    'unexpected_position',
    4,
  ])
  t.match(!repeated.ok && repeated.problem.message, /expected position 4, found position 3, event/)
  const swapped = rows.map((row) => (row.position === 2 ? { ...row, id: rows[3]?.id } : row))
  const result = verifyEntries(swapped)
  t.same(!result.ok && result.problem, {
    kind: 'id_mismatch',
    position: 2,
    id: rows[3]?.id,
    message: `the row at position 2 is event ${rows[3]?.id}, but its entry is event ${rows[2]?.id}`,
  })
})

t.test('checkpoints that are not validly signed', async (t) => {
  const tree = verifyEntries(rows)
  if (!tree.ok) throw new Error('unreachable')
  const note = checkpointAt(10)
  const forged = checkCheckpointAgainst(tree.tree, note.replace('\n10\n', '\n9\n'), vkey)
  t.same(!forged.ok && [forged.problem.kind, forged.problem.reason], [
    'invalid_checkpoint',
    'bad_signature',
  ])
  const other = verifierKey(origin, generateKeyPairSync('ed25519').publicKey)
  const wrongKey = checkCheckpointAgainst(tree.tree, note, other)
  t.same(!wrongKey.ok && wrongKey.problem.reason, 'wrong_key_hash')
  const garbage = checkCheckpointAgainst(tree.tree, 'not a note', vkey)
  t.same(!garbage.ok && garbage.problem.reason, 'malformed_note')
})

t.test('rows read asynchronously, and checked one by one', async (t) => {
  async function* pages() {
    for (let i = 0; i < rows.length; i += 3) {
      await new Promise((resolve) => setImmediate(resolve))
      yield* rows.slice(i, i + 3)
    }
  }
  const result = await verifyEntriesAsync(pages())
  t.same(result.ok && result.root, fullTree.root())
  const checker = new EntryChecker()
  t.equal(checker.check(rows[0] as LogRow), undefined)
  const problem = checker.check(rows[2] as LogRow)
  t.equal(problem?.kind, 'missing_position')
  t.equal(checker.check(rows[1] as LogRow), problem, 'stops at the first problem')
  t.equal(checker.tree.size, 1)
})
