import t from 'tap'
import { randomUUID } from 'node:crypto'
import { authorised, lastSeedPosition, READER_TOKEN, seedId, seedSize, testLedger } from '../support/testLedger.js'

const statement = (overrides: Record<string, unknown> = {}) => ({
  type: 'StatementMade',
  data: {
    jurisdictionId: 'us-il-chicago',
    actor: { id: 'rahm-emanuel', name: 'Rahm Emanuel', office: 'Mayor of Chicago' },
    on: '2016-11-20',
    summary: 'Reaffirms Chicago as a sanctuary city',
    sourceId: 'abcnews-2016-11-17-cities-push-back',
    stances: [{ dimension: 'declared_status', value: 'sanctuary' }],
    ...overrides,
  },
})

async function post(ledger: Awaited<ReturnType<typeof testLedger>>, events: unknown[], headers: Record<string, string> = authorised) {
  return ledger.app.inject({ method: 'POST', url: '/events', headers, payload: { events } })
}

t.test('with no tokens configured every write is 403 writes_disabled, saying how to enable them', async (t) => {
  const ledger = await testLedger({ LEDGER_TOKENS: '' })
  t.teardown(() => ledger.close())
  const response = await post(ledger, [statement()], {})
  t.equal(response.statusCode, 403)
  t.match(response.json(), { type: /writes-disabled$/, detail: /LEDGER_TOKENS/ })
})

t.test('a missing or wrong token is 401 with WWW-Authenticate; a read token is 403', async (t) => {
  const ledger = await testLedger({ LEDGER_READ_TOKENS: `reader:${READER_TOKEN}` })
  t.teardown(() => ledger.close())
  const head = ledger.runner.size
  const missing = await post(ledger, [statement()], {})
  t.equal(missing.statusCode, 401)
  t.match(missing.headers['www-authenticate'], /^Bearer/)
  const wrong = await post(ledger, [statement()], { authorization: 'Bearer not-the-token-at-all' })
  t.equal(wrong.statusCode, 401)
  const reader = await post(ledger, [statement()], { authorization: `Bearer ${READER_TOKEN}` })
  t.equal(reader.statusCode, 403)
  t.equal(ledger.runner.size, head, 'nothing written')
})

t.test('auth comes before the schema: an unauthenticated bad body is a 401', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const response = await ledger.app.inject({ method: 'POST', url: '/events', payload: { nonsense: true } })
  t.equal(response.statusCode, 401)
})

t.test('private reads need a token, except /health and /ready', async (t) => {
  const ledger = await testLedger({ LEDGER_READ_TOKENS: `reader:${READER_TOKEN}` })
  t.teardown(() => ledger.close())
  t.equal((await ledger.app.inject({ url: '/jurisdictions' })).statusCode, 401)
  t.equal((await ledger.app.inject({ url: '/jurisdictions', headers: { authorization: `Bearer ${READER_TOKEN}` } })).statusCode, 200)
  t.equal((await ledger.app.inject({ url: '/jurisdictions', headers: authorised })).statusCode, 200)
  t.equal((await ledger.app.inject({ url: '/jurisdictions' })).statusCode, 401, 'a cached answer is still behind the token')
  t.equal((await ledger.app.inject({ url: '/health' })).statusCode, 200)
  t.equal((await ledger.app.inject({ url: '/ready' })).statusCode, 200)
})

t.test('a valid write is 201 with where each event landed; the token name is recordedBy', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const id = randomUUID()
  const response = await post(ledger, [{ id, ...statement() }])
  t.equal(response.statusCode, 201, response.body)
  t.match(response.json().events, [
    { id, type: 'StatementMade', stream: 'jurisdiction-us-il-chicago', position: seedSize, recordedAt: '2026-11-26T10:00:00.000Z' },
  ])
  const event = (await ledger.app.inject({ url: `/events/${id}` })).json()
  t.match(event, { recordedBy: 'editor', status: 'active', correctedBy: [], retractedBy: null })
  const stance = (await ledger.app.inject({ url: '/jurisdictions/us-il-chicago/stance?asOf=2016-12-01' })).json()
  t.equal(stance.stance.declared_status.basis[0], id, 'the same instance reads its own write')
})

