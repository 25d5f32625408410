import { createReadStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { SingleBar } from 'cli-progress'
import { compose } from '../compose.js'
import type { Config } from '../config/config.js'
import { LedgerError } from '../errors.js'
import { importEntries } from '../ledger/importEntries.js'
import { importedEventId } from '../ledger/importedEventId.js'
import { canonicalJson, NotCanonicalisable } from '../log/canonicalJson.js'
import { statusOf } from '../http/problems.js'
import { isOutOfSpace, storeFull } from '../stores/outOfSpace.js'
import { WriteItem, withId } from '../ledger/writeRequest.js'
import type { ProposedEvent } from '../writeModel/proposedEvent.js'
import { createLogger } from './logger.js'

/**
 * `import FILE|-`: entry lines (from `export`) are written verbatim into an empty store or one holding
 * an exact prefix of them; event lines (POST /events shape) are new writes, idempotent by id, sent in
 * batches to the store or to a running service (--url). An event line without an id gets one derived
 * from its content (importedEventId.ts), so that running an import again never writes an event twice.
 * Each batch is one transaction: whatever stops an import (a signal, a kill, a full disk) leaves whole
 * batches, and the same import run again finishes it. Ends with a summary.
 */
export interface ImportOptions {
  url?: string
  token?: string
  batch: number
  recordedBy: string
}

interface Rejection {
  line: number
  id?: string
  reason: string
}

interface Summary {
  written: number
  skipped: number
  rejected: Rejection[]
}

/**
 * The non-blank lines with their numbers. `stop` ends them, even while a pipe has nothing to give; the
 * input is closed when they end however they end, so standard input keeps no stopped import alive.
 */
async function* readLines(file: string, stop?: AbortSignal): AsyncGenerator<{ line: string; number: number }> {
  const input = file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' })
  const reader = createInterface({ input, crlfDelay: Infinity })
  const close = () => reader.close()
  stop?.addEventListener('abort', close, { once: true })
  let number = 0
  try {
    for await (const raw of reader) {
      number += 1
      if (raw.trim() !== '') yield { line: raw, number }
    }
  } finally {
    stop?.removeEventListener('abort', close)
    reader.close()
    input.destroy()
  }
}

function looksLikeEntry(line: string): boolean {
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>
    return typeof parsed === 'object' && parsed !== null && 'metadata' in parsed && 'stream' in parsed
  } catch {
    return false
  }
}

/** A progress bar with rate and ETA on a terminal; a plain line now and then otherwise. */
function progressReporter(total: number | undefined) {
  const started = Date.now()
  if (process.stderr.isTTY === true) {
    const bar = new SingleBar(
      { stream: process.stderr, format: 'importing [{bar}] {value}/{total} lines | {rate}/s | ETA {eta_formatted}', hideCursor: true },
    )
    bar.start(total ?? 0, 0, { rate: 0 })
    return {
      update: (done: number) => bar.update(done, { rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)) }),
      stop: () => bar.stop(),
    }
  }
  let last = 0
  return {
    update: (done: number) => {
      if (Date.now() - last < 2_000) return
      last = Date.now()
      const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000))
      process.stderr.write(`imported ${done}${total === undefined ? '' : `/${total}`} lines (${rate}/s)\n`)
    },
    stop: () => undefined,
  }
}

async function countLines(file: string): Promise<number | undefined> {
  if (file === '-' || !statSync(file).isFile()) return undefined
  let count = 0
  for await (const _ of readLines(file)) count += 1
  return count
}

/** The index into a batch that a LedgerError blames, from `errors[].path` (`/events/<i>/...`). */
function blamedIndex(error: LedgerError): number | undefined {
  const path = error.extra.errors?.[0]?.path ?? ''
  const match = /^\/events\/(\d+)/.exec(path)
  return match === null ? undefined : Number(match[1])
}

type Sender = (events: ProposedEvent[]) => Promise<{ written: number }>

