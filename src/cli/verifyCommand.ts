import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { createReadStream } from 'node:fs'
import { z } from 'zod'
import { isClaim, readEnvelope, type ClaimChanges, type Quote } from '../../events/index.js'
import { mergeChanges } from '../../projections/index.js'
import { openStoreOnly } from '../compose.js'
import type { Config } from '../config/config.js'
import { LedgerError } from '../errors.js'
import { verifierKey } from '../log/checkpoint.js'
import { loadSigningKey } from '../log/signingKey.js'
import { checkCheckpointAgainst, EntryChecker, type EntryProblem } from '../log/verifyLog.js'
import type { EventStore } from '../stores/eventStore.js'
import { openSqliteFile, quickCheck } from '../stores/openSqliteFile.js'
import { sha256Hex } from '../sha256Hex.js'
import { locateQuote } from '../writeModel/locateQuote.js'
import { createLogger } from './logger.js'

/**
 * `verify`: recompute every stored entry's leaf hash against the stored one, check positions are
 * contiguous, hold the log to every checkpoint it kept (signature, size, root), and re-check every
 * quote, then (on an embedded store) have SQLite read every page of the file. `verify --entries FILE [--checkpoint FILE] [--key VKEY]` does the log part offline.
 */

export interface VerifyOptions {
  entries?: string
  checkpoint?: string
  key?: string
}

const CheckpointFile = z.object({
  origin: z.string(),
  treeSize: z.number().int().min(0),
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  note: z.string(),
  publicKey: z.string(),
})

type Out = (line: string) => void

function entryFailure(problem: EntryProblem, out: Out): number {
  out(`FAIL ${problem.kind} at position ${problem.position}${problem.id === undefined ? '' : ` (event ${problem.id})`}: ${problem.message}`)
  return 1
}

async function offline(options: VerifyOptions, out: Out): Promise<number> {
  const checker = new EntryChecker()
  let position = 0
  for await (const line of createInterface({ input: createReadStream(options.entries!, 'utf8'), crlfDelay: Infinity })) {
    if (line === '') continue
    const problem = checker.check({ position, entry: line })
    if (problem !== undefined) return entryFailure(problem, out)
    position += 1
  }
  const result = checker.result()
  if (!result.ok) return entryFailure(result.problem, out)
  out(`entries: ${result.size}, root: ${result.root.toString('hex')}`)
  if (options.checkpoint === undefined) return 0
  const parsed = CheckpointFile.safeParse(JSON.parse(readFileSync(options.checkpoint, 'utf8')))
  if (!parsed.success) {
    throw new LedgerError('invalid_request', `${options.checkpoint} is not the JSON of GET /ledger/checkpoint: ${parsed.error.issues[0]?.message}`)
  }
  const file = parsed.data
  const vkey = options.key ?? file.publicKey
  const checked = checkCheckpointAgainst(result.tree, file.note, vkey)
  if (!checked.ok) {
    out(`FAIL ${checked.problem.kind}: ${checked.problem.message}`)
    return 1
  }
  if (checked.checkpoint.treeSize !== file.treeSize || checked.checkpoint.rootHash.toString('hex') !== file.rootHash) {
    out('FAIL the checkpoint JSON says another size or root than its signed note')
    return 1
  }
  out(`checkpoint: size ${file.treeSize} signed by ${vkey.split('+')[0]} verifies; the entries reproduce its root`)
  if (options.key === undefined) out('note: checked with the key the checkpoint names; pass --key with a key you trust to check who signed it')
  return 0
}

/** The verifier key of this store's signing key: LEDGER_SIGNING_KEY, the key generated beside the store, or --key. */
async function storeVerifierKey(config: Config, key: string | undefined): Promise<string | undefined> {
  if (key !== undefined) return key
  const path =
    config.signingKeyPath ?? (config.store.kind === 'sqlite' && config.store.path !== ':memory:' ? `${config.store.path}.signing-key.pem` : undefined)
  if (path === undefined) return undefined
  try {
    return verifierKey(config.origin, (await loadSigningKey(path)).publicKey)
  } catch {
    return undefined
  }
}

interface QuoteToCheck {
  position: number
  sourceId: string
  quote?: Quote
}

