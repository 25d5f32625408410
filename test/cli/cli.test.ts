import t from 'tap'
import Database from 'better-sqlite3'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { acquireStoreLock } from '../../src/stores/storeLock.js'
import { seedStatement } from '../support/eventBuilders.js'
import { runCli } from '../support/runCli.js'

const seedLines = readFileSync(new URL('../../data/seed.ndjson', import.meta.url), 'utf8').split('\n').filter(Boolean)

/** A store file holding the seed, loaded the way an operator would: by importing entry lines. */
async function seededStore(dir: string, name = 'ledger.sqlite'): Promise<Record<string, string>> {
  const env = { LEDGER_STORE: `sqlite:${join(dir, name)}` }
  const imported = await runCli(['import', 'data/seed.ndjson'], env)
  if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}${imported.stdout}`)
  return env
}

/** An event line's claim: the mayor of Chicago said `summary`. */
const chicagoClaim = (summary: string) => seedStatement({ on: '2016-11-21', summary })

t.test('--help names every command', async (t) => {
  const result = await runCli(['--help'], {})
  t.equal(result.code, 0)
  for (const command of ['serve', 'import', 'export', 'verify', 'rebuild', 'backup', 'panel', 'changes', 'stance']) t.match(result.stdout, new RegExp(`^  ${command} `, 'm'))
  const importHelp = await runCli(['import', '--help'], {})
  t.match(importHelp.stdout, /--url/)
})

t.test('export, verify offline, and import into an empty store give the same root', async (t) => {
  const dir = t.testdir()
  const env = await seededStore(dir)
  const exported = await runCli(['export'], env)
  t.equal(exported.code, 0, exported.stderr)
  t.same(exported.stdout.split('\n').filter(Boolean), seedLines, 'the seed is exported byte for byte')
  const file = join(dir, 'entries.ndjson')
  writeFileSync(file, exported.stdout)
  const offline = await runCli(['verify', '--entries', file], env)
  t.equal(offline.code, 0, offline.stdout + offline.stderr)
  const root = /root: ([0-9a-f]{64})/.exec(offline.stdout)?.[1]
  t.ok(root)
  const onStore = await runCli(['verify'], env)
  t.equal(onStore.code, 0, onStore.stdout + onStore.stderr)
  t.match(onStore.stdout, `root: ${root}`)
  t.match(onStore.stdout, /quotes: 34 found/)
  t.match(onStore.stdout, /pages: every page of .*ledger\.sqlite read by SQLite's quick_check, none damaged/, 'and every page of the file read')

  const migrated = { LEDGER_STORE: `sqlite:${join(dir, 'migrated.sqlite')}` }
  const imported = await runCli(['import', file], migrated)
  t.equal(imported.code, 0, imported.stderr)
  t.match(imported.stdout, `written: ${seedLines.length}, skipped (already recorded): 0, rejected: 0`)
  const again = await runCli(['import', file], migrated)
  t.match(again.stdout, `written: 0, skipped (already recorded): ${seedLines.length}`)
  const migratedVerify = await runCli(['verify'], migrated)
  t.match(migratedVerify.stdout, `root: ${root}`)
})

t.test('importing events twice writes them once; bad lines are rejected with reasons', async (t) => {
  const dir = t.testdir()
  const env = await seededStore(dir)
  const event = (id: string, summary: string) => JSON.stringify({ id, ...chicagoClaim(summary) })
  const file = join(dir, 'events.ndjson')
  writeFileSync(
    file,
    [
      event('7d4b7a4e-0a7c-4c53-9f43-0f4a9d2b1c01', 'first'),
      'not json',
      event('7d4b7a4e-0a7c-4c53-9f43-0f4a9d2b1c02', 'second'),
      JSON.stringify({ type: 'StatementMade', data: { jurisdictionId: 'us-nowhere' } }),
      event('7d4b7a4e-0a7c-4c53-9f43-0f4a9d2b1c03', 'third').replace('us-il-chicago', 'us-ny-buffalo'),
      '',
    ].join('\n'),
  )
  const first = await runCli(['import', file], env)
  t.equal(first.code, 1, 'rejections make the exit code non-zero')
  t.match(first.stdout, 'written: 2, skipped (already recorded): 0, rejected: 3')
  t.match(first.stdout, /line 2: not JSON/)
  t.match(first.stdout, /line 4: invalid_request/)
  t.match(first.stdout, /line 5 \(7d4b7a4e-0a7c-4c53-9f43-0f4a9d2b1c03\): jurisdiction_not_registered/)
  const second = await runCli(['import', file], env)
  t.match(second.stdout, 'written: 0, skipped (already recorded): 2, rejected: 3')
  const fromStdin = await runCli(['import', '-'], env, `${event('7d4b7a4e-0a7c-4c53-9f43-0f4a9d2b1c04', 'piped')}\n`)
  t.match(fromStdin.stdout, 'written: 1')
})

t.test('event lines without ids get the same ids on every run; a line repeated in a batch is one event', async (t) => {
  const dir = t.testdir()
  const env = await seededStore(dir)
  const claim = chicagoClaim
  const withId = '7d4b7a4e-0a7c-4c53-9f43-0f4a9d2b1c21'
  const file = join(dir, 'idless.ndjson')
  writeFileSync(
    file,
    [
      JSON.stringify(claim('no id')),
      JSON.stringify(claim('no id')),
      JSON.stringify({ id: withId, ...claim('with an id') }),
      JSON.stringify({ id: withId, ...claim('with an id') }),
      JSON.stringify({ id: withId, ...claim('the same id, other words') }),
      JSON.stringify(claim('no id either')),
    ].join('\n'),
  )
  const first = await runCli(['import', file], env)
  t.equal(first.code, 1, first.stderr)
  t.match(first.stdout, 'written: 3, skipped (already recorded): 2, rejected: 1', 'a repeated line is the event of the first')
  t.match(first.stdout, `line 5 (${withId}): idempotency_conflict: the same id as line 3, with other content`)
  const second = await runCli(['import', file], env)
  t.match(second.stdout, 'written: 0, skipped (already recorded): 5, rejected: 1', 'the second run writes nothing: the ids are derived from the content')
  const exported = await runCli(['export'], env)
  t.equal(exported.stdout.split('\n').filter(Boolean).length, seedLines.length + 3)
})

t.test('verify names a flipped byte, a deleted row in the middle and rows deleted at the end', async (t) => {
  const tamper = async (sql: (db: Database.Database) => void) => {
    const dir = t.testdir()
    const env = await seededStore(dir)
    const db = new Database(join(dir, 'ledger.sqlite'))
    // an attacker with the file drops the ledger's own guards first
    db.exec('DROP TRIGGER events_are_immutable; DROP TRIGGER events_are_never_deleted;')
    sql(db)
    db.close()
    return runCli(['verify'], env)
  }
  const victim = JSON.parse(seedLines[20]!) as { id: string }
  const flipped = await tamper((db) => {
    const { entry } = db.prepare('SELECT entry FROM events WHERE position = 20').get() as { entry: string }
    const at = entry.indexOf('"summary":"') + 12
    const bytes = Buffer.from(entry, 'utf8')
    bytes[at] = bytes[at]! ^ 0x01 // one bit of one byte
    db.prepare('UPDATE events SET entry = ? WHERE position = 20').run(bytes.toString('utf8'))
  })
  t.equal(flipped.code, 1)
  t.match(flipped.stdout, new RegExp(`leaf_hash_mismatch at position 20 \\(event ${victim.id}\\)`))
  const middle = await tamper((db) => db.prepare('DELETE FROM events WHERE position = 20').run())
  t.equal(middle.code, 1)
  t.match(middle.stdout, /missing_position at position 20/)
  const end = await tamper((db) => db.prepare('DELETE FROM events WHERE position >= 48').run())
  t.equal(end.code, 1)
  t.match(end.stdout, /checkpoint_beyond_log.*position 48 is the first missing/)
})

t.test('stance prints a table; writing commands refuse while serve holds the store', async (t) => {
  const dir = t.testdir()
  const env = await seededStore(dir)
  const table = await runCli(['stance', 'us-pa-philadelphia', '--as-of', '2016-03-01'], env)
  t.equal(table.code, 0, table.stderr)
  t.match(table.stdout, /detainer_hold\s+serious_crimes_only\s+2016-01/)
  const json = await runCli(['stance', 'us-pa-philadelphia', '--as-of', '2015-06-01', '--json'], env)
  t.equal(JSON.parse(json.stdout).stance.detainer_hold.value, 'unknown')
  const missing = await runCli(['stance', 'us-xx-nowhere'], env)
  t.equal(missing.code, 1)
  t.match(missing.stderr, /no jurisdiction us-xx-nowhere/)
  const badDate = await runCli(['stance', 'us-pa-philadelphia', '--as-of', '2016-02-30'], env)
  t.equal(badDate.code, 1)

  // hold the lock here, as a running `serve` would (the lock is the kernel's: a pid in a file is not one)
  const lock = acquireStoreLock(join(dir, 'ledger.sqlite'), 'serve it')
  t.teardown(() => lock.release())
  const refused = await runCli(['import', 'data/seed.ndjson'], env)
  t.equal(refused.code, 1)
  t.match(refused.stderr, /held by process/)
  const reading = await runCli(['export'], env)
  t.equal(reading.code, 0, 'read-only commands run beside a server')
})

t.test('a bad configuration stops with a message naming the variable', async (t) => {
  const result = await runCli(['export'], { LEDGER_STORE: 'postgres://nope', PORT: 'eighty' })
  t.equal(result.code, 78)
  t.match(result.stderr, /LEDGER_STORE/)
  t.match(result.stderr, /PORT/)
})
