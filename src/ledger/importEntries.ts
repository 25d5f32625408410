import { canonicalJson } from '../log/canonicalJson.js'
import { leafHash } from '../log/entry.js'
import { LedgerError } from '../errors.js'
import { readEnvelope, streamOf, type RecordedEvent } from '../../events/index.js'
import type { EventStore, EventToAppend, StoredEvent, StreamAppend } from '../stores/eventStore.js'
import { decide } from '../writeModel/decide.js'
import type { WriteFacts } from '../writeModel/writeState.js'
import type { ProjectionRunner } from '../runner/projectionRunner.js'

/**
 * Writes log entry lines verbatim (ids, metadata and so the Merkle root preserved), only into a store
 * that is empty or holds an exact prefix of them: how the seed is loaded and how a store migrates.
 * Each batch is one append; an interrupted import leaves a prefix, and running it again completes it.
 * `signal` stops it between batches: the batch being written is finished, nothing of the next is.
 */

export interface ImportEntriesDeps {
  store: EventStore
  runner: ProjectionRunner
  facts: WriteFacts
  /** After an append: resolves once its checkpoint is signed and kept. */
  settle(stored: readonly StoredEvent[]): Promise<void>
}

export interface ImportEntriesResult {
  /** Lines already in the store (the prefix). */
  skipped: number
  written: number
  /** The signal stopped it at a batch boundary: the store holds the first `skipped + written` lines. */
  stopped: boolean
}

export class NotAPrefix extends LedgerError {}

interface ParsedEntry {
  line: string
  envelope: RecordedEvent
}

/** One entry line, checked as strictly as a write: shape, schema, stream, and canonical bytes. */
export function parseEntryLine(line: string, lineNumber: number): ParsedEntry {
  const fail = (message: string): never => {
    throw new LedgerError('invalid_request', `line ${lineNumber}: ${message}`, {
      errors: [{ path: `line ${lineNumber}`, message }],
    })
  }
  let json: unknown
  try {
    json = JSON.parse(line)
  } catch (error) {
    return fail(`not JSON (${(error as Error).message})`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('not a log entry: expected a JSON object')
  const { id, stream, type, data, metadata, ...rest } = json as Record<string, unknown>
  if (Object.keys(rest).length > 0) fail(`not a log entry: unexpected keys ${Object.keys(rest).join(', ')}`)
  const read = readEnvelope({ id, stream, type, data, metadata })
  if (!read.ok) return fail(`not a valid log entry: ${read.message.slice(0, 500)}`)
  const event = read.envelope
  if (streamOf(event) !== event.stream) fail(`stream ${event.stream} does not follow from the data (${streamOf(event)})`)
  if (canonicalJson(json) !== line) fail('not in RFC 8785 canonical form, so its leaf hash would not be the exported one')
  return { line, envelope: { ...event, revision: -1, position: -1 } as RecordedEvent }
}

export async function importEntries(
  lines: AsyncIterable<string> | Iterable<string>,
  deps: ImportEntriesDeps,
  options: { batchSize?: number; onProgress?: (done: number) => void; signal?: AbortSignal } = {},
): Promise<ImportEntriesResult> {
  const batchSize = options.batchSize ?? 1_000
  let lineNumber = 0
  let skipped = 0
  let written = 0
  let batch: ParsedEntry[] = []
  let head = await deps.store.head()

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    await deps.runner.waitFor(head)
    // the rules hold for imported events too: a log that breaks them is not a ledger's export
    const decision = decide(
      deps.facts,
      batch.map(({ envelope }) => ({ ...envelope, expectedRevision: undefined })),
      { indexes: batch.map((_, i) => lineNumber - batch.length + i + 1) },
    )
    const byId = new Map(batch.map((entry) => [entry.envelope.id, entry]))
    const runs: StreamAppend[] = decision.runs.map((run) => ({
      stream: run.stream,
      expectedRevision: run.expectedRevision,
      events: run.events.map((event): EventToAppend => {
        const { line, envelope } = byId.get(event.id)!
        return { id: envelope.id, stream: envelope.stream, type: envelope.type, data: envelope.data, metadata: envelope.metadata, entry: line, leafHash: leafHash(line) }
      }),
    }))
    const stored = await deps.store.append(runs)
    head = stored[stored.length - 1]!.position + 1
    await deps.settle(stored)
    written += stored.length
    batch = []
    options.onProgress?.(skipped + written)
    // lines read from a file's buffer and appends all run without ever yielding to the event loop:
    // yield once a batch, so that a signal that came during this one is seen before the next begins
    if (options.signal !== undefined) await new Promise((resolve) => setImmediate(resolve))
  }

  for await (const raw of lines) {
    if (options.signal?.aborted === true) return { skipped, written, stopped: true }
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line === '') continue
    lineNumber += 1
    const position = lineNumber - 1
    if (position < head) {
      const [stored] = await deps.store.readAll(position, 1)
      if (stored?.entry !== line) {
        throw new NotAPrefix(
          'invalid_request',
          `the store is not empty and its entry at position ${position} differs from line ${lineNumber}: entries are imported only into an empty store or one holding an exact prefix of them`,
        )
      }
      skipped += 1
      continue
    }
    batch.push(parseEntryLine(line, lineNumber))
    if (batch.length >= batchSize) await flush()
  }
  // stopped while the last lines were read: they are not a batch that was begun
  if (options.signal?.aborted === true) return { skipped, written, stopped: true }
  await flush()
  return { skipped, written, stopped: false }
}