t.test('schema errors are 400 problem+json naming the path, and nothing is written', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const head = ledger.runner.size
  const checkpoint = ledger.log.latest()
  const bad = await post(ledger, [statement(), statement({ on: '2016-13-01', stances: [{ dimension: 'detainer_hold', value: 'whatever' }] })])
  t.equal(bad.statusCode, 400)
  t.equal(bad.headers['content-type'], 'application/problem+json; charset=utf-8')
  const problem = bad.json()
  t.match(problem, { type: /invalid-request$/, title: String, status: 400, detail: String })
  t.same(problem.errors.map((e: { path: string }) => e.path).sort(), ['/events/1/data/on', '/events/1/data/stances/0/value'])
  t.notOk(JSON.stringify(problem).includes('at '), 'no stack trace')
  const unknownKey = await post(ledger, [{ ...statement(), surprise: 1 }])
  t.equal(unknownKey.statusCode, 400)
  const none = await post(ledger, [])
  t.equal(none.statusCode, 400)
  const tooMany = await post(ledger, Array.from({ length: 1_001 }, () => statement()))
  t.equal(tooMany.statusCode, 400)
  const id = randomUUID()
  const twice = await post(ledger, [{ id, ...statement() }, { id, ...statement() }])
  t.equal(twice.statusCode, 400)
  t.match(twice.json().errors, [{ path: '/events/1/id' }])
  const notJson = await ledger.app.inject({ method: 'POST', url: '/events', headers: { ...authorised, 'content-type': 'application/json' }, payload: '{"events": [' })
  t.equal(notJson.statusCode, 400)
  const text = await ledger.app.inject({ method: 'POST', url: '/events', headers: { ...authorised, 'content-type': 'text/plain' }, payload: 'hello' })
  t.equal(text.statusCode, 415)
  const lone = await ledger.app.inject({
    method: 'POST',
    url: '/events',
    headers: { ...authorised, 'content-type': 'application/json' },
    payload: JSON.stringify({ events: [statement({ summary: 'broken \ud800 text' })] }),
  })
  t.equal(lone.statusCode, 400)
  t.match(lone.json(), { type: /invalid-string$/, errors: [{ path: '/events/0/data/summary' }] })
  t.equal(ledger.runner.size, head)
  t.same(ledger.log.latest(), checkpoint, 'the checkpoint did not move')
})

t.test('idempotency by id: the same content is 200 without writing; other content is 409', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const id = randomUUID()
  const first = await post(ledger, [{ id, ...statement() }])
  t.equal(first.statusCode, 201)
  const again = await post(ledger, [{ id, ...statement(), expectedRevision: 0 }])
  t.equal(again.statusCode, 200, 'a duplicate’s expectedRevision is ignored')
  t.same(again.json(), first.json(), 'the original result')
  const head = ledger.runner.size
  const other = await post(ledger, [{ id, ...statement({ summary: 'something else' }) }])
  t.equal(other.statusCode, 409)
  t.match(other.json(), { type: /idempotency-conflict$/, errors: [{ path: '/events/0/id' }] })
  const mixed = await post(ledger, [{ id, ...statement() }, statement({ summary: 'new' })])
  t.equal(mixed.statusCode, 201, 'some new: 201')
  t.equal(mixed.json().events[0].position, first.json().events[0].position)
  t.equal(ledger.runner.size, head + 1)
})

t.test('expectedRevision: a mismatch is 409 with the stream and both revisions', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const current = (await ledger.store.streamRevision('jurisdiction-us-il-chicago'))!
  const stale = await post(ledger, [{ ...statement(), expectedRevision: current - 1 }])
  t.equal(stale.statusCode, 409)
  t.match(stale.json(), { stream: 'jurisdiction-us-il-chicago', expectedRevision: current - 1, currentRevision: current })
  const fresh = await post(ledger, [{ ...statement(), expectedRevision: 'no_stream' }])
  t.equal(fresh.statusCode, 409)
  const ok = await post(ledger, [{ ...statement(), expectedRevision: current }, statement()])
  t.equal(ok.statusCode, 201)
  const misplaced = await post(ledger, [statement(), { ...statement(), expectedRevision: current + 2 }])
  t.equal(misplaced.statusCode, 400)
  t.match(misplaced.json().errors, [{ path: '/events/1/expectedRevision' }])
  t.match(misplaced.json(), { type: '/problems/expected-revision-misplaced' }, 'one check, one problem type')
  const [written] = ok.json().events
  const retried = await post(ledger, [{ id: written.id, ...statement() }, { ...statement(), expectedRevision: current }])
  t.equal(retried.statusCode, 400, 'placement is judged on the request as sent, duplicates included')
  t.match(retried.json(), { type: '/problems/expected-revision-misplaced', errors: [{ path: '/events/1/expectedRevision' }] })
})

