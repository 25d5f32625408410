import t, { type Test } from 'tap'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { readModels } from '../../projections/index.js'
import { compose, type Ledger } from '../../src/compose.js'
import { parseConfig } from '../../src/config/config.js'
import { postEvents, seedId, WRITER_TOKEN } from '../support/testLedger.js'

/**
 * A read model's version lives in its code: when it differs from the version stored with its tables,
 * or the tables are missing, the read model is rebuilt from the log before the service answers, and
 * answers as before. A start whose read models are current folds nothing.
 */
const urls = [
  '/jurisdictions?asOf=2017-06-30',
  '/jurisdictions/us-pa-philadelphia',
  '/jurisdictions/us-pa-philadelphia/stance?asOf=2016-01-15',
  '/jurisdictions/us-pa-philadelphia/history',
  '/jurisdictions/us-pa-philadelphia/history?knownAt=20&dimension=declared_status',
  `/events/${seedId('claim/kenney-2016-01-executive-order')}/provenance`,
  '/sources/abcnews-2016-11-17-cities-push-back',
  '/actors/jim-kenney',
  '/ledger/checkpoint',
  '/ledger/proofs/consistency?first=7',
]

async function open(path: string): Promise<{ ledger: Ledger & { app: NonNullable<Ledger['app']> }; log: string[] }> {
  const log: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      log.push(String(chunk))
      done()
    },
  })
  const config = parseConfig({ LEDGER_STORE: `sqlite:${path}`, LEDGER_TOKENS: `editor:${WRITER_TOKEN}` })
  const ledger = await compose(config, { logger: pino({ level: 'info' }, sink), withApp: true, seed: true, clock: () => new Date('2026-11-26T10:00:00.000Z') })
  return { ledger: ledger as Ledger & { app: NonNullable<Ledger['app']> }, log }
}

async function answers(ledger: Ledger & { app: NonNullable<Ledger['app']> }): Promise<string[]> {
  const bodies: string[] = []
  for (const url of urls) bodies.push((await ledger.app.inject({ url })).body)
  return bodies
}

async function firstLedger(t: Test): Promise<{ path: string; before: string[] }> {
  const path = join(t.testdir(), 'ledger.sqlite')
  const { ledger } = await open(path)
  const write = await postEvents(ledger.app, [
    {
      type: 'ClaimCorrected',
      data: { jurisdictionId: 'us-pa-philadelphia', correctsEventId: seedId('claim/kenney-2016-01-executive-order'), changes: { on: '2016-01-04' }, reason: 'the order is dated 4 January' },
    },
  ])
  t.equal(write.statusCode, 201, write.body)
  const before = await answers(ledger)
  await ledger.close()
  return { path, before }
}

t.test('a start with current read models folds nothing', async (t) => {
  const { path, before } = await firstLedger(t)
  const { ledger, log } = await open(path)
  t.teardown(() => ledger.close())
  t.strictSame(await answers(ledger), before)
  t.notOk(log.some((line) => /rebuilding read models|catching up with the log/.test(line)), 'no fold at start')
})

t.test('a changed version rebuilds that read model from the log, with the same answers', async (t) => {
  const { path, before } = await firstLedger(t)
  const claims = readModels.claims as { version: number }
  const version = claims.version
  claims.version = version + 1
  t.teardown(() => {
    claims.version = version
  })
  const { ledger, log } = await open(path)
  t.teardown(() => ledger.close())
  const rebuilding = log.find((line) => line.includes('rebuilding read models from the log'))
  t.ok(rebuilding, 'the rebuild is logged')
  t.strictSame(JSON.parse(rebuilding!).rebuilt, ['claims'], 'only the one whose version changed')
  t.strictSame(await answers(ledger), before)
  const stored = new Database(path, { readonly: true })
  t.teardown(() => stored.close())
  t.equal((stored.prepare("SELECT version FROM read_models WHERE name = 'claims'").get() as { version: number }).version, version + 1)
})

t.test('missing read-model tables and Merkle nodes, as in a file from before them, are built at start', async (t) => {
  const { path, before } = await firstLedger(t)
  const db = new Database(path)
  const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'rm_%' OR name IN ('read_models', 'merkle_nodes'))").pluck().all()
  t.ok(tables.length > 8, `${tables.length} read-model tables`)
  for (const table of tables) db.exec(`DROP TABLE ${table}`)
  db.pragma('user_version = 0')
  db.close()
  const { ledger, log } = await open(path)
  t.teardown(() => ledger.close())
  t.ok(log.some((line) => line.includes('rebuilding read models from the log')))
  t.strictSame(await answers(ledger), before)
})

t.test('policy-ledger rebuild, or a forced rebuild, gives the same answers', async (t) => {
  const { path, before } = await firstLedger(t)
  const config = parseConfig({ LEDGER_STORE: `sqlite:${path}`, LEDGER_TOKENS: `editor:${WRITER_TOKEN}` })
  const rebuilt = await compose(config, { logger: pino({ level: 'silent' }), access: 'write', rebuild: ['claims', 'merkle', 'recordTime'] })
  await rebuilt.close()
  const { ledger } = await open(path)
  t.teardown(() => ledger.close())
  t.strictSame(await answers(ledger), before)
})