/** Sends a batch; an event the ledger refuses is set aside with its reason and the rest is sent again. */
async function sendBatch(batch: Array<{ event: ProposedEvent; line: number }>, send: Sender, summary: Summary): Promise<void> {
  let pending = batch
  while (pending.length > 0) {
    try {
      const { written } = await send(pending.map(({ event }) => event))
      summary.written += written
      summary.skipped += pending.length - written
      return
    } catch (error) {
      // the store's trouble (a full disk, say) is no fault of a line: the import stops
      if (!(error instanceof LedgerError) || statusOf(error.code) >= 500) throw error
      const index = blamedIndex(error) ?? (pending.length === 1 ? 0 : undefined)
      if (index === undefined) throw error
      const blamed = pending[index]!
      summary.rejected.push({ line: blamed.line, id: blamed.event.id, reason: `${error.code}: ${error.message}` })
      pending = pending.filter((_, i) => i !== index)
    }
  }
}

function httpSender(url: string, token: string | undefined): Sender {
  const endpoint = new URL('/events', url).toString()
  return async (events) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ events: events.map(({ id, type, data, expectedRevision }) => ({ id, type, data, expectedRevision })) }),
    })
    const body = (await response.json()) as { events?: unknown[]; type?: string; detail?: string; errors?: Array<{ path: string; message: string }> }
    if (response.status === 200) return { written: 0 }
    if (response.status === 201) {
      // the service does not say which were duplicates; count them from a second look is not worth a call
      return { written: events.length }
    }
    const code = (body.type ?? '').split('/').pop()?.replaceAll('-', '_') ?? 'invalid_request'
    if (response.status >= 400 && response.status < 500 && response.status !== 401 && response.status !== 403 && response.status !== 429) {
      throw new LedgerError(code as 'invalid_request', body.detail ?? `HTTP ${response.status}`, { errors: body.errors ?? [] })
    }
    throw new Error(`${endpoint} answered ${response.status}: ${body.detail ?? ''}`)
  }
}

/** 128 + the signal's number: what a shell reports for a process that a signal ended. */
const signalExitCodes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 }

/**
 * SIGTERM or SIGINT stops the import between batches: the batch being written is finished, nothing of
 * the next one is, and the exit code is the signal's (143, 130). A second signal ends it at once,
 * which leaves whole batches too (each is one transaction). Either way the same import run again
 * skips what is stored and finishes it.
 */
export async function importFile(file: string, options: ImportOptions, config: () => Config): Promise<number> {
  const stop = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => stop.abort(signal)
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
  const input = readLines(file, stop.signal)
  try {
    return await importLines(input, file, options, config, stop.signal)
  } finally {
    // closes the input, however the import ended (a refused start, say)
    await input.return(undefined)
    process.removeListener('SIGTERM', onSignal)
    process.removeListener('SIGINT', onSignal)
  }
}

/** The event lines of one batch, and the ids it holds (an event line's id, or the one derived for it). */
interface Batch {
  events: Array<{ event: ProposedEvent; line: number }>
  ids: Map<string, { line: number; content: string }>
}

