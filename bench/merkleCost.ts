/**
 * The verifiable log's cost at a given size, in process: building the tree, a root, inclusion and
 * consistency proofs and their verification, each also in units of one RFC 6962 node hash (the cheapest
 * thing a tree can do), and the root against recomputing it from all leaves, as an auditor's script does.
 */
import { createHash } from 'node:crypto'
import { MerkleTree, nodeHash, verifyConsistency, verifyInclusion } from '../src/log/merkle.js'
import { Random } from './dataset.js'

export interface MerkleCost {
  size: number
  /** Appending every leaf hash: the whole tree built. */
  buildSeconds: number
  appendMicros: number
  nodeHashMicros: number
  rootMicros: number
  inclusionProofMicros: number
  inclusionVerifyMicros: number
  consistencyProofMicros: number
  consistencyVerifyMicros: number
  /** Recomputing the root from every leaf (RFC 6962 MTH, recursively): the naive baseline. */
  naiveRootSeconds: number
  inclusionProofLength: number
  consistencyProofLength: number
}

function timed(iterations: number, body: (i: number) => void): number {
  const started = performance.now()
  for (let i = 0; i < iterations; i += 1) body(i)
  return ((performance.now() - started) * 1000) / iterations
}

/** MTH(D[n]) straight from RFC 6962 §2.1, written independently of src/log/merkle.ts. */
function naiveRoot(leaves: Buffer[], from: number, to: number): Buffer {
  const n = to - from
  if (n === 1) return leaves[from]!
  let k = 1
  while (k * 2 < n) k *= 2
  return createHash('sha256').update(Buffer.of(1)).update(naiveRoot(leaves, from, from + k)).update(naiveRoot(leaves, from + k, to)).digest()
}

export function merkleCost(size: number, samples = 2_000): MerkleCost {
  const random = new Random(6962)
  const leaves: Buffer[] = new Array<Buffer>(size)
  const counter = Buffer.alloc(8)
  for (let i = 0; i < size; i += 1) {
    counter.writeBigUInt64BE(BigInt(i))
    leaves[i] = createHash('sha256').update(Buffer.of(0)).update(counter).digest()
  }
  const tree = new MerkleTree()
  const buildStarted = performance.now()
  for (const leaf of leaves) tree.append(leaf)
  const buildSeconds = (performance.now() - buildStarted) / 1000

  const a = leaves[1]!
  const b = leaves[2]!
  timed(10_000, () => nodeHash(a, b))
  const nodeHashMicros = timed(100_000, () => nodeHash(a, b))

  const sizes = Array.from({ length: samples }, () => random.between(Math.floor(size / 2), size))
  timed(100, (i) => tree.root(sizes[i]!))
  const rootMicros = timed(samples, (i) => tree.root(sizes[i]!))
  const root = tree.root(size)

  const indexes = Array.from({ length: samples }, () => random.int(size))
  const proofs = indexes.map((index) => tree.inclusionProof(index, size))
  const inclusionProofMicros = timed(samples, (i) => tree.inclusionProof(indexes[i]!, size))
  const inclusionVerifyMicros = timed(samples, (i) => {
    if (!verifyInclusion(leaves[indexes[i]!]!, indexes[i]!, size, proofs[i]!, root)) throw new Error('inclusion proof does not verify')
  })

  const firsts = Array.from({ length: samples }, () => random.between(1, size - 1))
  const firstRoots = firsts.map((first) => tree.root(first))
  const consistency = firsts.map((first) => tree.consistencyProof(first, size))
  const consistencyProofMicros = timed(samples, (i) => tree.consistencyProof(firsts[i]!, size))
  const consistencyVerifyMicros = timed(samples, (i) => {
    if (!verifyConsistency(firsts[i]!, size, consistency[i]!, firstRoots[i]!, root)) throw new Error('consistency proof does not verify')
  })

  const naiveStarted = performance.now()
  const naive = naiveRoot(leaves, 0, size)
  const naiveRootSeconds = (performance.now() - naiveStarted) / 1000
  if (!naive.equals(root)) throw new Error('the incremental root differs from the naive one')

  return {
    size,
    buildSeconds,
    appendMicros: (buildSeconds * 1e6) / size,
    nodeHashMicros,
    rootMicros,
    inclusionProofMicros,
    inclusionVerifyMicros,
    consistencyProofMicros,
    consistencyVerifyMicros,
    naiveRootSeconds,
    inclusionProofLength: proofs.reduce((sum, proof) => sum + proof.length, 0) / samples,
    consistencyProofLength: consistency.reduce((sum, proof) => sum + proof.length, 0) / samples,
  }
}
