/**
 * The raw append baseline that cannot drift from the ledger's code: the SQL the real write path runs,
 * captured and replayed.
 *
 * `captureWrites` composes the ledger in this process on a scratch copy of a store and sends it write
 * requests one after another (`recordEvents`, the function POST /events calls, with the same claims the
 * HTTP runs send), while a wrapper around better-sqlite3's `Statement.run` records every write statement
 * the ledger's connection runs (its SQL and parameters) and every COMMIT, so each request's transaction
 * is known: the events rows, the read models' rows and updates, the Merkle nodes, the read models'
 * positions, the signed checkpoint. Reads (idempotency lookups, the folds' lookups) are not recorded:
 * they are the ledger's own work, not rows it stores.
 *
 * `replayWrites` runs exactly those statements, each prepared once, in transactions of the captured
 * size (BEGIN IMMEDIATE … COMMIT, as the store does), on another copy of the same store, with the
 * ledger's durability (WAL, synchronous=FULL) and page cache: raw better-sqlite3 writing the same rows.
 */
import { randomUUID } from 'node:crypto'
import Database from 'better-sqlite3'
import { pino } from 'pino'
import { compose } from '../src/compose.js'
import { parseConfig } from '../src/config/config.js'
import { claimMaker, type AppendTarget, type ClaimOptions } from './appends.js'
import { combineRawAppends, type RawAppendResult } from './raw.js'

export interface CapturedWrite {
  sql: string
  args: unknown[]
}

export interface CaptureResult {
  eventsPerRequest: number
  requests: number
  events: number
  /** One list of writes per committed transaction, in order. */
  transactions: CapturedWrite[][]
  /** Writes that ran outside a transaction (none expected on the embedded store). */
  outsideTransactions: number
  /** How many times each statement ran, by its SQL (whitespace collapsed). */
  statements: Record<string, number>
  writesPerEvent: number
  /** The ledger composed in this process, requests sent one at a time, the capture wrapper on. */
  inProcess: { seconds: number; eventsPerSecond: number; requestsPerSecond: number }
  /** The ledger connection's page cache (PRAGMA cache_size), applied to the replay too. */
  cacheSize: number
  /** The ledger's WAL checkpoint mark, pages: the replay checkpoints as often. */
  walAutocheckpoint: number
}

type Run = (this: Database.Statement, ...args: unknown[]) => Database.RunResult

const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b/i

function copyArg(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return Buffer.from(value)
  if (value instanceof Uint8Array) return Buffer.from(value)
  if (typeof value === 'object' && value !== null) return structuredClone(value)
  return value
}

/**
 * Sends `requests` write requests of `eventsPerRequest` claims each to the ledger composed on
 * `storePath` (a scratch copy: it is written to) and records what they write.
 */
