/**
 * The log's Ed25519 signing key: a PKCS#8 PEM file. Generated once beside an embedded store and then
 * reused; given explicitly (LEDGER_SIGNING_KEY) wherever replicas must sign alike.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto'
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'

export interface SigningKey {
  privateKey: KeyObject
  publicKey: KeyObject
}

/** Thrown when a key file cannot be read or is not an Ed25519 private key. */
export class InvalidSigningKey extends Error {
  readonly code = 'invalid_signing_key'
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message)
    this.name = 'InvalidSigningKey'
  }
}

function fromPem(pem: Buffer, path: string): SigningKey {
  if (pem.length === 0) {
    throw new InvalidSigningKey(
      path,
      `the signing key file ${path} is empty (an interrupted first start?); remove it to generate a new key`,
    )
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(pem)
  } catch (error) {
    throw new InvalidSigningKey(
      path,
      `${path} is not a PEM private key (${(error as Error).message}); expected an Ed25519 key in PKCS#8 PEM`,
    )
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new InvalidSigningKey(
      path,
      `${path} holds a ${privateKey.asymmetricKeyType ?? 'unknown'} key, but the log signs with Ed25519 ` +
        '(make one with: openssl genpkey -algorithm ed25519)',
    )
  }
  return { privateKey, publicKey: createPublicKey(privateKey) }
}

/** The file's bytes, or undefined when there is no such file. */
async function readKeyFile(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new InvalidSigningKey(
      path,
      `cannot read the signing key ${path}: ${(error as Error).message}`,
    )
  }
}

export async function loadSigningKey(path: string): Promise<SigningKey> {
  const pem = await readKeyFile(path)
  if (pem === undefined) throw new InvalidSigningKey(path, `there is no signing key at ${path}`)
  return fromPem(pem, path)
}

export function generateSigningKey(): SigningKey & { pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
  return { privateKey, publicKey, pem }
}

/**
 * Loads the key at `path`, or makes one there (mode 0600, the directory created if needed) when
 * there is none. An existing file is never overwritten, and the key file appears whole (written
 * beside it, then hard-linked into place): if two processes race, the loser reads the winner's key.
 */
export async function loadOrCreateSigningKey(
  path: string,
): Promise<SigningKey & { created: boolean }> {
  const existing = await readKeyFile(path)
  if (existing !== undefined) return { ...fromPem(existing, path), created: false }
  const directory = dirname(path)
  await mkdir(directory, { recursive: true })
  const key = generateSigningKey()
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  await writePrivateFile(temporary, key.pem)
  try {
    await link(temporary, path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return { ...(await loadSigningKey(path)), created: false }
    // A file system without hard links: create the file in place instead.
    try {
      await writePrivateFile(path, key.pem)
    } catch (fallbackError) {
      if ((fallbackError as NodeJS.ErrnoException).code === 'EEXIST') {
        return { ...(await loadSigningKey(path)), created: false }
      }
      throw fallbackError
    }
  } finally {
    await unlink(temporary).catch(() => undefined)
  }
  await syncDirectory(directory)
  return { privateKey: key.privateKey, publicKey: key.publicKey, created: true }
}

/** Creates `path` (never replacing a file) with mode 0600 and `content`, synced to disk. */
async function writePrivateFile(path: string, content: string): Promise<void> {
  const file = await open(path, 'wx', 0o600)
  try {
    // The umask can only narrow the mode; make it exactly 0600 whatever it is.
    await file.chmod(0o600)
    await file.writeFile(content)
    await file.sync()
  } finally {
    await file.close()
  }
}

/**
 * Makes the new file's name durable: checkpoints are signed with this key from now on, and a key
 * lost in a crash would leave them unverifiable. Best effort: not every platform can open a directory.
 */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // e.g. Windows; the file itself was synced
  }
}

/** The raw 32-byte Ed25519 public key (what verifier keys and key hashes are made of). */
export function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`)
  }
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  const der = publicKey.export({ format: 'der', type: 'spki' })
  return Buffer.from(der.subarray(der.length - 32))
}
