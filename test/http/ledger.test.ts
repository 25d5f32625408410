import t from 'tap'
import { createHash, createPublicKey, verify } from 'node:crypto'
import { authorised, seedSize, testLedger } from '../support/testLedger.js'

/**
 * The auditor's view, checked with an independent RFC 6962 implementation written here from the RFC
 * (no code shared with src/log), and the checkpoint's signature checked with node:crypto directly.
 */
const sha256 = (...parts: Buffer[]) => parts.reduce((hash, part) => hash.update(part), createHash('sha256')).digest()
const leaf = (line: string) => sha256(Buffer.of(0), Buffer.from(line, 'utf8'))
const node = (left: Buffer, right: Buffer) => sha256(Buffer.of(1), left, right)
const split = (n: number) => 2 ** Math.floor(Math.log2(n - 1))
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256()
  if (leaves.length === 1) return leaves[0]!
  const k = split(leaves.length)
  return node(mth(leaves.slice(0, k)), mth(leaves.slice(k)))
}

/** RFC 9162 §2.1.3.2 */
function rootFromInclusion(index: number, size: number, leafHash: Buffer, path: Buffer[]): Buffer | undefined {
  if (index >= size) return undefined
  let fn = index
  let sn = size - 1
  let r = leafHash
  for (const p of path) {
    if (sn === 0) return undefined
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r)
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn >>= 1; sn >>= 1 }
    } else {
      r = node(r, p)
    }
    fn >>= 1
    sn >>= 1
  }
  return sn === 0 ? r : undefined
}

/** RFC 9162 §2.1.4.2 */
function consistent(first: number, second: number, proof: Buffer[], firstRoot: Buffer, secondRoot: Buffer): boolean {
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot)
  let path = proof
  if ((first & (first - 1)) === 0) path = [firstRoot, ...path]
  let fn = first - 1
  let sn = second - 1
  while (fn % 2 === 1) { fn >>= 1; sn >>= 1 }
  let fr = path[0]!
  let sr = path[0]!
  for (const c of path.slice(1)) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      fr = node(c, fr)
      sr = node(c, sr)
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn >>= 1; sn >>= 1 }
    } else {
      sr = node(sr, c)
    }
    fn >>= 1
    sn >>= 1
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot)
}

/** C2SP signed note, checked from its bytes: key hash and Ed25519 signature over the body. */
function checkNote(note: string, vkey: string): { size: number; root: Buffer } {
  // <name>+<8 hex>+<base64>: the base64 may itself contain '+'
  const [, name, hash, key] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey) as unknown as [string, string, string, string]
  const keyBytes = Buffer.from(key, 'base64')
  const publicKey = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), keyBytes.subarray(1)]), format: 'der', type: 'spki' })
  const expectedHash = sha256(Buffer.from(`${name}\n`), keyBytes).subarray(0, 4)
  if (expectedHash.toString('hex') !== hash) throw new Error('key hash')
  const [body, signatures] = note.split('\n\n') as [string, string]
  const line = signatures.split('\n').find((l) => l.startsWith(`\u2014 ${name} `))!
  const signed = Buffer.from(line.slice(`\u2014 ${name} `.length), 'base64')
  if (!signed.subarray(0, 4).equals(expectedHash)) throw new Error('signature key hash')
  if (!verify(null, Buffer.from(`${body}\n`), publicKey, signed.subarray(4))) throw new Error('bad signature')
  const [origin, size, root] = body.split('\n') as [string, string, string]
  if (origin !== name) throw new Error('origin')
  return { size: Number(size), root: Buffer.from(root, 'base64') }
}

async function entries(ledger: Awaited<ReturnType<typeof testLedger>>): Promise<string[]> {
  const response = await ledger.app.inject({ url: '/ledger/entries' })
  t.equal(response.headers['content-type'], 'application/x-ndjson; charset=utf-8')
  return response.body.split('\n').filter(Boolean)
}

