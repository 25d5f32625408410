import { createHash } from 'node:crypto'
import t from 'tap'
import { leafHash } from '../../src/log/entry.js'
import {
  EMPTY_ROOT,
  MerkleTree,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from '../../src/log/merkle.js'

// ---- RFC 6962 §2.1, written out as the RFC states it (no caching, no cleverness) ------------------

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256')
  for (const part of parts) h.update(part)
  return h.digest()
}
const node = (left: Buffer, right: Buffer): Buffer => sha256(Buffer.of(1), left, right)

/** The largest power of two smaller than n. */
function k(n: number): number {
  let p = 1
  while (p * 2 < n) p *= 2
  return p
}

/** MTH(D[n]) over leaf hashes. */
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha256()
  if (d.length === 1) return d[0] as Buffer
  const split = k(d.length)
  return node(mth(d.slice(0, split)), mth(d.slice(split)))
}

/** PATH(m, D[n]). */
function path(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return []
  const split = k(d.length)
  if (m < split) return [...path(m, d.slice(0, split)), mth(d.slice(split))]
  return [...path(m - split, d.slice(split)), mth(d.slice(0, split))]
}

/** SUBPROOF(m, D[n], b). */
function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)]
  const split = k(d.length)
  if (m <= split) return [...subproof(m, d.slice(0, split), b), mth(d.slice(split))]
  return [...subproof(m - split, d.slice(split), false), mth(d.slice(0, split))]
}

/** PROOF(m, D[n]). */
const proof = (m: number, d: Buffer[]): Buffer[] => subproof(m, d, true)

// ---- helpers ------------------------------------------------------------------------------------

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const hexes = (bs: Uint8Array[]): string[] => bs.map(hex)
const fromHex = (s: string): Buffer => Buffer.from(s, 'hex')

function flipped(hashes: Buffer[], index: number): Buffer[] {
  return hashes.map((h, i) => {
    if (i !== index) return h
    const copy = Buffer.from(h)
    copy[0] = (copy[0] as number) ^ 0x08
    return copy
  })
}