export async function captureWrites(storePath: string, target: AppendTarget, eventsPerRequest: number, requests: number, claims: ClaimOptions = {}): Promise<CaptureResult> {
  const config = parseConfig({ LEDGER_STORE: `sqlite:${storePath}`, LEDGER_SEED: 'false', LOG_LEVEL: 'silent' })
  const ledger = await compose(config, { logger: pino({ level: 'silent' }), access: 'write' })
  const db = ledger.store.db
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as { run: Run }
  const original = proto.run
  const transactions: CapturedWrite[][] = []
  const statements: Record<string, number> = {}
  let current: CapturedWrite[] | undefined
  let outsideTransactions = 0
  proto.run = function run(this: Database.Statement, ...args: unknown[]): Database.RunResult {
    if (this.database === db) {
      const sql = this.source
      if (TRANSACTION_CONTROL.test(sql)) {
        const word = sql.trim().split(/\s+/)[0]!.toUpperCase()
        if (word === 'BEGIN') current = []
        const result = original.apply(this, args)
        if ((word === 'COMMIT' || word === 'END') && current !== undefined) {
          transactions.push(current)
          current = undefined
        }
        if (word === 'ROLLBACK') current = undefined
        return result
      }
      if (!this.readonly) {
        const write = { sql, args: args.map(copyArg) }
        if (current === undefined) {
          outsideTransactions += 1
          transactions.push([write])
        } else {
          current.push(write)
        }
        const key = sql.replace(/\s+/g, ' ').trim()
        statements[key] = (statements[key] ?? 0) + 1
      }
    }
    return original.apply(this, args)
  }
  const make = claimMaker(target, claims)
  let seconds = 0
  try {
    const bodies = Array.from({ length: requests }, () => Array.from({ length: eventsPerRequest }, make))
    const started = performance.now()
    for (const events of bodies) {
      const outcome = await ledger.recordEvents(events, { recordedBy: 'bench', correlationId: randomUUID() })
      if (outcome.written !== events.length) throw new Error(`capture: a request wrote ${outcome.written} of ${events.length} events`)
    }
    seconds = (performance.now() - started) / 1000
  } finally {
    proto.run = original
  }
  const cacheSize = Number(db.pragma('cache_size', { simple: true }))
  const walAutocheckpoint = Number(db.pragma('wal_autocheckpoint', { simple: true }))
  await ledger.close()
  const events = requests * eventsPerRequest
  const writes = transactions.reduce((sum, writes) => sum + writes.length, 0)
  return {
    eventsPerRequest,
    requests,
    events,
    transactions,
    outsideTransactions,
    statements,
    writesPerEvent: writes / events,
    inProcess: { seconds, eventsPerSecond: events / seconds, requestsPerSecond: requests / seconds },
    cacheSize,
    walAutocheckpoint,
  }
}

export interface ReplayResult extends RawAppendResult {
  writesPerEvent: number
  statements: number
}

/** Replays of consecutive slices as one result. */
export function combineReplays(parts: readonly ReplayResult[]): ReplayResult {
  return { ...combineRawAppends(parts), writesPerEvent: parts[0]!.writesPerEvent, statements: Math.max(...parts.map((part) => part.statements)) }
}

/**
 * Replays captured transactions `from` (inclusive) `to` (exclusive; default all of them) on `storePath`:
 * a copy of the store the capture started from that has replayed everything captured before them, in
 * order. Only the transactions are timed. Slices let the replay alternate with the ledger's runs.
 */
export function replayWrites(storePath: string, capture: CaptureResult, slice: { from?: number; to?: number } = {}): ReplayResult {
  const transactionsToReplay = capture.transactions.slice(slice.from ?? 0, slice.to ?? capture.transactions.length)
  const db = new Database(storePath)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma(`cache_size = ${capture.cacheSize}`)
    db.pragma(`wal_autocheckpoint = ${capture.walAutocheckpoint}`)
    if (db.pragma('journal_mode', { simple: true }) !== 'wal' || Number(db.pragma('synchronous', { simple: true })) !== 2) {
      throw new Error('raw baseline: could not set WAL with synchronous=FULL')
    }
    const prepared = new Map<string, Database.Statement>()
    for (const writes of transactionsToReplay) for (const { sql } of writes) if (!prepared.has(sql)) prepared.set(sql, db.prepare(sql))
    const commit = db.transaction((writes: CapturedWrite[]) => {
      for (const { sql, args } of writes) prepared.get(sql)!.run(...args)
    })
    let spent = 0
    for (const writes of transactionsToReplay) {
      const started = performance.now()
      commit.immediate(writes)
      spent += performance.now() - started
    }
    const seconds = spent / 1000
    const transactions = transactionsToReplay.length
    const events = transactions * capture.eventsPerRequest
    return {
      eventsPerTransaction: capture.eventsPerRequest,
      events,
      transactions,
      seconds,
      eventsPerSecond: events / seconds,
      transactionsPerSecond: transactions / seconds,
      writesPerEvent: capture.writesPerEvent,
      statements: prepared.size,
    }
  } finally {
    db.close()
  }
}
