import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  verify,
} from 'node:crypto'
import t, { type Test } from 'tap'
import {
  InvalidCheckpoint,
  isValidKeyName,
  keyHash,
  openNote,
  parseCheckpointText,
  parseNote,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  verifierKey,
  verifyCheckpoint,
} from '../../src/log/checkpoint.js'
import { EMPTY_ROOT } from '../../src/log/merkle.js'

const { privateKey, publicKey } = generateKeyPairSync('ed25519')
const other = generateKeyPairSync('ed25519')
const origin = 'policy-ledger'
const rootHash = createHash('sha256').update('some root').digest()
const rawOf = (key: typeof publicKey): Buffer =>
  Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url')

/** A test name TAP can carry: U+0085 and U+2028 would end its line. */
const escaped = (s: string): string =>
  [...s].map((c) => (/[ -~]/.test(c) ? c : `\\u{${c.codePointAt(0)?.toString(16)}}`)).join('')

/** Go's keyHash(name, 0x01 || key), written out byte by byte. */
function goKeyHash(name: string, raw: Uint8Array): Buffer {
  const bytes = [...Buffer.from(name, 'utf8'), 0x0a, 0x01, ...raw]
  return createHash('sha256').update(Uint8Array.from(bytes)).digest().subarray(0, 4)
}

/** An Ed25519 private key from its 32-byte seed, as Go's note.NewSigner holds it. */
function privateKeyFromSeed(seed: Buffer) {
  const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex')
  return createPrivateKey({ key: Buffer.concat([pkcs8Prefix, seed]), format: 'der', type: 'pkcs8' })
}

function rejects(t: Test, fn: () => unknown, reason: string, message?: RegExp): void {
  const wanted = { code: 'invalid_checkpoint', reason, ...(message ? { message } : {}) }
  t.throws(fn, wanted, `rejected as ${reason}`)
}

t.test('the signed note has the C2SP layout, byte for byte', async (t) => {
  const note = signCheckpoint({ origin, treeSize: 3, rootHash }, privateKey)
  const body = `policy-ledger\n3\n${rootHash.toString('base64')}\n`
  t.ok(
    note.startsWith(`${body}\n\u2014 policy-ledger `),
    'body, a blank line, an em dash, the name',
  )
  t.ok(note.endsWith('\n'))
  const lines = note.split('\n')
  t.same(lines.slice(0, 4), [origin, '3', rootHash.toString('base64'), ''], 'body and blank line')
  t.equal(lines.length, 6, 'then one signature line and the final newline')
  t.equal(lines[5], '')
  const signatureLine = note.slice(body.length + 1, -1)
  const [dash, name, blob, ...rest] = signatureLine.split(' ')
  t.equal(dash, '\u2014', 'U+2014 EM DASH')
  t.equal(Buffer.from(dash as string, 'utf8').toString('hex'), 'e28094')
  t.equal(name, origin)
  t.same(rest, [])
  const bytes = Buffer.from(blob as string, 'base64')
  t.equal(bytes.toString('base64'), blob, 'standard, padded base64')
  t.equal(bytes.length, 68, '4-byte key hash and 64-byte signature')
  const raw = rawOf(publicKey)
  t.same(bytes.subarray(0, 4), goKeyHash(origin, raw), 'the key hash is Go’s keyHash')
  t.same(keyHash(origin, publicKey), goKeyHash(origin, raw))
  t.ok(verify(null, Buffer.from(body), publicKey, bytes.subarray(4)), 'Ed25519 over the body')
})

