import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pino } from 'pino'
import { compose, type Ledger } from '../../../src/compose.js'
import { parseConfig } from '../../../src/config/config.js'
import { generateSigningKey } from '../../../src/log/signingKey.js'
import { startEsdbTestServer } from '../../support/esdbTestServer/index.js'
import { seedStatement } from '../../support/eventBuilders.js'
import { postEvents, seedSize, WRITER_TOKEN } from '../../support/testLedger.js'

/**
 * Several API replicas on one EventStoreDB (here the gRPC test double): each builds its projections
 * and Merkle tree from $all, so replicas that applied the same events answer byte for byte alike.
 */
t.test('two replicas on EventStoreDB: the seed once, writes, conflicts, and the same answers and root', async (t) => {
  const server = await startEsdbTestServer()
  t.teardown(() => server.stop())
  const keyPath = join(t.testdir(), 'signing-key.pem')
  writeFileSync(keyPath, generateSigningKey().pem, { mode: 0o600 })
  const config = parseConfig({ LEDGER_STORE: server.url, LEDGER_SIGNING_KEY: keyPath, LEDGER_TOKENS: `editor:${WRITER_TOKEN}`, LEDGER_READ_MODELS: ':memory:' })
  const replica = async (): Promise<Ledger & { app: NonNullable<Ledger['app']> }> => {
    const ledger = await compose(config, { logger: pino({ level: 'silent' }), withApp: true, seed: true })
    t.teardown(() => ledger.close())
    return ledger as Ledger & { app: NonNullable<Ledger['app']> }
  }

  // two replicas starting together load the seed once
  const [a, b] = await Promise.all([replica(), replica()])
  await a.runner.waitFor(seedSize)
  await b.runner.waitFor(seedSize)
  t.equal(a.runner.size, seedSize)
  t.equal(b.runner.size, seedSize)

  const stance = '/jurisdictions/us-pa-philadelphia/stance?asOf=2016-03-01'
  t.equal((await a.app.inject({ url: stance })).json().stance.detainer_hold.value, 'serious_crimes_only')

  const revision = (await a.store.streamRevision('jurisdiction-us-pa-philadelphia'))!
  const kenney = { id: 'jim-kenney', name: 'Jim Kenney' }
  const write = await postEvents(a.app, [
    {
      ...seedStatement({
        jurisdictionId: 'us-pa-philadelphia',
        actor: { ...kenney, office: 'Mayor of Philadelphia' },
        on: '2016-12-01',
        summary: 'Reaffirms the detainer policy',
        stances: [{ dimension: 'detainer_hold', value: 'judicial_warrant_and_serious_crime' }],
      }),
      expectedRevision: revision,
    },
  ])
  t.equal(write.statusCode, 201, write.body)
  t.equal(write.json().events[0].position, seedSize)

  const stale = await postEvents(b.app, [
    {
      ...seedStatement({ jurisdictionId: 'us-pa-philadelphia', actor: kenney, on: '2016-12-02', summary: 'a write that lost the race' }),
      expectedRevision: revision,
    },
  ])
  t.equal(stale.statusCode, 409, 'the second replica sees the conflict')
  t.match(stale.json(), { stream: 'jurisdiction-us-pa-philadelphia', expectedRevision: revision, currentRevision: revision + 1 })

  // a replica started later catches up to the same state
  const c = await replica()
  await c.runner.waitFor(seedSize + 1)
  await b.runner.waitFor(seedSize + 1)
  const checkpoints = await Promise.all([a, b, c].map(async (r) => (await r.app.inject({ url: '/ledger/checkpoint' })).json()))
  t.same(checkpoints[1], checkpoints[0], 'replica b signs the same checkpoint')
  t.same(checkpoints[2], checkpoints[0], 'replica c signs the same checkpoint')
  t.equal(checkpoints[0].treeSize, seedSize + 1)
  const answers = await Promise.all([a, b, c].map(async (r) => (await r.app.inject({ url: `${stance.replace('2016-03-01', '2017-01-01')}&knownAt=${seedSize}` })).body))
  t.equal(answers[1], answers[0])
  t.equal(answers[2], answers[0])
  t.match(JSON.parse(answers[0]!).stance.detainer_hold, { value: 'judicial_warrant_and_serious_crime' })
  const entries = await Promise.all([a, c].map(async (r) => (await r.app.inject({ url: '/ledger/entries' })).body))
  t.equal(entries[1], entries[0], 'the same log, byte for byte')
})

