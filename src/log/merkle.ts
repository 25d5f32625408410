/**
 * The RFC 6962 / RFC 9162 §2.1 Merkle tree over the log's leaf hashes, kept incrementally.
 *
 * Every complete, aligned subtree (2^k leaves starting at a multiple of 2^k) is hashed once, when its
 * last leaf arrives, and kept. Any other range the RFC's recursion asks for is a complete left part
 * plus a shorter right remainder, so a root or a proof for any prefix costs O(log n) lookups and at
 * most O(log^2 n) hash operations, and an append costs one hash amortised. The hashes live in a
 * NodeStore: in memory for offline checks, or persisted beside the log so no start rebuilds the tree.
 */
import * as crypto from 'node:crypto'

export const HASH_SIZE = 32

// crypto.hash (Node >= 20.12) is a one-shot digest, nearly twice as fast as createHash for 65 bytes.
const sha256: (data: Uint8Array) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest()

/** SHA-256 of the empty string: the root of the empty tree. */
export const EMPTY_ROOT: Buffer = sha256(new Uint8Array(0))

/** 0x01 || left || right, filled in place: hashing is synchronous, so one buffer serves every call. */
const scratch = Buffer.alloc(1 + 2 * HASH_SIZE)
scratch[0] = 1

/** RFC 6962 interior node: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  checkHash('left', left)
  checkHash('right', right)
  scratch.set(left, 1)
  scratch.set(right, 1 + HASH_SIZE)
  return sha256(scratch)
}

const SLOTS_PER_CHUNK = 1 << 14

/**
 * Where a tree keeps its hashes: `level` 0 is the leaves, level k the complete, aligned subtrees of 2^k
 * leaves, each numbered from 0 within its level. A store only ever appends to a level.
 */
export interface NodeStore {
  /** The hash at (level, index); it must have been put (or, for leaves, stored) before. */
  get(level: number, index: number): Buffer
  put(level: number, index: number, hash: Uint8Array): void
}

/** An append-only array of 32-byte hashes in 512 KiB chunks. */
class HashArray {
  private readonly chunks: Buffer[] = []
  length = 0

  push(hash: Uint8Array): void {
    const slot = this.length % SLOTS_PER_CHUNK
    if (slot === 0) this.chunks.push(Buffer.allocUnsafe(SLOTS_PER_CHUNK * HASH_SIZE))
    const chunk = this.chunks[this.chunks.length - 1] as Buffer
    chunk.set(hash, slot * HASH_SIZE)
    this.length += 1
  }

  /** A view into the chunk, not a copy: callers inside this module only read it. */
  at(index: number): Buffer {
    const chunk = this.chunks[Math.floor(index / SLOTS_PER_CHUNK)]
    if (chunk === undefined || index >= this.length) {
      throw new RangeError(`internal: hash slot ${index} is not filled`)
    }
    const offset = (index % SLOTS_PER_CHUNK) * HASH_SIZE
    return chunk.subarray(offset, offset + HASH_SIZE)
  }
}

/** Every level in memory: about 64 bytes a leaf in all. For offline checks and tests. */
export class MemoryNodes implements NodeStore {
  private readonly levels: HashArray[] = []

  get(level: number, index: number): Buffer {
    const hashes = this.levels[level]
    if (hashes === undefined) throw new RangeError(`internal: hash slot ${index} is not filled`)
    return hashes.at(index)
  }

  put(level: number, index: number, hash: Uint8Array): void {
    const hashes = this.levels[level] ?? new HashArray()
    this.levels[level] = hashes
    if (index !== hashes.length) throw new RangeError(`internal: level ${level} is at ${hashes.length}, not ${index}`)
    hashes.push(hash)
  }
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.floor(Math.log2(n)) === n
}

/** The largest power of two strictly smaller than n (n >= 2): the RFC's k. */
function splitPoint(n: number): number {
  let k = 2 ** Math.floor(Math.log2(n))
  // Math.log2 may round up just below a power of two; correct it either way.
  while (k >= n) k /= 2
  while (k * 2 < n) k *= 2
  return k
}

function checkSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`)
  }
}

function checkHash(name: string, hash: Uint8Array): void {
  if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
    throw new RangeError(`${name} must be ${HASH_SIZE} bytes`)
  }
}

export class MerkleTree {
  private leaves: number

  /** A tree over `nodes`, which already hold `size` leaves and every subtree they complete. */
  constructor(
    private readonly nodes: NodeStore = new MemoryNodes(),
    size = 0,
  ) {
    checkSize('size', size)
    this.leaves = size
  }

  get size(): number {
    return this.leaves
  }

  append(leafHash: Uint8Array): void {
    checkHash('a leaf hash', leafHash)
    let level = 0
    let index = this.leaves
    this.nodes.put(0, index, leafHash)
    this.leaves += 1
    // A right child completes its parent's subtree.
    let right: Uint8Array = leafHash
    while (index % 2 === 1) {
      scratch.set(this.nodes.get(level, index - 1), 1)
      scratch.set(right, 1 + HASH_SIZE)
      const parent = sha256(scratch)
      index = (index - 1) / 2
      level += 1
      this.nodes.put(level, index, parent)
      right = parent
    }
  }

  /** The stored leaf hash at `index` (a copy). */
  leafHash(index: number): Buffer {
    checkSize('leafIndex', index)
    if (index >= this.size) {
      throw new RangeError(`leaf index ${index} is beyond the tree (size ${this.size})`)
    }
    return Buffer.from(this.nodes.get(0, index))
  }

  /** The root hash of the first `size` leaves (MTH of D[0:size]). */
  root(size: number = this.size): Buffer {
    this.checkTreeSize('size', size)
    if (size === 0) return Buffer.from(EMPTY_ROOT)
    return Buffer.from(this.rangeHash(0, size))
  }

  /** RFC 9162 §2.1.3.1: the audit path of leaf `leafIndex` in the tree of the first `treeSize` leaves. */
  inclusionProof(leafIndex: number, treeSize: number): Buffer[] {
    this.checkTreeSize('treeSize', treeSize)
    checkSize('leafIndex', leafIndex)
    if (leafIndex >= treeSize) {
      throw new RangeError(`leaf index ${leafIndex} is not in a tree of size ${treeSize}`)
    }
    // PATH(m, D[start:end]) = PATH(...) : sibling, so siblings are collected top-down and reversed.
    const siblings: Buffer[] = []
    let start = 0
    let end = treeSize
    let m = leafIndex
    while (end - start > 1) {
      const k = splitPoint(end - start)
      if (m < k) {
        siblings.push(Buffer.from(this.rangeHash(start + k, end)))
        end = start + k
      } else {
        siblings.push(Buffer.from(this.rangeHash(start, start + k)))
        start += k
        m -= k
      }
    }
    return siblings.reverse()
  }

  /** RFC 9162 §2.1.4.1: proof that the tree of size `first` is a prefix of the tree of size `second`. */
  consistencyProof(first: number, second: number): Buffer[] {
    this.checkTreeSize('second', second)
    checkSize('first', first)
    if (first < 1) throw new RangeError(`first must be at least 1, got ${first}`)
    if (first > second) throw new RangeError(`first (${first}) must not exceed second (${second})`)
    // SUBPROOF(m, D[start:end], b), unrolled; the recursion's own result comes before what a level adds.
    const added: Buffer[] = []
    let start = 0
    let end = second
    let m = first
    let wholeFirstTree = true
    while (m !== end - start) {
      const k = splitPoint(end - start)
      if (m <= k) {
        added.push(Buffer.from(this.rangeHash(start + k, end)))
        end = start + k
      } else {
        added.push(Buffer.from(this.rangeHash(start, start + k)))
        start += k
        m -= k
        wholeFirstTree = false
      }
    }
    if (!wholeFirstTree) added.push(Buffer.from(this.rangeHash(start, end)))
    return added.reverse()
  }

  private checkTreeSize(name: string, size: number): void {
    checkSize(name, size)
    if (size > this.size) {
      throw new RangeError(`${name} ${size} is beyond the tree (size ${this.size})`)
    }
  }

  /**
   * MTH(D[start:end]) for a range the RFC's recursion produces: `start` is a multiple of a power of
   * two no smaller than the range, so its left part is always a complete, aligned, cached subtree.
   */
  private rangeHash(start: number, end: number): Buffer {
    const width = end - start
    if (isPowerOfTwo(width) && start % width === 0) {
      return this.nodes.get(Math.log2(width), start / width)
    }
    const k = splitPoint(width)
    return nodeHash(this.rangeHash(start, start + k), this.rangeHash(start + k, end))
  }
}

/** The root of a log given all its leaf hashes: what an auditor computes from an export. */
export function rootFromLeafHashes(hashes: Iterable<Uint8Array>): Buffer {
  const tree = new MerkleTree()
  for (const hash of hashes) tree.append(hash)
  return tree.root()
}

function isHashList(proof: readonly Uint8Array[]): boolean {
  return (
    Array.isArray(proof) && proof.every((p) => p instanceof Uint8Array && p.length === HASH_SIZE)
  )
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === HASH_SIZE && b.length === HASH_SIZE && Buffer.from(a).equals(b)
}

const isOdd = (n: number): boolean => n % 2 === 1
const half = (n: number): number => Math.floor(n / 2)

/**
 * RFC 9162 §2.1.3.2. Returns false for anything that does not verify, including an index outside
 * the tree and hashes of the wrong length; throws only when a size is not a non-negative integer.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  checkSize('leafIndex', leafIndex)
  checkSize('treeSize', treeSize)
  if (leafIndex >= treeSize || !isHashList(proof) || leafHash.length !== HASH_SIZE) return false
  let fn = leafIndex
  let sn = treeSize - 1
  let r: Uint8Array = leafHash
  for (const p of proof) {
    if (sn === 0) return false
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r)
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn)
        sn = half(sn)
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = half(fn)
    sn = half(sn)
  }
  return sn === 0 && sameHash(r, root)
}

/**
 * RFC 9162 §2.1.4.2. The empty tree is consistent with every tree (empty proof, and `firstRoot` the
 * empty root); equal sizes need an empty proof and equal roots; first > second never verifies.
 */
export function verifyConsistency(
  first: number,
  second: number,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): boolean {
  checkSize('first', first)
  checkSize('second', second)
  if (first > second || !isHashList(proof)) return false
  if (first === 0) return proof.length === 0 && sameHash(firstRoot, EMPTY_ROOT)
  if (first === second) return proof.length === 0 && sameHash(firstRoot, secondRoot)
  if (proof.length === 0) return false
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof]
  let fn = first - 1
  let sn = second - 1
  while (isOdd(fn)) {
    fn = half(fn)
    sn = half(sn)
  }
  let fr = path[0] as Uint8Array
  let sr = fr
  for (const c of path.slice(1)) {
    if (sn === 0) return false
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn)
        sn = half(sn)
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = half(fn)
    sn = half(sn)
  }
  return sn === 0 && sameHash(fr, firstRoot) && sameHash(sr, secondRoot)
}
