/**
 * Checkpoints as C2SP signed notes (https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint),
 * byte-compatible with Go's golang.org/x/mod/sumdb/note, so that the Go tooling and witnesses of the
 * transparency-log ecosystem can check this log's checkpoints with its published verifier key.
 *
 *   <origin>\n<tree size>\n<base64 root>\n\n— <key name> <base64(key hash || Ed25519 signature)>\n
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import { rawPublicKey } from './signingKey.js'

/** A tree head: what a checkpoint says. */
export interface Checkpoint {
  origin: string
  treeSize: number
  /** 32 bytes. */
  rootHash: Buffer
}

export type InvalidCheckpointReason =
  /** Not a signed note: no blank line before the signatures, a bad signature line, bad characters. */
  | 'malformed_note'
  /** A signed note whose text is not origin, tree size and root hash. */
  | 'malformed_checkpoint'
  /** The verifier key string itself is not a valid Ed25519 note verifier key. */
  | 'invalid_verifier_key'
  /** No signature line carries the key's name. */
  | 'wrong_key_name'
  /** Signed under the key's name, but by another key (another key hash). */
  | 'wrong_key_hash'
  /** The key's signature does not verify: the note was altered or the signature forged. */
  | 'bad_signature'
  /** Validly signed, but the checkpoint's origin is not the key's name. */
  | 'wrong_origin'

/** Every way a note, a verifier key or a checkpoint can fail; `reason` says which. */
export class InvalidCheckpoint extends Error {
  readonly code = 'invalid_checkpoint'
  constructor(
    readonly reason: InvalidCheckpointReason,
    message: string,
  ) {
    super(message)
    this.name = 'InvalidCheckpoint'
  }
}

/** The signed-note algorithm byte for Ed25519. */
const ALG_ED25519 = 0x01
const SIGNATURE_PREFIX = '\u2014 '
/** Go's note.Open refuses notes with more signatures than this. */
const MAX_SIGNATURES = 100
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

// Go's unicode.IsSpace is JavaScript's \s plus U+0085 and minus U+FEFF; refuse all of them.
const spaceLike = /[\s\u0085]/u
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const controlOtherThanNewline = /[\u0000-\u0009\u000B-\u001F]/
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * A signed-note key name (and so a checkpoint origin here): non-empty, well-formed Unicode, with no
 * white space (newline included), no '+' and no control character.
 */
export function isValidKeyName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    !name.includes('+') &&
    !spaceLike.test(name) &&
    !controlOtherThanNewline.test(name) &&
    !loneSurrogate.test(name)
  )
}

/** Strict standard base64 (padded, canonical), or undefined. */
function decodeBase64(text: string): Buffer | undefined {
  if (!base64Pattern.test(text)) return undefined
  const bytes = Buffer.from(text, 'base64')
  return bytes.toString('base64') === text ? bytes : undefined
}

function ed25519Raw(key: KeyObject | Uint8Array): Buffer {
  if (!(key instanceof Uint8Array)) return rawPublicKey(key)
  if (key.length !== 32) throw new TypeError('a raw Ed25519 public key is 32 bytes')
  return Buffer.from(key)
}

function ed25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  })
}

/** The 4-byte key hash: SHA-256(name || 0x0A || 0x01 || raw Ed25519 public key)[0:4]. */
export function keyHash(name: string, publicKey: KeyObject | Uint8Array): Buffer {
  const raw = ed25519Raw(publicKey)
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.of(0x0a, ALG_ED25519))
    .update(raw)
    .digest()
    .subarray(0, 4)
}

function checkKeyName(name: string): void {
  if (!isValidKeyName(name)) {
    throw new TypeError(
      `${JSON.stringify(name)} is not a valid key name: it must be non-empty, without spaces, '+' or control characters`,
    )
  }
}

/** The verifier key `<name>+<8 hex key hash>+<base64(0x01 || public key)>`. */
export function verifierKey(name: string, publicKey: KeyObject | Uint8Array): string {
  checkKeyName(name)
  const raw = ed25519Raw(publicKey)
  const encoded = Buffer.concat([Buffer.of(ALG_ED25519), raw]).toString('base64')
  return `${name}+${keyHash(name, raw).toString('hex')}+${encoded}`
}