async function importLines(
  input: AsyncGenerator<{ line: string; number: number }>,
  file: string,
  options: ImportOptions,
  config: () => Config,
  signal: AbortSignal,
): Promise<number> {
  // one pass over the input (standard input cannot be read twice): peek at the first line, then go on
  const head = await input.next()
  const first = head.done === true ? undefined : head.value.line
  let lastRead = 0
  async function* lines() {
    if (head.done !== true) yield head.value
    yield* input
  }
  const summary: Summary = { written: 0, skipped: 0, rejected: [] }
  const total = await countLines(file)
  const progress = progressReporter(total)
  const entries = first !== undefined && looksLikeEntry(first)
  if (entries && options.url !== undefined) {
    throw new LedgerError('invalid_request', 'entry lines carry metadata that only a direct import keeps: import them without --url, on the store')
  }
  const ledger = options.url === undefined ? await compose(config(), { logger: createLogger('warn', 'stderr'), access: 'write' }) : undefined
  /** The last line of the last batch the store took: every line up to it is stored, skipped or rejected. */
  let through = 0
  let stopped = false
  let failure: unknown
  try {
    if (entries) {
      const result = await importEntries(
        (async function* () {
          for await (const { line, number } of lines()) {
            lastRead = number
            yield line
          }
        })(),
        ledger!.importDeps,
        {
          batchSize: options.batch,
          // called after each batch, before the next line is read
          onProgress: (done) => {
            through = lastRead
            progress.update(done)
          },
          signal,
        },
      )
      summary.written = result.written
      summary.skipped = result.skipped
      stopped = result.stopped
    } else {
      const send: Sender =
        options.url !== undefined
          ? httpSender(options.url, options.token)
          : (events) => ledger!.recordEvents(events, { recordedBy: options.recordedBy })
      let batch: Batch = { events: [], ids: new Map() }
      let done = 0
      for await (const { line, number } of lines()) {
        if (signal.aborted) {
          stopped = true
          break
        }
        lastRead = number
        done += 1
        const event = eventLine(line, number, summary)
        if (event === undefined) continue
        const earlier = batch.ids.get(event.id)
        if (earlier !== undefined) {
          // one request may not carry an id twice: the same content is the earlier line's event
          if (earlier.content === event.content) summary.skipped += 1
          else summary.rejected.push({ line: number, id: event.id, reason: `idempotency_conflict: the same id as line ${earlier.line}, with other content` })
          continue
        }
        batch.ids.set(event.id, { line: number, content: event.content })
        batch.events.push({ event: event.event, line: number })
        if (batch.events.length >= options.batch) {
          await sendBatch(batch.events, send, summary)
          through = number
          batch = { events: [], ids: new Map() }
          progress.update(done)
        }
      }
      if (!stopped && signal.aborted) stopped = true
      if (!stopped) {
        await sendBatch(batch.events, send, summary)
        through = lastRead
        progress.update(done)
      }
    }
  } catch (error) {
    failure = error
  } finally {
    progress.stop()
    await ledger?.close()
  }
  printSummary(summary)
  if (failure !== undefined) {
    process.stderr.write(
      `import stopped after line ${through}: every line up to it is in the store or was rejected, nothing after it was written. Run the same import again once the cause below is dealt with: what is stored is skipped.\n`,
    )
    const storePath = ledger?.config.readModelsPath
    const full =
      (failure instanceof LedgerError && failure.code === 'store_full') ||
      (!(failure instanceof LedgerError) && isOutOfSpace(failure, storePath))
    if (full && storePath !== undefined) throw storeFull(storePath, `write the batch after line ${through}`, failure)
    throw failure
  }
  if (stopped) {
    const reason = typeof signal.reason === 'string' ? (signal.reason as NodeJS.Signals) : 'SIGTERM'
    process.stderr.write(
      `policy-ledger: import interrupted by ${reason}: stopped between batches after line ${through}${total === undefined ? '' : ` of ${total}`}; the store holds whole batches only. Run the same import again to finish it: what is stored is skipped.\n`,
    )
    return signalExitCodes[reason] ?? 1
  }
  return summary.rejected.length === 0 ? 0 : 1
}

/** One event line as a proposed event with its id (derived when it has none); undefined when rejected. */
function eventLine(line: string, number: number, summary: Summary): { id: string; event: ProposedEvent; content: string } | undefined {
  let json: unknown
  try {
    json = JSON.parse(line)
  } catch (error) {
    summary.rejected.push({ line: number, reason: `not JSON: ${(error as Error).message}` })
    return undefined
  }
  const parsed = WriteItem.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    summary.rejected.push({ line: number, reason: `invalid_request: /${issue.path.join('/')}: ${issue.message}` })
    return undefined
  }
  const item = parsed.data
  let canonicalData: string
  try {
    canonicalData = canonicalJson(item.data)
  } catch (error) {
    if (!(error instanceof NotCanonicalisable)) throw error
    summary.rejected.push({ line: number, id: item.id, reason: `invalid_string: /data${error.path}: ${error.message}` })
    return undefined
  }
  const event = withId(item, () => importedEventId(item.type, canonicalData))
  return { id: event.id, event, content: `${item.type}\n${canonicalData}` }
}

function printSummary(summary: Summary): void {
  process.stdout.write(`written: ${summary.written}, skipped (already recorded): ${summary.skipped}, rejected: ${summary.rejected.length}\n`)
  for (const rejection of summary.rejected) {
    process.stdout.write(`  line ${rejection.line}${rejection.id === undefined ? '' : ` (${rejection.id})`}: ${rejection.reason}\n`)
  }
}
