import t from 'tap'
import { randomUUID } from 'node:crypto'
import { jurisdictionRegistered, seedStatement, sourceRegistered } from '../support/eventBuilders.js'
import { givenLedger } from '../support/givenWhenThen.js'
import { authorised, lastSeedPosition, postEvents, READER_TOKEN, testLedger } from '../support/testLedger.js'

const statement = (overrides: Record<string, unknown> = {}) =>
  seedStatement({
    actor: { id: 'rahm-emanuel', name: 'Rahm Emanuel', office: 'Mayor of Chicago' },
    summary: 'Reaffirms Chicago as a sanctuary city',
    stances: [{ dimension: 'declared_status', value: 'sanctuary' }],
    ...overrides,
  })

t.test('with no tokens configured every write is 403 writes_disabled, saying how to enable them', async (t) => {
  const ledger = await testLedger({ LEDGER_TOKENS: '' })
  t.teardown(() => ledger.close())
  const response = await postEvents(ledger.app, [statement()], {})
  t.equal(response.statusCode, 403)
  t.match(response.json(), { type: /writes-disabled$/, detail: /LEDGER_TOKENS/ })
})

t.test('a missing or wrong token is 401 with WWW-Authenticate; a read token is 403', async (t) => {
  const ledger = await testLedger({ LEDGER_READ_TOKENS: `reader:${READER_TOKEN}` })
  t.teardown(() => ledger.close())
  const head = ledger.runner.size
  const missing = await postEvents(ledger.app, [statement()], {})
  t.equal(missing.statusCode, 401)
  t.match(missing.headers['www-authenticate'], /^Bearer/)
  const wrong = await postEvents(ledger.app, [statement()], { authorization: 'Bearer not-the-token-at-all' })
  t.equal(wrong.statusCode, 401)
  const reader = await postEvents(ledger.app, [statement()], { authorization: `Bearer ${READER_TOKEN}` })
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

const chicago = jurisdictionRegistered('us-il-chicago', { name: 'Chicago' })
const article = sourceRegistered('abcnews-2016-11-17-cities-push-back')
const write = (...events: unknown[]) => ({ method: 'POST' as const, url: '/events', payload: { events } })

t.test('a valid write is 201 with where each event landed; the token name is recordedBy', async (t) => {
  const id = randomUUID()
  const where = { id, type: 'StatementMade', stream: 'jurisdiction-us-il-chicago' }
  const { ledger } = await givenLedger(t, [chicago, article])
    .when(write({ id, ...statement() }))
    .then({ status: 201, body: { events: [{ ...where, revision: 1, position: 2, recordedAt: '2026-11-26T10:00:00.000Z' }] } }, [
      { ...where, revision: 1, position: 2, metadata: { recordedAt: '2026-11-26T10:00:00.000Z', recordedBy: 'editor' } },
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
  const bad = await postEvents(ledger.app, [statement(), statement({ on: '2016-13-01', stances: [{ dimension: 'detainer_hold', value: 'whatever' }] })])
  t.equal(bad.statusCode, 400)
  t.equal(bad.headers['content-type'], 'application/problem+json; charset=utf-8')
  const problem = bad.json()
  t.match(problem, { type: /invalid-request$/, title: String, status: 400, detail: String })
  t.same(problem.errors.map((e: { path: string }) => e.path).sort(), ['/events/1/data/on', '/events/1/data/stances/0/value'])
  t.notOk(JSON.stringify(problem).includes('at '), 'no stack trace')
  const unknownKey = await postEvents(ledger.app, [{ ...statement(), surprise: 1 }])
  t.equal(unknownKey.statusCode, 400)
  const none = await postEvents(ledger.app, [])
  t.equal(none.statusCode, 400)
  const tooMany = await postEvents(ledger.app, Array.from({ length: 1_001 }, () => statement()))
  t.equal(tooMany.statusCode, 400)
  const id = randomUUID()
  const twice = await postEvents(ledger.app, [{ id, ...statement() }, { id, ...statement() }])
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
  const recorded = { id: randomUUID(), ...statement() }
  const given = [chicago, article, recorded]
  t.test('the same content: 200 with the original result; a duplicate’s expectedRevision is ignored', async (t) => {
    const { response, given: results } = await givenLedger(t, given)
      .when(write({ ...recorded, expectedRevision: 0 }))
      .then({ status: 200 }, [])
    t.same(response.json(), { events: [results[2]] }, 'the original result')
  })
  t.test('other content under the same id: 409', async (t) => {
    await givenLedger(t, given)
      .when(write({ ...recorded, ...statement({ summary: 'something else' }) }))
      .then({ status: 409, body: { type: /idempotency-conflict$/, errors: [{ path: '/events/0/id' }] } }, [])
  })
  t.test('some new: 201, the duplicate answered where it stands', async (t) => {
    await givenLedger(t, given)
      .when(write(recorded, statement({ summary: 'new' })))
      .then((results) => ({ status: 201, body: { events: [{ id: recorded.id, position: results[2]!.position }, { position: 3 }] } }), [
        { type: 'StatementMade', position: 3, data: { summary: 'new' } },
      ])
  })
})
t.test('expectedRevision: a mismatch is 409 with the stream and both revisions', async (t) => {
  // the given events leave jurisdiction-us-il-chicago at revision 1
  const given = [chicago, article, statement()]
  const current = 1
  t.test('a stale revision', async (t) => {
    await givenLedger(t, given)
      .when(write({ ...statement(), expectedRevision: current - 1 }))
      .then({ status: 409, body: { stream: 'jurisdiction-us-il-chicago', expectedRevision: current - 1, currentRevision: current } }, [])
  })
  t.test('no_stream on a stream that exists', async (t) => {
    await givenLedger(t, given).when(write({ ...statement(), expectedRevision: 'no_stream' })).then({ status: 409 }, [])
  })
  t.test('the current revision, on the stream’s first event in the request', async (t) => {
    const stream = 'jurisdiction-us-il-chicago'
    await givenLedger(t, given)
      .when(write({ ...statement(), expectedRevision: current }, statement()))
      .then({ status: 201 }, [
        { stream, revision: current + 1 },
        { stream, revision: current + 2 },
      ])
  })
  t.test('on a later event of the stream: 400, one check and one problem type', async (t) => {
    await givenLedger(t, given)
      .when(write(statement(), { ...statement(), expectedRevision: current + 2 }))
      .then({ status: 400, body: { type: '/problems/expected-revision-misplaced', errors: [{ path: '/events/1/expectedRevision' }] } }, [])
  })
  t.test('placement is judged on the request as sent, duplicates included', async (t) => {
    const recorded = { id: randomUUID(), ...statement() }
    await givenLedger(t, [chicago, article, recorded])
      .when(write(recorded, { ...statement(), expectedRevision: current }))
      .then({ status: 400, body: { type: '/problems/expected-revision-misplaced', errors: [{ path: '/events/1/expectedRevision' }] } }, [])
  })
})
t.test('rules are 422 with a stable type, checked against earlier events of the same request', async (t) => {
  const buffalo = {
    type: 'JurisdictionRegistered',
    data: { jurisdictionId: 'us-ny-buffalo', name: 'Buffalo', kind: 'city', ocdId: 'ocd-division/country:us/state:ny/place:buffalo' },
  }
  t.test('an unregistered jurisdiction', async (t) => {
    await givenLedger(t, [chicago, article])
      .when(write(statement({ jurisdictionId: 'us-ny-buffalo' })))
      .then({ status: 422, body: { type: /jurisdiction-not-registered$/, errors: [{ path: /^\/events\/0\// }] } }, [])
  })
  t.test('a quote that is not in the archived source', async (t) => {
    await givenLedger(t, [chicago, article])
      .when(write(statement({ quote: { exact: 'words nobody said' } })))
      .then({ status: 422, body: { type: /quote-not-found$/ } }, [])
  })
  t.test('one bad event: nothing written', async (t) => {
    await givenLedger(t, [chicago, article])
      .when(write(statement(), statement({ sourceId: 'not-registered-yet' })))
      .then({ status: 422 }, [])
  })
  t.test('a request may register what its later events cite', async (t) => {
    const us = jurisdictionRegistered('us', { name: 'United States', kind: 'federal', ocdId: 'ocd-division/country:us' })
    await givenLedger(t, [us])
      .when(
        write(
          { ...buffalo, data: { ...buffalo.data, parentId: 'us' } },
          { type: 'SourceRegistered', data: { sourceId: 'buffalo-news-1', kind: 'news-article', title: 'Buffalo', publisher: 'Buffalo News', publishedOn: '2017-02' } },
          statement({ jurisdictionId: 'us-ny-buffalo', sourceId: 'buffalo-news-1', actor: { id: 'byron-brown', name: 'Byron Brown' } }),
        ),
      )
      .then({ status: 201, body: { events: [{ position: 1 }, { position: 2 }, { position: 3 }] } }, [
        { type: 'JurisdictionRegistered', position: 1 },
        { type: 'SourceRegistered', position: 2 },
        { type: 'StatementMade', position: 3, stream: 'jurisdiction-us-ny-buffalo' },
      ])
  })
  t.test('a second registration under a new id', async (t) => {
    await givenLedger(t, [buffalo]).when(write(buffalo)).then({ status: 422, body: { type: /already-registered$/ } }, [])
  })
  t.test('a retraction of another jurisdiction’s claim', async (t) => {
    const claim = { id: randomUUID(), ...statement() }
    await givenLedger(t, [chicago, article, claim, buffalo])
      .when(write({ type: 'ClaimRetracted', data: { jurisdictionId: 'us-ny-buffalo', retractsEventId: claim.id, reason: 'wrong city' } }))
      .then({ status: 422, body: { type: /claim-jurisdiction-mismatch$/ } }, [])
  })
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
  const response = await postEvents(ledger.app, Array.from({ length: 100 }, () => ({ ...big, id: randomUUID() })))
  t.equal(response.statusCode, 507)
  t.match(response.json(), { type: '/problems/store-full', retryAfter: 30 })
  t.equal(response.headers['retry-after'], '30')
  t.equal(ledger.runner.size, head, 'nothing written')
  t.same(ledger.log.latest(), checkpoint, 'the checkpoint did not move')
})