export interface VerifierKey {
  name: string
  /** 4 bytes. */
  keyHash: Buffer
  /** The raw 32-byte Ed25519 public key. */
  rawPublicKey: Buffer
  publicKey: KeyObject
}

export function parseVerifierKey(vkey: string): VerifierKey {
  const invalid = (why: string) =>
    new InvalidCheckpoint('invalid_verifier_key', `invalid verifier key: ${why}`)
  if (typeof vkey !== 'string') throw invalid('not a string')
  // The name has no '+', the hash is hex, and base64 may itself contain '+': cut at the first two.
  const first = vkey.indexOf('+')
  const second = vkey.indexOf('+', first + 1)
  if (first < 0 || second < 0) throw invalid('expected <name>+<key hash>+<key>')
  const name = vkey.slice(0, first)
  const hashHex = vkey.slice(first + 1, second)
  const key = decodeBase64(vkey.slice(second + 1))
  if (!isValidKeyName(name)) throw invalid(`${JSON.stringify(name)} is not a valid key name`)
  if (!/^[0-9a-f]{8}$/.test(hashHex)) throw invalid('the key hash must be 8 lower-case hex digits')
  if (key === undefined || key.length === 0) throw invalid('the key is not base64')
  if (key[0] !== ALG_ED25519)
    throw invalid(`unknown signature algorithm ${key[0]}, expected 1 (Ed25519)`)
  if (key.length !== 33) throw invalid('an Ed25519 key is 32 bytes')
  const rawPublicKey = key.subarray(1)
  const hash = keyHash(name, rawPublicKey)
  if (hash.toString('hex') !== hashHex) {
    throw invalid(
      `the key hash ${hashHex} does not match the name and key (${hash.toString('hex')})`,
    )
  }
  return { name, keyHash: hash, rawPublicKey, publicKey: ed25519PublicKey(rawPublicKey) }
}

export interface NoteSignature {
  name: string
  /** 4 bytes. */
  keyHash: Buffer
  /** The signature proper, after the key hash (64 bytes for Ed25519). */
  signature: Buffer
}

export interface Note {
  /** The signed text, ending in a newline. */
  text: string
  signatures: NoteSignature[]
}

function malformed(why: string): InvalidCheckpoint {
  return new InvalidCheckpoint('malformed_note', `malformed signed note: ${why}`)
}

function checkNoteText(text: string, fail: (why: string) => Error): void {
  if (text.length === 0 || !text.endsWith('\n')) throw fail('the text must end with a newline')
  if (controlOtherThanNewline.test(text)) throw fail('control characters other than newline')
  if (loneSurrogate.test(text)) throw fail('not well-formed Unicode')
}

