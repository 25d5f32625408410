import t, { type Test } from 'tap'
import fc from 'fast-check'
import { authorised, testLedger } from '../support/testLedger.js'
import { corpus, eventShaped, getProbe, invalidSequences, invalidUtf8, mutatedValid, randomJson, rawBodies, seedEvents, validEvents } from '../support/fuzz/arbitraries.js'
import { send, tally, type Ledger, type Probe } from '../support/fuzz/properties.js'

/**
 * HTTP fuzzing with fast-check against a seeded in-memory ledger, every request held to the
 * properties in test/support/fuzz/properties.ts. FUZZ_SEED replays a run.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_161_117)

// ---------- the runs ----------

const runs = {
  mutatedValid: 1_200,
  eventShaped: 400,
  randomJson: 300,
  rawBodies: 300,
  invalidUtf8: 300,
  get: 1_600,
}

async function fuzz(
  t: Test,
  name: string,
  arbitrary: fc.Arbitrary<Probe>,
  numRuns: number,
  ledger: Ledger,
): Promise<void> {
  const before = tally.requests
  let first: string | undefined
  const failure = await fc
    .assert(
      fc.asyncProperty(arbitrary, async (probe) => {
        await send(ledger, probe).catch((error: Error) => {
          first ??= error.message
          throw error
        })
      }),
      { numRuns, seed: SEED },
    )
    .then(
      () => undefined,
      (error: unknown) =>
        `first failure: ${first}\n${error instanceof Error ? error.message : String(error)}`,
    )
  t.equal(failure, undefined, `${name}: ${tally.requests - before} requests, every property held`)
}

t.test(
  'POST /events: no body, however broken, gets a 5xx, a non-problem answer or a moved checkpoint',
  async (t) => {
    // rate limiting is tested in limits.test.ts; here it would answer most requests with a 429
    const ledger = await testLedger({ LEDGER_WRITE_RATE_LIMIT: '0' })
    t.teardown(() => ledger.close())
    const statuses: number[] = []
    const failures: string[] = []
    for (const probe of corpus()) {
      await send(ledger, probe).then(
        (status) => statuses.push(status),
        (error: Error) => failures.push(error.message),
      )
    }
    t.same(failures, [], `hand-made corpus: ${statuses.length + failures.length} requests`)
    await fuzz(t, 'valid requests perturbed in one field', mutatedValid, runs.mutatedValid, ledger)
    await fuzz(t, 'event-shaped requests with random parts', eventShaped, runs.eventShaped, ledger)
    await fuzz(t, 'random JSON', randomJson, runs.randomJson, ledger)
    await fuzz(t, 'random bytes and content types', rawBodies, runs.rawBodies, ledger)
    await fuzz(t, 'invalid UTF-8', invalidUtf8, runs.invalidUtf8, ledger)
    t.ok(
      ledger.runner.size > seedEvents.length,
      'some perturbed requests were still valid and were written (the fuzzing reaches the write path)',
    )
  },
)

t.test(
  'invalid UTF-8 in a body is refused, never stored with replacement characters',
  async (t) => {
    const ledger = await testLedger()
    t.teardown(() => ledger.close())
    const head = ledger.runner.size
    const body = Buffer.from(
      JSON.stringify({ events: [validEvents('1e1b4f8a-9c2d-4e3f-8a5b-6c7d8e9f0a1b', 0)[0]] }),
      'utf8',
    )
    const at = body.indexOf('Reaffirms')
    for (const sequence of invalidSequences) {
      const response = await ledger.app.inject({
        method: 'POST',
        url: '/events',
        headers: { ...authorised, 'content-type': 'application/json' },
        payload: Buffer.concat([body.subarray(0, at), Buffer.from(sequence), body.subarray(at)]),
      })
      t.equal(response.statusCode, 400, `bytes ${Buffer.from(sequence).toString('hex')}: 400`)
      t.match(response.json(), { type: /invalid-request$/ })
    }
    t.equal(ledger.runner.size, head, 'nothing written')
  },
)

t.test(
  'malformed URLs and over-long path segments are problem+json, and any id the schema allows is looked up',
  async (t) => {
    const ledger = await testLedger()
    t.teardown(() => ledger.close())
    for (const url of [
      '/events/%zz',
      '/jurisdictions/%E0%A4%A',
      '/sources/%ED%A0%80',
      `/actors/${'a'.repeat(10_000)}`,
    ]) {
      const response = await ledger.app.inject({ url })
      t.equal(response.statusCode, 400, `${url.slice(0, 40)}: 400`)
      t.match(response.headers['content-type'], /^application\/problem\+json/)
      t.match(response.json(), {
        type: /\/problems\/invalid-request$/,
        status: 400,
        title: String,
        detail: String,
      })
    }
    // a slug may have 120 characters (events/claimFields.ts): the router must not refuse it first
    const longest = `a${'-b'.repeat(59)}c`
    t.equal(longest.length, 120)
    for (const url of [
      `/jurisdictions/${longest}`,
      `/jurisdictions/${longest}/stance`,
      `/sources/${longest}`,
      `/actors/${longest}`,
    ]) {
      const response = await ledger.app.inject({ url })
      t.equal(response.statusCode, 404, `${url.slice(0, 30)}…: 404, the id is valid and unknown`)
      t.match(response.json(), { type: /not-found$/ })
    }
    t.equal(
      (await ledger.app.inject({ url: `/actors/${longest}d` })).statusCode,
      400,
      '121 characters: the schema refuses it',
    )
  },
)

t.test(
  'every GET route: random paths and queries never give a 5xx or a non-problem error',
  async (t) => {
    const ledger = await testLedger({ LEDGER_READ_TOKENS: 'reader:reader-token-0123456789' })
    const open = await testLedger()
    t.teardown(async () => {
      await ledger.close()
      await open.close()
    })
    await fuzz(t, 'GET with private reads', getProbe, runs.get / 2, ledger)
    await fuzz(t, 'GET with public reads', getProbe, runs.get / 2, open)
  },
)

t.test('figures', async (t) => {
  const statuses = [...tally.byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status}: ${count}`)
  t.comment(
    `fuzz (seed ${SEED}): ${tally.requests} requests, ${tally.serverErrors} 5xx; by status ${statuses.join(', ')}`,
  )
  t.equal(tally.serverErrors, 0, 'no 5xx at all')
  t.ok(tally.requests >= 3_000, 'a few thousand requests')
})