t.test('the verifier key string', async (t) => {
  const vkey = verifierKey(origin, publicKey)
  const raw = rawOf(publicKey)
  t.equal(
    vkey,
    `policy-ledger+${goKeyHash(origin, raw).toString('hex')}+${Buffer.concat([Buffer.of(1), raw]).toString('base64')}`,
  )
  t.match(vkey, /^policy-ledger\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/)
  t.equal(verifierKey(origin, raw), vkey, 'from the raw key')
  t.equal(verifierKey(origin, privateKey), vkey, 'from the private key')
  const parsed = parseVerifierKey(vkey)
  t.equal(parsed.name, origin)
  t.same(parsed.rawPublicKey, raw)
  t.same(parsed.keyHash, goKeyHash(origin, raw))
  t.ok(parsed.publicKey.equals(publicKey))
  t.throws(() => verifierKey('policy ledger', publicKey), TypeError)
})

t.test('a checkpoint round-trips and signing is deterministic', async (t) => {
  const vkey = verifierKey(origin, publicKey)
  const note = signCheckpoint({ origin, treeSize: 1234567, rootHash }, privateKey)
  t.same(verifyCheckpoint(note, vkey), { origin, treeSize: 1234567, rootHash })
  t.equal(
    signCheckpoint({ origin, treeSize: 1234567, rootHash }, privateKey),
    note,
    'same bytes again',
  )
  const samePem = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }))
  t.equal(signCheckpoint({ origin, treeSize: 1234567, rootHash }, samePem), note, 'another replica')
  const empty = signCheckpoint({ origin, treeSize: 0, rootHash: EMPTY_ROOT }, privateKey)
  t.equal(
    empty.split('\n').slice(0, 3).join('\n'),
    `policy-ledger\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=`,
  )
  t.same(verifyCheckpoint(empty, vkey), { origin, treeSize: 0, rootHash: EMPTY_ROOT })
})

t.test('tampering, wrong keys and malformed notes are refused with a reason', async (t) => {
  const vkey = verifierKey(origin, publicKey)
  const note = signCheckpoint({ origin, treeSize: 10, rootHash }, privateKey)
  rejects(
    t,
    () => verifyCheckpoint(note.replace('\n10\n', '\n11\n'), vkey),
    'bad_signature',
    /invalid signature for key policy-ledger\+[0-9a-f]{8}/,
  )
  const otherRoot = createHash('sha256').update('other').digest().toString('base64')
  rejects(
    t,
    () => verifyCheckpoint(note.replace(rootHash.toString('base64'), otherRoot), vkey),
    'bad_signature',
  )
  const lastChar = note.at(-3) === 'A' ? 'B' : 'A'
  rejects(
    t,
    () => verifyCheckpoint(`${note.slice(0, -3)}${lastChar}${note.slice(-2)}`, vkey),
    'bad_signature',
  )
  rejects(
    t,
    () => verifyCheckpoint(note, verifierKey(origin, other.publicKey)),
    'wrong_key_hash',
    /signed by policy-ledger\+[0-9a-f]{8}, not by the key/,
  )
  rejects(
    t,
    () => verifyCheckpoint(note, verifierKey('another-log', publicKey)),
    'wrong_key_name',
    /no signature by another-log/,
  )
  const misnamed = signNote(`another-log\n10\n${rootHash.toString('base64')}\n`, origin, privateKey)
  rejects(
    t,
    () => verifyCheckpoint(misnamed, vkey),
    'wrong_origin',
    /origin another-log is not the key's name policy-ledger/,
  )
  rejects(t, () => verifyCheckpoint(note, 'policy-ledger+00000000+AAAA'), 'invalid_verifier_key')

  const body = note.slice(0, note.indexOf('\n\n') + 1)
  const signatureLine = note.slice(body.length + 1)
  const malformed = {
    'no signatures': body,
    'only a blank line': `${body}\n`,
    'no final newline': `${body}\n${signatureLine.slice(0, -1)}`,
    'a control character': `\u0001${note}`,
    'a lone surrogate': `${note.slice(0, 3)}\ud800${note.slice(3)}`,
    'a hyphen for the em dash': `${body}\n-${signatureLine.slice(1)}`,
    'no space after the name': `${body}\n\u2014 policy-ledger\n`,
    'a key name with a space': `${body}\n\u2014 Bad Name ${signatureLine.split(' ')[2]}`,
    'an unexpected line after the signatures': `${note}Unexpected line.\n`,
    'unpadded base64': `${body}\n${signatureLine.replace(/=+\n$/, '\n')}`,
    'a signature too short': `${body}\n\u2014 policy-ledger AAAA\n`,
    'more than 100 signatures': `${body}\n${signatureLine.repeat(101)}`,
  }
  for (const [what, bad] of Object.entries(malformed)) {
    t.throws(
      () => verifyCheckpoint(bad, vkey),
      { code: 'invalid_checkpoint', reason: 'malformed_note' },
      what,
    )
  }
  t.same(
    verifyCheckpoint(`${body}\n${signatureLine.repeat(100)}`, vkey).treeSize,
    10,
    '100 are fine',
  )
})