/** Splits a signed note into its text and signature lines (Go's note.Open rules), verifying nothing. */
export function parseNote(note: string): Note {
  if (typeof note !== 'string') throw malformed('not a string')
  checkNoteText(note, malformed)
  const split = note.lastIndexOf('\n\n')
  if (split < 0) throw malformed('no blank line before the signatures')
  const text = note.slice(0, split + 1)
  const lines = note.slice(split + 2, -1)
  if (lines.length === 0) throw malformed('no signature lines')
  const signatures = lines.split('\n').map((line, i): NoteSignature => {
    if (!line.startsWith(SIGNATURE_PREFIX)) {
      throw malformed(`signature line ${i + 1} does not start with an em dash and a space`)
    }
    const rest = line.slice(SIGNATURE_PREFIX.length)
    const space = rest.indexOf(' ')
    const name = space < 0 ? rest : rest.slice(0, space)
    const bytes = space < 0 ? undefined : decodeBase64(rest.slice(space + 1))
    if (!isValidKeyName(name)) throw malformed(`signature line ${i + 1} has an invalid key name`)
    if (bytes === undefined || bytes.length < 5) {
      throw malformed(`signature line ${i + 1} has no base64 key hash and signature`)
    }
    return { name, keyHash: bytes.subarray(0, 4), signature: bytes.subarray(4) }
  })
  if (signatures.length > MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`)
  return { text, signatures }
}

/** Signs `text` (which must end in a newline) as a note with one signature line by `name`. */
export function signNote(text: string, name: string, privateKey: KeyObject): string {
  checkKeyName(name)
  checkNoteText(text, (why) => new TypeError(`cannot sign this note text: ${why}`))
  if (text.includes('\n\n')) throw new TypeError('cannot sign this note text: it has a blank line')
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('signing needs an Ed25519 private key')
  }
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey)
  const blob = Buffer.concat([keyHash(name, privateKey), signature]).toString('base64')
  return `${text}\n${SIGNATURE_PREFIX}${name} ${blob}\n`
}

/**
 * Verifies the signature of `vkey` on the note and returns the signed text. Signatures by other keys
 * (a witness's cosignature, say) are ignored, as Go's note.Open does.
 */
export function openNote(note: string, vkey: string | VerifierKey): string {
  const key = typeof vkey === 'string' ? parseVerifierKey(vkey) : vkey
  const { text, signatures } = parseNote(note)
  const byName = signatures.filter((s) => s.name === key.name)
  const byKey = byName.filter((s) => s.keyHash.equals(key.keyHash))
  const keyId = `${key.name}+${key.keyHash.toString('hex')}`
  if (byKey.length === 0) {
    if (byName.length > 0) {
      const found = byName.map((s) => `${s.name}+${s.keyHash.toString('hex')}`).join(', ')
      throw new InvalidCheckpoint(
        'wrong_key_hash',
        `the note is signed by ${found}, not by the key ${keyId}`,
      )
    }
    const found = signatures.map((s) => s.name).join(', ')
    throw new InvalidCheckpoint(
      'wrong_key_name',
      `the note has no signature by ${key.name} (it is signed by ${found})`,
    )
  }
  const data = Buffer.from(text, 'utf8')
  for (const s of byKey) {
    if (!verify(null, data, key.publicKey, s.signature)) {
      throw new InvalidCheckpoint('bad_signature', `invalid signature for key ${keyId}`)
    }
  }
  return text
}

function checkpointText({ origin, treeSize, rootHash }: Checkpoint): string {
  checkKeyName(origin)
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) {
    throw new TypeError(`the tree size must be a non-negative integer, got ${treeSize}`)
  }
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== 32) {
    throw new TypeError('the root hash must be 32 bytes')
  }
  return `${origin}\n${treeSize}\n${Buffer.from(rootHash).toString('base64')}\n`
}

/** Reads a checkpoint's text: origin, tree size, root hash, then optional extension lines (ignored). */
export function parseCheckpointText(text: string): Checkpoint {
  const fail = (why: string) =>
    new InvalidCheckpoint('malformed_checkpoint', `malformed checkpoint: ${why}`)
  if (!text.endsWith('\n')) throw fail('the text must end with a newline')
  const lines = text.slice(0, -1).split('\n')
  const [origin, size, root] = lines
  if (origin === undefined || size === undefined || root === undefined) {
    throw fail('expected origin, tree size and root hash lines')
  }
  if (lines.some((line) => line.length === 0)) throw fail('an empty line')
  if (!isValidKeyName(origin))
    throw fail(`the origin ${JSON.stringify(origin)} is not a valid key name`)
  if (!/^(?:0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) {
    throw fail(`the tree size ${JSON.stringify(size)} is not a decimal integer`)
  }
  const rootHash = decodeBase64(root)
  if (rootHash === undefined || rootHash.length !== 32) {
    throw fail('the root hash is not the base64 of 32 bytes')
  }
  return { origin, treeSize: Number(size), rootHash }
}

/** The checkpoint as a signed note, signed under its origin as the key name. */
export function signCheckpoint(checkpoint: Checkpoint, privateKey: KeyObject): string {
  return signNote(checkpointText(checkpoint), checkpoint.origin, privateKey)
}

/** Verifies the note's signature by `vkey` and that its origin is the key's name; throws otherwise. */
export function verifyCheckpoint(note: string, vkey: string | VerifierKey): Checkpoint {
  const key = typeof vkey === 'string' ? parseVerifierKey(vkey) : vkey
  const checkpoint = parseCheckpointText(openNote(note, key))
  if (checkpoint.origin !== key.name) {
    throw new InvalidCheckpoint(
      'wrong_origin',
      `the checkpoint's origin ${checkpoint.origin} is not the key's name ${key.name}`,
    )
  }
  return checkpoint
}
