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
import { link, mkdir, open, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'

export interface SigningKey {
  privateKey: KeyObject
  publicKey: KeyObject
}

/** What is wrong with a signing key file. */
export type SigningKeyProblem =
  /** There is no file at the path given. */
  | 'missing'
  /** The file exists but cannot be read (permissions, a directory, an I/O error). */
  | 'unreadable'
  /** Not an Ed25519 private key in PEM, or empty. */
  | 'malformed'
  /** Other users may read or write it. */
  | 'loose_permissions'
  /** The store holds checkpoints signed with a key that is no longer there. */
  | 'lost'
  /** The key did not sign the store's checkpoints (or signs under another name). */
  | 'mismatch'

/** Thrown when a key file cannot be read, is not an Ed25519 private key, or is not the store's key. */
export class InvalidSigningKey extends Error {
  readonly code = 'invalid_signing_key'
  constructor(
    readonly path: string,
    message: string,
    readonly reason: SigningKeyProblem = 'malformed',
  ) {
    super(message)
    this.name = 'InvalidSigningKey'
  }
}

export interface KeyFileRules {
  /**
   * Refuse a file that other users may read or write, as ssh does: the key signs every checkpoint,
   * and whoever can read it can sign a rewritten history. (Not for reading the public half only.)
   */
  privateFile?: boolean
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

function unreadable(path: string, error: unknown): InvalidSigningKey {
  const user = typeof process.getuid === 'function' ? ` (this process runs as uid ${process.getuid()})` : ''
  return new InvalidSigningKey(
    path,
    `cannot read the signing key ${path}: ${(error as Error).message}. Make it a file this user${user} can read, with mode 0600 (chown, then chmod 600 ${path})`,
    'unreadable',
  )
}

/**
 * The file's bytes, or undefined when there is no such file. The mode is read from the open file, so
 * the file checked is the file read.
 */
async function readKeyFile(path: string, rules: KeyFileRules = {}): Promise<Buffer | undefined> {
  let file
  try {
    file = await open(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw unreadable(path, error)
  }
  try {
    const stats = await file.stat()
    if (!stats.isFile()) throw unreadable(path, new Error('it is not a regular file'))
    const loose = stats.mode & 0o077
    if (rules.privateFile === true && loose !== 0 && process.platform !== 'win32') {
      throw new InvalidSigningKey(
        path,
        `the signing key ${path} may be ${loose & 0o044 ? 'read' : 'written'} by other users (mode 0${(stats.mode & 0o777).toString(8)}): whoever can read it can sign a rewritten history. Make it private: chmod 600 ${path}`,
        'loose_permissions',
      )
    }
    return await file.readFile()
  } catch (error) {
    if (error instanceof InvalidSigningKey) throw error
    throw unreadable(path, error)
  } finally {
    await file.close()
  }
}

export async function loadSigningKey(path: string, rules: KeyFileRules = {}): Promise<SigningKey> {
  const pem = await readKeyFile(path, rules)
  if (pem === undefined) throw new InvalidSigningKey(path, `there is no signing key at ${path}`, 'missing')
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
  rules: KeyFileRules = {},
): Promise<SigningKey & { created: boolean }> {
  const existing = await readKeyFile(path, rules)
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