t.test('the checkpoint text', async (t) => {
  // The example of https://c2sp.org/tlog-checkpoint
  const example =
    'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'
  const parsed = parseCheckpointText(example)
  t.equal(parsed.origin, 'example.com/behind-the-sofa')
  t.equal(parsed.treeSize, 20852163)
  t.equal(parsed.rootHash.toString('base64'), 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=')
  t.equal(
    parseCheckpointText(`${example}an extension line\n`).treeSize,
    20852163,
    'extensions ignored',
  )
  const b64 = rootHash.toString('base64')
  const bad = {
    'two lines': `log\n1\n`,
    'a leading zero': `log\n01\n${b64}\n`,
    'a signed size': `log\n+1\n${b64}\n`,
    'a size beyond 2^53': `log\n9007199254740993\n${b64}\n`,
    'a short root': `log\n1\n${rootHash.subarray(1).toString('base64')}\n`,
    'an unpadded root': `log\n1\n${b64.replace(/=$/, '')}\n`,
    'an empty extension line': `log\n1\n${b64}\n\nx\n`,
    'an origin with a plus': `lo+g\n1\n${b64}\n`,
    'no final newline': `log\n1\n${b64}`,
  }
  for (const [what, text] of Object.entries(bad)) {
    t.throws(
      () => parseCheckpointText(text),
      { code: 'invalid_checkpoint', reason: 'malformed_checkpoint' },
      what,
    )
  }
  t.throws(() => signCheckpoint({ origin: 'a b', treeSize: 1, rootHash }, privateKey), TypeError)
  t.throws(() => signCheckpoint({ origin, treeSize: -1, rootHash }, privateKey), TypeError)
  t.throws(
    () => signCheckpoint({ origin, treeSize: 1, rootHash: rootHash.subarray(1) }, privateKey),
    TypeError,
  )
  t.throws(() => signCheckpoint({ origin, treeSize: 1, rootHash }, publicKey), TypeError)
})

t.test('key names', async (t) => {
  for (const name of ['policy-ledger', 'example.com/log', 'PeterNeumann', 'héllo', 'a\u{1F600}']) {
    t.ok(isValidKeyName(name), escaped(name))
  }
  for (const name of [
    '',
    'a b',
    'a+b',
    'a\nb',
    'a\tb',
    'a\u00a0b',
    'a\u0085b',
    'a\u2028b',
    'a\u0001b',
    '\ud800',
  ]) {
    t.notOk(isValidKeyName(name), escaped(name))
  }
})

// ---- golang.org/x/mod/sumdb/note note_test.go -----------------------------------------------------

const peterVkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'
const peterSkey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'
const enochVkey = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop'
const goText =
  'If you think cryptography is the answer to your problem,\n' +
  "then you don't know what your problem is.\n"
const peterSig =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n'
const enochSig =
  '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n'

t.test('Go note_test.go: the PeterNeumann key and its signed note', async (t) => {
  const key = parseVerifierKey(peterVkey)
  t.equal(key.name, 'PeterNeumann')
  t.equal(key.keyHash.toString('hex'), 'c74f20a3')
  t.equal(
    goKeyHash('PeterNeumann', key.rawPublicKey).toString('hex'),
    'c74f20a3',
    'recomputed here',
  )
  t.equal(verifierKey('PeterNeumann', key.rawPublicKey), peterVkey, 'verifierKey reproduces it')
  t.equal(parseVerifierKey(enochVkey).keyHash.toString('hex'), 'af0cfe78')

  // Go's signer key is "PRIVATE+KEY+<name>+<hash>+<base64(0x01 || 32-byte seed)>".
  const seed = Buffer.from(peterSkey.split('+').slice(4).join('+'), 'base64')
  t.equal(seed[0], 1)
  const goPrivate = privateKeyFromSeed(seed.subarray(1))
  t.ok(createPublicKey(goPrivate).equals(key.publicKey), 'the seed belongs to the verifier key')
  t.equal(
    signNote(goText, 'PeterNeumann', goPrivate),
    `${goText}\n${peterSig}`,
    'Go’s exact signed note',
  )
  t.equal(openNote(`${goText}\n${peterSig}`, peterVkey), goText)

  // One signature verified, one by an unknown key ignored; both verified each with its key.
  const both = `${goText}\n${peterSig}${enochSig}`
  t.equal(openNote(both, peterVkey), goText)
  t.equal(openNote(both, enochVkey), goText)
  t.same(
    parseNote(both).signatures.map((s) => [s.name, s.keyHash.toString('hex'), s.signature.length]),
    [
      ['PeterNeumann', 'c74f20a3', 64],
      ['EnochRoot', 'af0cfe78', 64],
    ],
  )
  rejects(t, () => openNote(`${goText}\n${enochSig}`, peterVkey), 'wrong_key_name')

  // "invalid signature": four base64 characters inserted at byte 60 of the signature line.
  const sigBytes = Buffer.from(peterSig)
  const corrupted = Buffer.concat([
    sigBytes.subarray(0, 60),
    Buffer.from('ABCD'),
    sigBytes.subarray(60),
  ])
  rejects(
    t,
    () => openNote(`${goText}\n${corrupted.toString()}`, peterVkey),
    'bad_signature',
    /invalid signature for key PeterNeumann\+c74f20a3/,
  )

  // Go's malformed messages (its "\xff" case is not a JavaScript string).
  const badMessages = [
    goText,
    `${goText}\n`,
    `${goText}\n${peterSig.slice(0, -1)}`,
    `\u0001${goText}\n${peterSig}`,
    `${goText}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
    `${goText}\n${peterSig}Unexpected line.\n`,
    `${goText}\n${peterSig.repeat(101)}`,
  ]
  for (const message of badMessages)
    rejects(t, () => openNote(message, peterVkey), 'malformed_note')
})

t.test('Go note_test.go: mangled verifier keys are refused', async (t) => {
  const accepted: string[] = []
  const tryKey = (k: string) => {
    try {
      parseVerifierKey(k)
      accepted.push(k)
    } catch (error) {
      if (!(error instanceof InvalidCheckpoint) || error.reason !== 'invalid_verifier_key')
        throw error
    }
  }
  for (let i = 0; i <= peterVkey.length; i++) {
    for (let j = i + 1; j <= peterVkey.length; j++) {
      if (i !== 0 || j !== peterVkey.length) tryKey(peterVkey.slice(i, j))
    }
  }
  for (let i = 0; i < peterVkey.length; i++) {
    tryKey(
      peterVkey.slice(0, i) +
        String.fromCharCode(peterVkey.charCodeAt(i) + 1) +
        peterVkey.slice(i + 1),
    )
  }
  tryKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==') // wrong length
  tryKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW') // unknown algorithm
  t.same(accepted, [], 'every substring and every one-character change is refused')
  t.throws(
    () =>
      parseVerifierKey(
        'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==',
      ),
    // "BADKEY==" has non-zero padding bits: refused as non-canonical base64 before its length
    /invalid verifier key: the key is not base64/,
  )
  t.throws(
    () => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    /unknown signature algorithm/,
  )
  t.throws(
    () => parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    /does not match/,
  )
})

t.test('real checkpoints of a Go (Tessera) log: Sigstore Rekor v2, log2025-1', async (t) => {
  // The log's Ed25519 key as Sigstore's trusted root publishes it (DER SubjectPublicKeyInfo); its
  // signed-note key hash is cf119915, the prefix of the log ID Sigstore publishes for it.
  const spki = Buffer.from('MCowBQYDK2VwAyEAt8rlp1knGwjfbcXAYPYAkn0XiLz1x8O4t0YkEhie244=', 'base64')
  const rekorOrigin = 'log2025-1.rekor.sigstore.dev'
  const vkey = verifierKey(rekorOrigin, createPublicKey({ key: spki, format: 'der', type: 'spki' }))
  t.equal(
    vkey,
    'log2025-1.rekor.sigstore.dev+cf119915+AbfK5adZJxsI323FwGD2AJJ9F4i89cfDuLdGJBIYntuO',
  )
  const notes: [string, number, string][] = [
    [
      `${rekorOrigin}\n412115\n+8vUkEgBK/ansexBUomzocaWoPEmPIzxJC/y+xNMQN4=\n\n` +
        `\u2014 ${rekorOrigin} zxGZFahCZ/+MqTjH4rC5MWcdLDWbpetE5l30RZfQc4BQkRjWSoKipEUPjvHENeZDHIlAsuezJcLzUVvItpNjaSRoMAs=\n`,
      412115,
      '+8vUkEgBK/ansexBUomzocaWoPEmPIzxJC/y+xNMQN4=',
    ],
    [
      `${rekorOrigin}\n34356369\ndA9mMr0smTXgo7nGsE01Zdc5KOOqTs2/zYfdSqxO+ks=\n\n` +
        `\u2014 ${rekorOrigin} zxGZFQZgTebN28s0D7vKP5gX8R+CsXCved700HCQAHgDHbdkaH3tfx7+DMPkccNhzsnSy7LijLzWMa+evZduylLs0wc=\n`,
      34356369,
      'dA9mMr0smTXgo7nGsE01Zdc5KOOqTs2/zYfdSqxO+ks=',
    ],
    [
      // with a witness's cosignature, which is not ours to check and is ignored
      `${rekorOrigin}\n139911860\nEliTHtnx44DhEBH+5qIXBtQsSpc54Avam7mIYEvxnTA=\n\n` +
        `\u2014 ${rekorOrigin} zxGZFcOra4Y7QpuiQen+CmnUvDZbxSXfBOXJzL+HKIeR9aC58QTfao58ABqkhVyBhQDseS+TZdDNpcnZhoRxkh7IbQ0=\n` +
        '\u2014 witness.stagemole.eu Z/euoAAAAABqxF18wrJCADsJ1G5Lc2JaRjZqqBwjpNqH24yQse4iJ4rKS6b5MtvHP+IbKYXwaWuWokdGA+BubLFi+TrwK7xpKr6XBw==\n',
      139911860,
      'EliTHtnx44DhEBH+5qIXBtQsSpc54Avam7mIYEvxnTA=',
    ],
  ]
  for (const [note, treeSize, root] of notes) {
    const checkpoint = verifyCheckpoint(note, vkey)
    t.equal(checkpoint.origin, rekorOrigin)
    t.equal(checkpoint.treeSize, treeSize)
    t.equal(checkpoint.rootHash.toString('base64'), root)
    rejects(
      t,
      () => verifyCheckpoint(note.replace(`\n${treeSize}\n`, `\n${treeSize + 1}\n`), vkey),
      'bad_signature',
    )
  }
})
