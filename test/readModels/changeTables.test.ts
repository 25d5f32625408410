import { deepStrictEqual } from 'node:assert/strict'
import type Database from 'better-sqlite3'
import fc from 'fast-check'
import t from 'tap'
import type { RecordedEvent } from '../../events/index.js'
import { buildLedger, claimScript } from '../support/fuzz/claimScript.js'
import { foldInto, phillyLog, PHILLY, rebuildFrom, STATUS, type FoldedLedger } from './fixtures/ledger.js'

/**
 * A rebuild does not keep rm_changes entry by entry: it folds the log, then works each timeline's
 * changes out of rm_timeline in one sweep. What it leaves must be exactly what the live fold leaves,
 * event by event, including the record-time history (changes closed by corrections and retractions,
 * none that no position ever saw), whatever the chunks, an interruption, or live writes after it.
 */

const RUNS = 300

/** Every table, schema included, row by row in one order: two stores that fold alike compare equal. */
function contents(db: Database.Database): Record<string, unknown[][]> {
  const tables = db.prepare<[], { name: string; type: string; sql: string | null }>("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all()
  const dump: Record<string, unknown[][]> = { '(schema)': tables.map((table) => [table.type, table.name, table.sql]) }
  for (const { name } of tables.filter((table) => table.type === 'table')) {
    const columns = db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${name}')`).all()
    const order = columns.map((_column, i) => i + 1).join(', ')
    dump[name] = db.prepare(`SELECT * FROM ${name} ORDER BY ${order}`).raw().all() as unknown[][]
  }
  return dump
}

function sameTables(rebuilt: FoldedLedger, live: FoldedLedger, what: string): void {
  const a = contents(rebuilt.db)
  const b = contents(live.db)
  for (const table of Object.keys(b)) deepStrictEqual(a[table], b[table], `${what}: ${table}`)
  deepStrictEqual(Object.keys(a), Object.keys(b), `${what}: the tables`)
}

/** The live fold, in batches cut where `cuts` says: one commit each, as writes come. */
function liveFold(events: readonly RecordedEvent[], cuts: readonly boolean[]): FoldedLedger {
  const live = foldInto()
  let batch: RecordedEvent[] = []
  events.forEach((event, i) => {
    batch.push(event)
    if (cuts[i % cuts.length] === true) {
      live.apply(batch)
      batch = []
    }
  })
  live.apply(batch)
  return live
}

const ledger = claimScript(60).map(buildLedger)
const cuts = fc.array(fc.boolean(), { minLength: 1, maxLength: 8 })

t.test('a rebuild leaves every table as the live fold does, changes and their history included', async (t) => {
  fc.assert(
    fc.property(ledger, cuts, fc.integer({ min: 1, max: 12 }), fc.option(fc.nat(6)), (events, cut, chunk, interruptAfter) => {
      const rebuilt = rebuildFrom(events, { chunk, ...(interruptAfter !== null && { interruptAfter }) })
      sameTables(rebuilt, liveFold(events, cut), `chunks of ${chunk}${interruptAfter === null ? '' : `, killed after ${interruptAfter}`}`)
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} random ledgers`)
})

t.test('live writes after a rebuild keep the changes as the live fold does', async (t) => {
  fc.assert(
    fc.property(ledger, cuts, fc.nat(), fc.integer({ min: 1, max: 12 }), (events, cut, split, chunk) => {
      const at = split % (events.length + 1)
      const rebuilt = rebuildFrom(events.slice(0, at), { chunk })
      for (const event of events.slice(at)) rebuilt.apply([event])
      sameTables(rebuilt, liveFold(events, cut), `rebuilt up to ${at}`)
    }),
    { numRuns: RUNS },
  )
  t.pass(`${RUNS} random ledgers`)
})

t.test('a correction that leaves the stance as it was closes the change and opens the same one, rebuilt or live', async (t) => {
  const log = phillyLog()
  log.claim({ type: 'StatementMade', on: '2016-01-04', stances: { [STATUS]: 'sanctuary' } })
  const second = log.claim({ type: 'StatementMade', on: '2016-03-01', stances: { [STATUS]: 'welcoming' } })
  // a reaffirmation of the value in force is no change
  log.claim({ type: 'StatementMade', on: '2016-04-01', stances: { [STATUS]: 'welcoming' } })
  log.correct(second, { summary: 'reworded' })
  // backdated before the first: the first claim's day is no longer a change
  log.claim({ type: 'StatementMade', on: '2015-12-01', stances: { [STATUS]: 'sanctuary' } })
  log.retract(second)
  const changes = (folded: FoldedLedger) =>
    folded.db
      .prepare(`SELECT on_date, before, after, from_position, to_position FROM rm_changes WHERE jurisdiction_id = ? AND dimension = ? ORDER BY day, from_position`)
      .raw()
      .all(PHILLY, STATUS)
  const expected = [
    ['2015-12-01', 'unknown', 'sanctuary', 6, null],
    ['2016-01-04', 'unknown', 'sanctuary', 2, 6],
    ['2016-03-01', 'sanctuary', 'welcoming', 3, 5],
    ['2016-03-01', 'sanctuary', 'welcoming', 5, 7],
    ['2016-04-01', 'sanctuary', 'welcoming', 7, null],
  ]
  t.strictSame(changes(foldInto(log.events)), expected, 'live')
  t.strictSame(changes(rebuildFrom(log.events, { chunk: 3 })), expected, 'rebuilt')
})
