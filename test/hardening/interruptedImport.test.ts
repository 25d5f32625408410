import t, { type Test } from 'tap'
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pino } from 'pino'
import { compose } from '../../src/compose.js'
import { parseConfig } from '../../src/config/config.js'
import { runCli as runCliToEnd } from '../support/runCli.js'
import { repoRoot, runCli, scratchDir, sleep } from '../support/serveProcess.js'
import { seedSize } from '../support/testLedger.js'

/**
 * `policy-ledger import` of a large file, stopped part way by SIGTERM and by kill -9, for both kinds
 * of line it takes: entry lines (an export, written verbatim) and event lines (POST /events items,
 * with and without ids). Each batch is one transaction, so whatever stops it leaves whole batches: the
 * stored events are a prefix of the file in whole batches, the checkpoint and every read model are
 * those of that prefix (a rebuild of a copy gives the same tables, row for row), and the log verifies.
 * SIGTERM stops between batches with a message and exit 143. The same import run again skips what
 * is there and writes the rest: no duplicates, and the ledger of an uninterrupted import (for entry
 * lines its very root; event lines are stamped with the time they are written, so there the same
 * events at the same positions).
 */

const LINES = 6_000
const BATCH = 100
const scratch = scratchDir('interrupted-import')
t.teardown(scratch.cleanup)

const id = (n: number, kind: number) => `00000000-0000-4000-8${kind}00-${String(n).padStart(12, '0')}`

/**
 * Event lines that depend on earlier batches: towns registered every 500 lines and claimed about
 * after; every fifth line a correction of an earlier claim; every other claim without an id (the
 * importer derives one from its content).
 */
function eventLines(count: number): string[] {
  const lines: string[] = []
  for (let i = 0; i < count; i += 1) {
    const town = Math.floor(i / 500)
    const jurisdictionId = `us-tx-town-${town}`
    if (i % 500 === 0) {
      lines.push(JSON.stringify({ id: id(i, 1), type: 'JurisdictionRegistered', data: { jurisdictionId, name: `Town ${town}`, kind: 'city', ocdId: `ocd-division/country:us/state:tx/place:town_${town}` } }))
    } else if (i % 5 === 0 && i % 500 > 2) {
      // the latest claim before it with an id of its own (odd lines that are no correction)
      let target = i - 1
      while (target % 2 === 0 || target % 5 === 0) target -= 1
      lines.push(JSON.stringify({ id: id(i, 2), type: 'ClaimCorrected', data: { jurisdictionId, correctsEventId: id(target, 3), changes: { on: `2019-0${1 + (i % 9)}` }, reason: `line ${i} redates it` } }))
    } else {
      const claim = {
        type: 'StatementMade',
        data: {
          jurisdictionId,
          actor: { id: 'town-council', name: 'Town Council' },
          on: `${2000 + (i % 24)}-${String(1 + (i % 12)).padStart(2, '0')}`,
          summary: `The council's statement ${i}.`,
          sourceId: 'abcnews-2016-11-17-cities-push-back',
          stances: [{ dimension: 'declared_status', value: ['sanctuary', 'welcoming', 'none', 'disavows'][i % 4] }],
        },
      }
      lines.push(JSON.stringify(i % 2 === 1 ? { id: id(i, 3), ...claim } : claim))
    }
  }
  return lines
}

const eventsFile = join(scratch.dir, 'events.ndjson')
writeFileSync(eventsFile, `${eventLines(LINES).join('\n')}\n`)

async function cli(args: string[], storePath: string): Promise<string> {
  const result = await runCliToEnd(args, { LEDGER_STORE: `sqlite:${storePath}` })
  if (result.code !== 0) throw new Error(`${args.join(' ')}: exit ${result.code}\n${result.stderr}${result.stdout}`)
  return result.stdout
}

async function verify(t: Test, storePath: string, events: number): Promise<string> {
  const out = await cli(['verify'], storePath)
  t.match(out, `entries: ${events}, positions 0..${events - 1} contiguous`, `verify passes on ${events} events`)
  return /root: ([0-9a-f]{64})/.exec(out)![1]!
}