/** Small deterministic PRNG so that sampled cases are the same on every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

const MAX = 300
const leaves = Array.from({ length: MAX }, (_, i) => leafHash(`entry ${i}`))
const big = new MerkleTree()
for (const h of leaves) big.append(h)

// ---- published vectors --------------------------------------------------------------------------

// transparency-dev/merkle testonly/constants.go and proof/verify_test.go (the RFC 6962 vectors that
// Google's certificate-transparency code has used since its C++ days). Note: the first leaf input is
// the empty string, so leaf 0's hash is SHA-256(0x00).
const vectorInputs = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(fromHex)
const vectorLeafHashes = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
  '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
  'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
  '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
]
const vectorRoots = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
]
// { leafIndex (0-based), treeSize, proof }
const vectorInclusion: [number, number, string[]][] = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [0, 1, []],
]
const vectorConsistency: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
]

t.test('published RFC 6962 vectors (transparency-dev/merkle)', async (t) => {
  const hashes = vectorInputs.map((input) => leafHash(input))
  t.same(hexes(hashes), vectorLeafHashes, 'leaf hashes')
  const tree = new MerkleTree()
  t.equal(hex(tree.root()), vectorRoots[0], 'the empty tree')
  t.equal(hex(EMPTY_ROOT), vectorRoots[0])
  for (const h of hashes) tree.append(h)
  for (let size = 0; size <= 8; size++) {
    t.equal(hex(tree.root(size)), vectorRoots[size], `root at size ${size}`)
    t.equal(hex(mth(hashes.slice(0, size))), vectorRoots[size], `naive root at size ${size}`)
  }
  for (const [index, size, expected] of vectorInclusion) {
    t.same(hexes(tree.inclusionProof(index, size)), expected, `inclusion ${index} in ${size}`)
    t.same(
      hexes(path(index, hashes.slice(0, size))),
      expected,
      `naive inclusion ${index} in ${size}`,
    )
    const root = fromHex(vectorRoots[size] as string)
    t.ok(verifyInclusion(hashes[index] as Buffer, index, size, expected.map(fromHex), root))
  }
  for (const [first, second, expected] of vectorConsistency) {
    t.same(hexes(tree.consistencyProof(first, second)), expected, `consistency ${first} ${second}`)
    t.same(hexes(proof(first, hashes.slice(0, second))), expected, `naive ${first} ${second}`)
    const roots = [first, second].map((s) => fromHex(vectorRoots[s] as string)) as [Buffer, Buffer]
    t.ok(verifyConsistency(first, second, expected.map(fromHex), ...roots))
  }
})

t.test('draft-ietf-plants-merkle-tree-certs accumulated subtree vectors', async (t) => {
  // transparency-dev/merkle testonly/vectors_test.go: leaves d[i] = byte i, every subtree [start, end)
  // with end <= 130 that is valid (start 0, or a multiple of bit_ceil(end - start)), each written as
  // a line into one rolling SHA-256. Checks the naive definitions the rest of this file trusts.
  const d = Array.from({ length: 130 }, (_, i) => leafHash(Buffer.of(i)))
  const bitCeil = (n: number): number => {
    let p = 1
    while (p < n) p *= 2
    return p
  }
  const valid = (start: number, end: number): boolean =>
    start === 0 || start % bitCeil(end - start) === 0
  const hashes = createHash('sha256')
  const inclusions = createHash('sha256')
  for (let end = 1; end <= 130; end++) {
    for (let start = 0; start < end; start++) {
      if (!valid(start, end)) continue
      const sub = d.slice(start, end)
      hashes.update(`[${start}, ${end}) ${hex(mth(sub))}\n`)
      for (let index = start; index < end; index++) {
        const line = path(index - start, sub).map((h) => ` ${hex(h)}`)
        inclusions.update(`${index} [${start}, ${end})${line.join('')}\n`)
      }
    }
  }
  t.equal(
    hashes.digest('hex'),
    '94a95384a8c69acea9b50d035a58285b3a777cb7a724005faa5e1f1e1190007f',
    'subtree hashes',
  )
  t.equal(
    inclusions.digest('hex'),
    'ac2a8f989e44d99e399db448050ff5f19757df53cfb716aa81015d3955d8163f',
    'subtree inclusion proofs',
  )
})

t.test(
  `root of every prefix 0..${MAX} equals MTH, both as a prefix and as a whole tree`,
  async (t) => {
    const grown = new MerkleTree()
    let mismatches = 0
    for (let n = 0; n <= MAX; n++) {
      const expected = mth(leaves.slice(0, n))
      if (!big.root(n).equals(expected)) mismatches++
      if (!grown.root().equals(expected) || grown.size !== n) mismatches++
      if (!rootFromLeafHashes(leaves.slice(0, n)).equals(expected)) mismatches++
      if (n < MAX) grown.append(leaves[n] as Buffer)
    }
    t.equal(mismatches, 0)
    t.equal(big.size, MAX)
  },
)

t.test('inclusion proofs equal PATH and verify; tampered ones do not', async (t) => {
  const random = prng(1)
  let cases = 0
  const failures: string[] = []
  for (let n = 1; n <= MAX; n++) {
    const indices =
      n <= 64
        ? Array.from({ length: n }, (_, i) => i)
        : [
            0,
            n - 1,
            Math.floor(n / 2),
            ...Array.from({ length: 3 }, () => Math.floor(random() * n)),
          ]
    const root = big.root(n)
    for (const m of indices) {
      cases++
      const leaf = leaves[m] as Buffer
      const got = big.inclusionProof(m, n)
      const fail = (what: string) => failures.push(`m=${m} n=${n}: ${what}`)
      if (hexes(got).join() !== hexes(path(m, leaves.slice(0, n))).join()) fail('differs from PATH')
      if (!verifyInclusion(leaf, m, n, got, root)) fail('does not verify')
      for (let i = 0; i < got.length; i++) {
        if (verifyInclusion(leaf, m, n, flipped(got, i), root))
          fail(`verifies with proof[${i}] flipped`)
      }
      if (verifyInclusion(flipped([leaf], 0)[0] as Buffer, m, n, got, root)) fail('flipped leaf')
      if (verifyInclusion(leaf, m, n, got, flipped([root], 0)[0] as Buffer)) fail('flipped root')
      for (const wrong of [m - 1, m + 1, m ^ 2]) {
        if (wrong >= 0 && wrong !== m && verifyInclusion(leaf, wrong, n, got, root)) {
          fail(`verifies at index ${wrong}`)
        }
      }
      for (const wrong of [n * 2, Math.floor(n / 2)]) {
        if (wrong !== n && verifyInclusion(leaf, m, wrong, got, root))
          fail(`verifies at size ${wrong}`)
      }
      if (verifyInclusion(leaf, m, n, [...got, root], root)) fail('trailing hash')
      if (verifyInclusion(leaf, m, n, [root, ...got], root)) fail('leading hash')
      if (got.length > 0 && verifyInclusion(leaf, m, n, got.slice(0, -1), root)) fail('truncated')
    }
  }
  t.same(failures, [], `${cases} (index, size) cases`)
})

t.test('consistency proofs equal PROOF and verify; tampered ones do not', async (t) => {
  const random = prng(2)
  let cases = 0
  const failures: string[] = []
  const pairs: [number, number][] = []
  for (let second = 1; second <= MAX; second++) {
    if (second <= 64) {
      for (let first = 1; first <= second; first++) pairs.push([first, second])
    } else {
      const firsts = [1, second - 1, second, Math.floor(second / 2)]
      for (let i = 0; i < 3; i++) firsts.push(1 + Math.floor(random() * second))
      for (const first of firsts) pairs.push([first, second])
    }
  }
  for (const [first, second] of pairs) {
    cases++
    const fail = (what: string) => failures.push(`${first}..${second}: ${what}`)
    const got = big.consistencyProof(first, second)
    const r1 = big.root(first)
    const r2 = big.root(second)
    if (hexes(got).join() !== hexes(proof(first, leaves.slice(0, second))).join()) {
      fail('differs from PROOF')
    }
    if (!verifyConsistency(first, second, got, r1, r2)) fail('does not verify')
    if (first === second) continue
    for (let i = 0; i < got.length; i++) {
      if (verifyConsistency(first, second, flipped(got, i), r1, r2)) fail(`proof[${i}] flipped`)
    }
    if (verifyConsistency(first, second, got, flipped([r1], 0)[0] as Buffer, r2)) fail('first root')
    if (verifyConsistency(first, second, got, r1, flipped([r2], 0)[0] as Buffer))
      fail('second root')
    if (verifyConsistency(first, second, got, r2, r1)) fail('swapped roots')
    if (verifyConsistency(first, second, [], r1, r2)) fail('empty proof')
    if (verifyConsistency(first, second, got.slice(0, -1), r1, r2)) fail('truncated')
    if (verifyConsistency(first, second, [...got, r2], r1, r2)) fail('trailing hash')
    if (verifyConsistency(first, second, [r1, ...got], r1, r2)) fail('leading hash')
    for (const wrong of [first - 1, first + 1]) {
      if (wrong >= 1 && wrong !== first && verifyConsistency(wrong, second, got, r1, r2)) {
        fail(`verifies as first ${wrong}`)
      }
    }
    if (verifyConsistency(first, second * 2, got, r1, r2)) fail(`verifies as second ${second * 2}`)
  }
  t.same(failures, [], `${cases} (first, second) pairs`)
})

t.test('edge cases of the verifiers', async (t) => {
  const leaf = leaves[0] as Buffer
  t.ok(verifyInclusion(leaf, 0, 1, [], leaf), 'a one-leaf tree: the root is the leaf hash')
  t.notOk(verifyInclusion(leaf, 0, 0, [], EMPTY_ROOT), 'nothing is included in the empty tree')
  t.notOk(verifyInclusion(leaf, 1, 1, [], leaf), 'index == size')
  t.notOk(verifyInclusion(leaf, 0, 1, [], Buffer.alloc(0)), 'a root of the wrong length')
  t.notOk(verifyInclusion(leaf, 0, 2, [Buffer.alloc(31)], leaf), 'a proof hash of the wrong length')
  t.ok(verifyConsistency(0, 5, [], EMPTY_ROOT, big.root(5)), 'the empty tree is a prefix of all')
  t.notOk(verifyConsistency(0, 5, [], leaf, big.root(5)), 'but only with the empty root')
  t.notOk(verifyConsistency(0, 5, [leaf], EMPTY_ROOT, big.root(5)), 'and an empty proof')
  t.ok(verifyConsistency(7, 7, [], big.root(7), big.root(7)), 'equal sizes, equal roots')
  t.notOk(verifyConsistency(7, 7, [], big.root(7), big.root(6)), 'equal sizes, other roots')
  t.notOk(verifyConsistency(7, 7, [leaf], big.root(7), big.root(7)), 'equal sizes, non-empty proof')
  t.notOk(verifyConsistency(8, 7, [], big.root(7), big.root(7)), 'first > second')
  t.throws(() => verifyInclusion(leaf, -1, 1, [], leaf), RangeError)
  t.throws(() => verifyConsistency(1.5, 2, [], leaf, leaf), RangeError)
})

t.test('bad arguments are RangeErrors with a clear message', async (t) => {
  const tree = new MerkleTree()
  for (const h of leaves.slice(0, 10)) tree.append(h)
  t.throws(() => tree.root(11), {
    name: 'RangeError',
    message: /size 11 is beyond the tree \(size 10\)/,
  })
  t.throws(() => tree.root(-1), RangeError)
  t.throws(() => tree.inclusionProof(10, 10), {
    message: /leaf index 10 is not in a tree of size 10/,
  })
  t.throws(() => tree.inclusionProof(0, 0), RangeError)
  t.throws(() => tree.inclusionProof(0, 11), { message: /treeSize 11 is beyond the tree/ })
  t.throws(() => tree.consistencyProof(0, 5), { message: /first must be at least 1/ })
  t.throws(() => tree.consistencyProof(6, 5), {
    message: /first \(6\) must not exceed second \(5\)/,
  })
  t.throws(() => tree.consistencyProof(1, 11), { message: /second 11 is beyond the tree/ })
  t.throws(() => tree.consistencyProof(1.5, 5), RangeError)
  t.throws(() => tree.append(Buffer.alloc(31)), { message: /32 bytes/ })
  t.throws(() => tree.leafHash(10), RangeError)
  t.same(tree.leafHash(3), leaves[3])
  t.equal(tree.size, 10, 'a refused append leaves the tree as it was')
})

t.test('returned hashes are copies: mutating them does not corrupt the tree', async (t) => {
  const tree = new MerkleTree()
  for (const h of leaves.slice(0, 5)) tree.append(h)
  const before = tree.root()
  tree.root().fill(0)
  tree.root(4).fill(0)
  for (const h of tree.inclusionProof(0, 5)) h.fill(0)
  for (const h of tree.consistencyProof(3, 5)) h.fill(0)
  tree.leafHash(0).fill(0)
  t.same(tree.root(), before)
  t.same(tree.root(), mth(leaves.slice(0, 5)))
})

t.test('more than one chunk of hashes (16 384 slots)', async (t) => {
  const n = (1 << 14) * 2 + 3
  const hashes = Array.from({ length: n }, (_, i) => sha256(Buffer.of(0), Buffer.from(String(i))))
  const tree = new MerkleTree()
  for (const h of hashes) tree.append(h)
  t.same(tree.root(), mth(hashes))
  for (const m of [0, (1 << 14) - 1, 1 << 14, n - 1]) {
    t.ok(verifyInclusion(hashes[m] as Buffer, m, n, tree.inclusionProof(m, n), tree.root()))
  }
  const first = (1 << 14) + 5
  t.ok(verifyConsistency(first, n, tree.consistencyProof(first, n), tree.root(first), tree.root()))
})