async function onStore(config: Config, options: VerifyOptions, out: Out): Promise<number> {
  const store: EventStore = await openStoreOnly(config, createLogger('warn', 'stderr'))
  try {
    const checker = new EntryChecker()
    const sources = new Map<string, { via?: string; content?: string; contentSha256?: string }>()
    const claims = new Map<string, QuoteToCheck & { data: Parameters<typeof mergeChanges>[0] }>()
    for (let from = 0; ; ) {
      const batch = await store.readAll(from, 1_000)
      if (batch.length === 0) break
      for (const stored of batch) {
        const problem = checker.check({ position: stored.position, id: stored.id, entry: stored.entry, leafHash: stored.leafHash })
        if (problem !== undefined) return entryFailure(problem, out)
        const { id, stream, type, data, metadata } = stored
        const read = readEnvelope({ id, stream, type, data, metadata })
        if (!read.ok) {
          out(`FAIL invalid_event at position ${stored.position} (event ${stored.id}): ${read.message}`)
          return 1
        }
        const event = read.envelope
        if (event.type === 'SourceRegistered') sources.set(event.data.sourceId, event.data)
        else if (isClaim(event)) claims.set(stored.id, { position: stored.position, sourceId: event.data.sourceId, quote: event.data.quote, data: event.data })
        else if (event.type === 'ClaimCorrected') {
          const claim = claims.get(event.data.correctsEventId)
          if (claim !== undefined) {
            claim.data = mergeChanges(claim.data, event.data.changes as ClaimChanges)
            claim.sourceId = claim.data.sourceId
            claim.quote = claim.data.quote
          }
        }
      }
      from = batch[batch.length - 1]!.position + 1
    }
    const result = checker.result()
    if (!result.ok) return entryFailure(result.problem, out)
    out(`entries: ${result.size}, positions 0..${result.size - 1} contiguous, every leaf hash recomputed; root: ${result.root.toString('hex')}`)

    const vkey = await storeVerifierKey(config, options.key)
    const kept = await store.checkpoints()
    if (vkey === undefined) {
      out(`FAIL no signing key to check ${kept.length} checkpoints with: set LEDGER_SIGNING_KEY or pass --key VKEY`)
      return 1
    }
    for (const checkpoint of kept) {
      const checked = checkCheckpointAgainst(result.tree, checkpoint.note, vkey)
      if (!checked.ok) {
        out(`FAIL checkpoint of size ${checkpoint.treeSize}: ${checked.problem.kind}: ${checked.problem.message}`)
        return 1
      }
      if (!checked.checkpoint.rootHash.equals(checkpoint.rootHash) || checked.checkpoint.treeSize !== checkpoint.treeSize) {
        out(`FAIL checkpoint of size ${checkpoint.treeSize}: its stored root differs from its signed note`)
        return 1
      }
    }
    out(`checkpoints: ${kept.length} kept, each signed by ${vkey.split('+')[0]} and reproduced by the log`)

    let verified = 0
    let unverifiable = 0
    for (const [id, claim] of claims) {
      if (claim.quote === undefined) continue
      let current: string | undefined = claim.sourceId
      const seen = new Set<string>()
      let source
      while (current !== undefined && !seen.has(current)) {
        seen.add(current)
        source = sources.get(current)
        if (source?.content !== undefined) break
        current = source?.via
      }
      if (source?.content === undefined) {
        unverifiable += 1
        continue
      }
      if (sha256Hex(source.content) !== source.contentSha256) {
        out(`FAIL the archived content of ${current} does not match its contentSha256`)
        return 1
      }
      const location = locateQuote(source.content, claim.quote)
      if (!location.found) {
        out(`FAIL quote of claim ${id} (position ${claim.position}) is not in ${current}: ${location.reason}`)
        return 1
      }
      verified += 1
    }
    out(`quotes: ${verified} found in their archived sources, ${unverifiable} without archived content to check against`)
    if (config.store.kind === 'sqlite' && config.store.path !== ':memory:') {
      const path = config.store.path
      const db = openSqliteFile(path, { readonly: true, fileMustExist: true })
      try {
        quickCheck(db, path)
      } catch (error) {
        if (!(error instanceof LedgerError)) throw error
        out(`FAIL ${error.message}`)
        return 1
      } finally {
        db.close()
      }
      out(`pages: every page of ${path} read by SQLite's quick_check, none damaged`)
    }
    return 0
  } finally {
    await store.close()
  }
}

export async function verifyCommand(options: VerifyOptions, config: () => Config, out: Out = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  if (options.entries !== undefined) return offline(options, out)
  if (options.checkpoint !== undefined) throw new LedgerError('invalid_request', '--checkpoint goes with --entries')
  return onStore(config(), options, out)
}