// the uninterrupted import, the reference: the seed, then every event line; its export is the entry-line file
const referencePath = join(scratch.dir, 'reference.sqlite')
await cli(['import', 'data/seed.ndjson'], referencePath)
await cli(['import', '--batch', String(BATCH), eventsFile], referencePath)
const entriesFile = join(scratch.dir, 'entries.ndjson')
const exported = await cli(['export'], referencePath)
writeFileSync(entriesFile, exported)
const referenceEntries = exported.split('\n').filter(Boolean)
const referenceRoot = /root: ([0-9a-f]{64})/.exec(await cli(['verify'], referencePath))![1]!

/** An entry without the time it was written: what an import of event lines writes the same way every time. */
function timeless(entry: string): unknown {
  const parsed = JSON.parse(entry) as { metadata: { recordedAt?: string } }
  delete parsed.metadata.recordedAt
  return parsed
}

function storedEntries(storePath: string): string[] {
  const db = new Database(storePath, { readonly: true })
  try {
    return db.prepare<[], string>('SELECT entry FROM events ORDER BY position').pluck().all()
  } finally {
    db.close()
  }
}

/** Every read model's rows (and the Merkle nodes), each table's rows sorted: to compare two files. */
function readModelRows(storePath: string): Record<string, string[]> {
  const db = new Database(storePath, { readonly: true })
  try {
    const tables = db
      .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'rm_%' OR name IN ('read_models', 'merkle_nodes')) ORDER BY name")
      .pluck()
      .all()
    return Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT * FROM ${table}`).raw().all().map((row) => JSON.stringify(row)).sort()]))
  } finally {
    db.close()
  }
}

/** The number of events, read beside the importer (undefined until the file has its table). */
function headOf(storePath: string): number | undefined {
  if (!existsSync(storePath)) return undefined
  let db: Database.Database | undefined
  try {
    db = new Database(storePath, { readonly: true, fileMustExist: true })
    return db.prepare<[], number>('SELECT COUNT(*) FROM events').pluck().get()
  } catch {
    return undefined
  } finally {
    db?.close()
  }
}

type Kind = 'entry lines' | 'event lines'

for (const kind of ['entry lines', 'event lines'] as Kind[]) {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    t.test(`${kind}, ${signal} part way: whole batches, consistent, verified; the same import again finishes it`, async (t) => {
      const storePath = join(scratch.dir, `${kind.replace(' ', '-')}-${signal}.sqlite`)
      const file = kind === 'entry lines' ? entriesFile : eventsFile
      // entry lines go into an empty store; event lines are written on top of the seed
      const base = kind === 'entry lines' ? 0 : seedSize
      if (base > 0) await cli(['import', 'data/seed.ndjson'], storePath)
      // an export holds the seed's entries too
      const fileLines = kind === 'entry lines' ? seedSize + LINES : LINES
      const total = base + fileLines

      const importing = runCli(['import', '--batch', String(BATCH), file], { LEDGER_STORE: `sqlite:${storePath}`, LOG_LEVEL: 'warn' })
      t.teardown(() => {
        if (importing.child.exitCode === null && importing.child.signalCode === null) importing.child.kill('SIGKILL')
      })
      let exited = false
      void importing.exited.then(() => (exited = true))
      // a hang guard, not a timing: the signal goes once three batches are in
      const deadline = Date.now() + 60_000
      while (!exited && (headOf(storePath) ?? 0) < base + 3 * BATCH) {
        if (Date.now() > deadline) throw new Error(`the import wrote nothing in 60 s\n${importing.stderr()}`)
        await sleep(5)
      }
      importing.child.kill(signal)
      const exit = await importing.exited
      const head = headOf(storePath)!
      t.ok(head < total, `stopped part way: ${head - base} of ${fileLines} lines in (make the file larger should this fail)`)

      if (signal === 'SIGTERM') {
        t.same(exit, { code: 143, signal: null }, 'SIGTERM: it stops by itself, with exit code 143')
        const said = /import interrupted by SIGTERM: stopped between batches after line (\d+) of (\d+); the store holds whole batches only\. Run the same import again to finish it/.exec(importing.stderr())
        t.ok(said, `and says so: ${importing.stderr()}`)
        t.equal(Number(said?.[1]), head - base, 'naming the last line in')
        t.equal(Number(said?.[2]), fileLines)
        t.match(importing.stdout(), `written: ${head - base}, skipped (already recorded): 0, rejected: 0`)
      } else {
        t.equal(exit.signal, 'SIGKILL')
      }
      t.equal((head - base) % BATCH, 0, 'whole batches only')
      const stored = storedEntries(storePath)
      if (kind === 'entry lines') t.same(stored, referenceEntries.slice(0, head), 'a prefix of the file, byte for byte')
      else t.same(stored.map(timeless), referenceEntries.slice(0, head).map(timeless), 'the first lines of the file, as the uninterrupted import wrote them')

      const db = new Database(storePath, { readonly: true })
      const checkpoint = db.prepare<[], number>('SELECT MAX(tree_size) FROM checkpoints').pluck().get()
      const positions = db.prepare<[], number>('SELECT position FROM read_models').pluck().all()
      db.close()
      t.equal(checkpoint, head, 'the latest checkpoint is of exactly those events')
      t.same(positions, positions.map(() => head), 'every read model has folded exactly those events')
      await verify(t, storePath, head)
      // the read models equal a fold of the stored log from scratch: a rebuild of a copy
      const copy = join(scratch.dir, `${kind.replace(' ', '-')}-${signal}-copy.sqlite`)
      const source = new Database(storePath, { readonly: true })
      await source.backup(copy)
      source.close()
      copyFileSync(`${storePath}.signing-key.pem`, `${copy}.signing-key.pem`)
      const rebuilt = await compose(parseConfig({ LEDGER_STORE: `sqlite:${copy}` }), { logger: pino({ level: 'silent' }), access: 'write', rebuild: ['jurisdictions', 'sources', 'claims', 'recordTime', 'merkle'] })
      await rebuilt.close()
      t.strictSame(readModelRows(storePath), readModelRows(copy), 'the read models are a fold of the stored events, row for row')

      const again = await runCliToEnd(['import', '--batch', String(BATCH), file], { LEDGER_STORE: `sqlite:${storePath}` })
      t.equal(again.code, 0, again.stderr)
      t.match(again.stdout, `written: ${total - head}, skipped (already recorded): ${head - base}, rejected: 0`, 'the rest written; what was there skipped')
      const root = await verify(t, storePath, total)
      const final = storedEntries(storePath)
      t.equal(new Set(final.map((entry) => (JSON.parse(entry) as { id: string }).id)).size, total, 'no event twice')
      if (kind === 'entry lines') {
        t.equal(root, referenceRoot, 'the root of the uninterrupted import')
      } else {
        t.same(final.map(timeless), referenceEntries.map(timeless), 'the events of the uninterrupted import, at the same positions')
      }
    })
  }
}

t.test('entry lines from a pipe, SIGTERM while a batch is half read and the pipe is idle: it stops at once, nothing of that batch written', async (t) => {
  const storePath = join(scratch.dir, 'piped.sqlite')
  const base: Record<string, string | undefined> = { ...process.env }
  delete base.NODE_OPTIONS
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'import', '--batch', String(BATCH), '-'], {
    cwd: repoRoot,
    env: { ...base, NODE_ENV: 'production', LOG_LEVEL: 'warn', LEDGER_STORE: `sqlite:${storePath}` },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdout.resume()
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  // three batches and half of a fourth; the pipe stays open, with nothing more to read
  child.stdin.write(`${referenceEntries.slice(0, 3 * BATCH + BATCH / 2).join('\n')}\n`)
  const deadline = Date.now() + 60_000
  while ((headOf(storePath) ?? 0) < 3 * BATCH) {
    if (Date.now() > deadline) throw new Error(`the import wrote nothing in 60 s\n${stderr}`)
    await sleep(5)
  }
  child.kill('SIGTERM')
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const exit = await exited
  clearTimeout(guard)
  t.same(exit, { code: 143, signal: null }, 'it stops by itself, though the pipe is still open, with exit code 143')
  t.match(stderr, `stopped between batches after line ${3 * BATCH}; the store holds whole batches only`)
  t.equal(headOf(storePath), 3 * BATCH, 'the three whole batches; nothing of the half-read one')
  child.stdin.destroy()

  const again = await runCliToEnd(['import', '--batch', String(BATCH), '-'], { LEDGER_STORE: `sqlite:${storePath}` }, `${referenceEntries.join('\n')}\n`)
  t.equal(again.code, 0, again.stderr)
  t.match(again.stdout, `written: ${referenceEntries.length - 3 * BATCH}, skipped (already recorded): ${3 * BATCH}, rejected: 0`)
  t.equal(await verify(t, storePath, referenceEntries.length), referenceRoot, 'the root of the uninterrupted import')
})
