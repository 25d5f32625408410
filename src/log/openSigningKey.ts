import type { Logger } from 'pino'
import { setTimeout as sleep } from 'node:timers/promises'
import type { EventStore, StoredCheckpoint } from '../stores/eventStore.js'
import { isStoreUnavailable } from '../stores/storeUnavailable.js'
import { InvalidCheckpoint, parseNote, verifierKey, verifyCheckpoint } from './checkpoint.js'
import {
  InvalidSigningKey,
  loadOrCreateSigningKey,
  loadSigningKey,
  type SigningKey,
} from './signingKey.js'

/**
 * The key this instance will sign checkpoints with, held to the checkpoints the store already keeps.
 *
 * Auditors trust the log's verifier key; a checkpoint signed by another key (or under another name)
 * does not extend the log they trust. So a key is made only for a store that has never signed
 * anything, and a key that did not sign the store's latest checkpoint is refused at start, before it
 * signs anything: never silently replaced.
 */

export interface OpenSigningKeyOptions {
  /** The log's origin (LEDGER_ORIGIN): the checkpoints' key name. */
  origin: string
  /** The store's latest kept checkpoint, if any. */
  latest: StoredCheckpoint | undefined
  /** The store, as the operator named it, for the messages. */
  store: string
  /** Make a key at `path` when there is none and nothing was signed yet (the embedded default). */
  mayCreate: boolean
}

function lost(path: string, options: OpenSigningKeyOptions): InvalidSigningKey {
  return new InvalidSigningKey(
    path,
    `the signing key ${path} is missing, but ${options.store} holds checkpoints signed with it (the latest of size ${options.latest!.treeSize}). A new key would sign checkpoints that no auditor's verifier key accepts, so none was made. Restore the key file from your backup (mode 0600), or set LEDGER_SIGNING_KEY to where it is. If it is lost for good: \`policy-ledger export\` the entries and import them into a new store, which signs with a new key, and publish that key's verifier key.`,
    'lost',
  )
}

/** Throws unless `key` signed the latest checkpoint under `origin`. */
function checkSigned(path: string, key: SigningKey, options: OpenSigningKeyOptions): void {
  const latest = options.latest
  if (latest === undefined) return
  const vkey = verifierKey(options.origin, key.publicKey)
  try {
    verifyCheckpoint(latest.note, vkey)
  } catch (error) {
    if (!(error instanceof InvalidCheckpoint)) throw error
    let signers = ''
    try {
      signers = parseNote(latest.note)
        .signatures.map((signature) => `${signature.name}+${signature.keyHash.toString('hex')}`)
        .join(', ')
    } catch {
      signers = 'an unreadable signature'
    }
    if (error.reason === 'wrong_key_name' || error.reason === 'wrong_origin') {
      throw new InvalidSigningKey(
        path,
        `the latest checkpoint of ${options.store} (size ${latest.treeSize}) is signed as ${signers}, but LEDGER_ORIGIN is "${options.origin}" (key ${vkey.split('+').slice(0, 2).join('+')}). Set LEDGER_ORIGIN to the name the store was signed under: checkpoints under another name do not extend the log auditors trust.`,
        'mismatch',
      )
    }
    throw new InvalidSigningKey(
      path,
      `the signing key ${path} did not sign the checkpoints of ${options.store}: the latest (size ${latest.treeSize}) is signed by ${signers}, and this key is ${vkey.split('+').slice(0, 2).join('+')} (${error.message}). Use the key that signed the store: restore it from your backup, or set LEDGER_SIGNING_KEY to it. Nothing was signed with this one.`,
      'mismatch',
    )
  }
}

export async function openSigningKey(
  path: string,
  options: OpenSigningKeyOptions,
): Promise<SigningKey & { created: boolean }> {
  let key: SigningKey & { created: boolean }
  try {
    key =
      options.mayCreate && options.latest === undefined
        ? await loadOrCreateSigningKey(path, { privateFile: true })
        : { ...(await loadSigningKey(path, { privateFile: true })), created: false }
  } catch (error) {
    if (!(error instanceof InvalidSigningKey) || error.reason !== 'missing') throw error
    if (options.latest !== undefined) throw lost(path, options)
    throw new InvalidSigningKey(
      path,
      `there is no signing key at ${path} (LEDGER_SIGNING_KEY). Fix the path, or make a key there: openssl genpkey -algorithm ed25519 -out ${path}`,
      'missing',
    )
  }
  checkSigned(path, key, options)
  return key
}

/**
 * The store's latest kept checkpoint, to hold the key to. While EventStoreDB cannot be reached this
 * waits and retries (doubling from 200 ms up to 10 s), as the projections' catch-up does, so that a
 * replica started before its store still comes up once the store does.
 */
export async function latestKeptCheckpoint(
  store: EventStore,
  logger: Logger,
  retry = { initialDelayMs: 200, maxDelayMs: 10_000 },
): Promise<StoredCheckpoint | undefined> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await store.latestCheckpoint()
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error
      const delayMs = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** attempt)
      logger.warn(
        { err: error, attempt: attempt + 1, delayMs },
        'the store cannot be reached to read its latest checkpoint (the signing key is checked against it): retrying',
      )
      await sleep(delayMs)
    }
  }
}