t.test('an independent RFC 6962 implementation recomputes the signed root, for the seed and after writes', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const first = (await ledger.app.inject({ url: '/ledger/checkpoint' })).json()
  const seedEntries = await entries(ledger)
  t.equal(seedEntries.length, seedSize)
  t.equal(first.treeSize, seedSize)
  t.equal(mth(seedEntries.map(leaf)).toString('hex'), first.rootHash)
  t.same(checkNote(first.note, first.publicKey), { size: seedSize, root: Buffer.from(first.rootHash, 'hex') })

  const write = await ledger.app.inject({
    method: 'POST',
    url: '/events',
    headers: authorised,
    payload: {
      events: [1, 2, 3].map((n) => ({
        type: 'StatementMade',
        data: {
          jurisdictionId: 'us-wa-seattle',
          actor: { id: 'ed-murray', name: 'Ed Murray' },
          on: `2016-12-0${n}`,
          summary: `statement ${n}`,
          sourceId: 'abcnews-2016-11-17-cities-push-back',
          stances: [],
        },
      })),
    },
  })
  t.equal(write.statusCode, 201)
  const second = (await ledger.app.inject({ url: '/ledger/checkpoint' })).json()
  const grown = seedSize + 3
  t.equal(second.treeSize, grown)
  const all = await entries(ledger)
  t.same(all.slice(0, seedSize), seedEntries, 'the log was only appended to')
  t.equal(mth(all.map(leaf)).toString('hex'), second.rootHash)
  checkNote(second.note, second.publicKey)

  const consistency = (await ledger.app.inject({ url: `/ledger/proofs/consistency?first=${seedSize}&second=${grown}` })).json()
  t.same([consistency.first, consistency.second], [seedSize, grown])
  t.ok(consistent(seedSize, grown, consistency.proof.map((h: string) => Buffer.from(h, 'hex')), Buffer.from(first.rootHash, 'hex'), Buffer.from(second.rootHash, 'hex')))
  for (const m of [1, 2, 7, 32, 50]) {
    const proof = (await ledger.app.inject({ url: `/ledger/proofs/consistency?first=${m}&second=${grown}` })).json()
    t.ok(consistent(m, grown, proof.proof.map((h: string) => Buffer.from(h, 'hex')), mth(all.slice(0, m).map(leaf)), mth(all.map(leaf))), `consistency ${m} -> ${grown}`)
  }

  for (const [position, line] of all.entries()) {
    const id = (JSON.parse(line) as { id: string }).id
    const size = position < seedSize ? seedSize : grown
    const proof = (await ledger.app.inject({ url: `/ledger/proofs/inclusion?eventId=${id}&treeSize=${size}` })).json()
    t.equal(proof.leafIndex, position)
    const root = rootFromInclusion(position, size, leaf(line), proof.auditPath.map((h: string) => Buffer.from(h, 'hex')))
    if (!root?.equals(Buffer.from(size === seedSize ? first.rootHash : second.rootHash, 'hex'))) t.fail(`inclusion of ${position} in ${size}`)
  }
})

t.test('impossible proof requests are 4xx with a clear message', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const id = (JSON.parse((await entries(ledger))[10]!) as { id: string }).id
  const cases: Array<[string, number, RegExp]> = [
    [`/ledger/proofs/inclusion?eventId=${id}&treeSize=${seedSize + 1}`, 400, /beyond the latest checkpoint/],
    [`/ledger/proofs/inclusion?eventId=${id}&treeSize=10`, 400, /outside a tree of size 10/],
    ['/ledger/proofs/inclusion?eventId=6f1d0c1e-3d1b-4b8e-9d8a-2f0e8a7c9b10', 404, /no event/],
    ['/ledger/proofs/inclusion?eventId=nope', 400, /eventId/],
    ['/ledger/proofs/consistency?first=40&second=30', 400, /first <= second/],
    ['/ledger/proofs/consistency?first=0&second=30', 400, /1 <= first/],
    ['/ledger/proofs/consistency?first=3&second=99', 400, new RegExp(`<= ${seedSize}`)],
    ['/ledger/entries?end=99', 400, /beyond the tree size/],
    ['/ledger/entries?start=9&end=3', 400, /after end/],
  ]
  for (const [url, status, message] of cases) {
    const response = await ledger.app.inject({ url })
    t.equal(response.statusCode, status, url)
    t.match(JSON.stringify(response.json()), message, url)
  }
  const paged = await ledger.app.inject({ url: '/ledger/entries?start=5&end=9' })
  t.equal(paged.body.split('\n').filter(Boolean).length, 4)
  t.notOk(paged.headers.link, 'no next page when the range fits')
})

t.test('every seed claim’s provenance has its quote verified against the archived article', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const checkpoint = (await ledger.app.inject({ url: '/ledger/checkpoint' })).json()
  const lines = await entries(ledger)
  let claims = 0
  for (const [position, line] of lines.entries()) {
    const event = JSON.parse(line) as { id: string; type: string; data: { quote?: unknown } }
    if (!['StatementMade', 'PolicyEnacted', 'PolicyReaffirmed'].includes(event.type)) continue
    claims += 1
    const provenance = (await ledger.app.inject({ url: `/events/${event.id}/provenance` })).json()
    t.equal(provenance.quote?.verified, true, `${event.id} quote verified`)
    t.equal(provenance.inclusion.leafIndex, position)
    const root = rootFromInclusion(position, checkpoint.treeSize, leaf(line), provenance.inclusion.auditPath.map((h: string) => Buffer.from(h, 'hex')))
    t.equal(root?.toString('hex'), checkpoint.rootHash)
    t.ok(provenance.via.length > 0 || provenance.source.hasContent, 'the chain reaches archived content')
  }
  t.equal(claims, 34, 'every claim of the seed')
  const jurisdictionEvent = JSON.parse(lines[1]!) as { id: string }
  t.equal((await ledger.app.inject({ url: `/events/${jurisdictionEvent.id}/provenance` })).statusCode, 404)
})