t.test('rules are 422 with a stable type, checked against earlier events of the same request', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const head = ledger.runner.size
  const unregistered = await post(ledger, [statement({ jurisdictionId: 'us-ny-buffalo' })])
  t.equal(unregistered.statusCode, 422)
  t.match(unregistered.json(), { type: /jurisdiction-not-registered$/, errors: [{ path: /^\/events\/0\// }] })
  const misquoted = await post(ledger, [statement({ quote: { exact: 'words nobody said' } })])
  t.equal(misquoted.statusCode, 422)
  t.match(misquoted.json(), { type: /quote-not-found$/ })
  const partial = await post(ledger, [statement(), statement({ sourceId: 'not-registered-yet' })])
  t.equal(partial.statusCode, 422)
  t.equal(ledger.runner.size, head, 'one bad event: nothing written')
  const together = await post(ledger, [
    {
      type: 'JurisdictionRegistered',
      data: { jurisdictionId: 'us-ny-buffalo', name: 'Buffalo', kind: 'city', ocdId: 'ocd-division/country:us/state:ny/place:buffalo', parentId: 'us' },
    },
    { type: 'SourceRegistered', data: { sourceId: 'buffalo-news-1', kind: 'news-article', title: 'Buffalo', publisher: 'Buffalo News', publishedOn: '2017-02' } },
    statement({ jurisdictionId: 'us-ny-buffalo', sourceId: 'buffalo-news-1', actor: { id: 'byron-brown', name: 'Byron Brown' } }),
  ])
  t.equal(together.statusCode, 201, together.body)
  t.same(together.json().events.map((e: { position: number }) => e.position), [head, head + 1, head + 2])
  const again = await post(ledger, [
    {
      type: 'JurisdictionRegistered',
      data: { jurisdictionId: 'us-ny-buffalo', name: 'Buffalo', kind: 'city', ocdId: 'ocd-division/country:us/state:ny/place:buffalo' },
    },
  ])
  t.equal(again.statusCode, 422)
  t.match(again.json(), { type: /already-registered$/ })
  const wrongJurisdiction = await post(ledger, [
    {
      type: 'ClaimRetracted',
      data: { jurisdictionId: 'us-ny-buffalo', retractsEventId: seedId('claim/kenney-2016-01-executive-order'), reason: 'wrong city' },
    },
  ])
  t.equal(wrongJurisdiction.statusCode, 422)
  t.match(wrongJurisdiction.json(), { type: /claim-jurisdiction-mismatch$/ })
})

t.test('the event feed pages by position', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const first = (await ledger.app.inject({ url: '/events?limit=20' })).json()
  t.equal(first.events.length, 20)
  t.equal(first.events[0].position, 0)
  t.equal(first.nextAfter, 19)
  const next = (await ledger.app.inject({ url: `/events?after=${first.nextAfter}&limit=1000` })).json()
  t.equal(next.events[0].position, 20)
  t.equal(next.nextAfter, lastSeedPosition)
  const end = (await ledger.app.inject({ url: `/events?after=${lastSeedPosition}` })).json()
  t.same(end, { events: [], nextAfter: lastSeedPosition, nextCursor: null })
  t.equal((await ledger.app.inject({ url: '/events?limit=1001' })).statusCode, 400)
  t.equal((await ledger.app.inject({ url: '/events?after=-1' })).statusCode, 400)
})

t.test('/ready is 200 once caught up; /health always', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  t.same((await ledger.app.inject({ url: '/ready' })).json(), { status: 'ready', position: lastSeedPosition })
  t.same((await ledger.app.inject({ url: '/health' })).json(), { status: 'ok' })
})

t.test('a write on a full disk is 507 store-full with Retry-After, and nothing of it is written', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const head = ledger.runner.size
  const checkpoint = ledger.log.latest()
  // SQLite answers SQLITE_FULL once the file may not grow by another page
  ledger.store.db.pragma(`max_page_count = ${Number(ledger.store.db.pragma('page_count', { simple: true }))}`)
  const big = statement({ summary: 'x'.repeat(4_000) })
  const response = await post(ledger, Array.from({ length: 100 }, () => ({ ...big, id: randomUUID() })))
  t.equal(response.statusCode, 507)
  t.match(response.json(), { type: '/problems/store-full', retryAfter: 30 })
  t.equal(response.headers['retry-after'], '30')
  t.equal(ledger.runner.size, head, 'nothing written')
  t.same(ledger.log.latest(), checkpoint, 'the checkpoint did not move')
})