t.test('while EventStoreDB cannot be reached, writes are 503 with Retry-After and /ready says so', async (t) => {
  const server = await startEsdbTestServer()
  t.teardown(() => server.stop())
  const keyPath = join(t.testdir(), 'signing-key.pem')
  writeFileSync(keyPath, generateSigningKey().pem, { mode: 0o600 })
  const config = parseConfig({ LEDGER_STORE: server.url, LEDGER_SIGNING_KEY: keyPath, LEDGER_TOKENS: `editor:${WRITER_TOKEN}`, LEDGER_READ_MODELS: ':memory:' })
  const ledger = await compose(config, { logger: pino({ level: 'silent' }), withApp: true, seed: true })
  t.teardown(() => ledger.close())
  const app = ledger.app!
  await server.stop()
  const write = await postEvents(app, [
    seedStatement({
      jurisdictionId: 'us-dc',
      actor: { id: 'muriel-bowser', name: 'Muriel Bowser' },
      on: '2016-12-01',
      summary: 'written while the store is down',
    }),
  ])
  t.equal(write.statusCode, 503, write.body)
  t.match(write.json(), { type: '/problems/store-unavailable' })
  t.ok(write.headers['retry-after'])
  const deadline = Date.now() + 5_000
  while (ledger.runner.ready && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal((await app.inject({ url: '/ready' })).statusCode, 503)
})

t.test('a replica restarted on its file reads only the events it missed, and answers as a fresh one', async (t) => {
  const server = await startEsdbTestServer()
  t.teardown(() => server.stop())
  const dir = t.testdir()
  const keyPath = join(dir, 'signing-key.pem')
  writeFileSync(keyPath, generateSigningKey().pem, { mode: 0o600 })
  const env = { LEDGER_STORE: server.url, LEDGER_SIGNING_KEY: keyPath, LEDGER_TOKENS: `editor:${WRITER_TOKEN}` }
  const open = async (readModels: string, seed = false) => {
    const ledger = await compose(parseConfig({ ...env, LEDGER_READ_MODELS: readModels }), {
      logger: pino({ level: 'silent' }),
      withApp: true,
      seed,
    })
    return ledger as Ledger & { app: NonNullable<Ledger['app']> }
  }
  const ledgerEventsSent = () =>
    [...server.eventsSent].reduce((sum, [stream, n]) => sum + (/^(jurisdiction|source)-/.test(stream) ? n : 0), 0)

  const file = join(dir, 'replica-a.sqlite')
  const first = await open(file, true)
  const seeded = first.runner.size
  await first.close()

  const writer = await open(':memory:')
  t.teardown(() => writer.close())
  const N = 10
  for (let i = 0; i < N; i++) {
    const response = await postEvents(writer.app, [
      seedStatement({
        jurisdictionId: 'us-wa-seattle',
        actor: { id: 'ed-murray', name: 'Ed Murray' },
        on: `2016-12-${String(i + 1).padStart(2, '0')}`,
        summary: `statement ${i}`,
        stances: [{ dimension: 'declared_status', value: i % 2 === 0 ? 'sanctuary' : 'welcoming' }],
      }),
    ])
    t.equal(response.statusCode, 201, response.body)
  }

  const before = ledgerEventsSent()
  const restarted = await open(file)
  t.teardown(() => restarted.close())
  // a read of $all from a position includes the event at it: the last one the replica had taken in
  t.equal(ledgerEventsSent() - before, N + 1, `the restart read the ${N} new ledger events (and the one it resumed at), not ${seeded + N}`)
  t.equal(restarted.runner.size, seeded + N)

  const fresh = await open(':memory:')
  t.teardown(() => fresh.close())
  for (const url of [
    '/ledger/checkpoint',
    '/ledger/entries',
    '/jurisdictions/us-wa-seattle/stance?asOf=2016-12-31',
    '/jurisdictions/us-wa-seattle/history',
    `/jurisdictions?asOf=2016-12-31&knownAt=${seeded + 3}`,
  ]) {
    const [a, b] = await Promise.all([restarted, fresh].map(async (ledger) => (await ledger.app.inject({ url })).body))
    t.equal(a, b, `${url}: the same answer`)
  }
})
