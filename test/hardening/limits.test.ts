import t from 'tap'
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { compose } from '../../src/compose.js'
import { parseConfig } from '../../src/config/config.js'
import { openSqliteEventStore } from '../../src/stores/sqlite/sqliteEventStore.js'
import { sha256Hex } from '../../src/sha256Hex.js'
import { authorised, testLedger, WRITER_TOKEN } from '../support/testLedger.js'
import { scratchStore, sleep, startServe } from '../support/serveProcess.js'

/**
 * Limits and security: body size, batch size, per-token write rate, security headers, tokens kept out
 * of logs, token comparison, and a graceful SIGTERM that finishes in-flight writes.
 */

const OTHER_TOKEN = 'other-writer-token-9876543210'
const ARTICLE = 'abcnews-2016-11-17-cities-push-back'

const statement = (summary = 'Reaffirms Chicago as a sanctuary city') => ({
  type: 'StatementMade',
  data: {
    jurisdictionId: 'us-il-chicago',
    actor: { id: 'rahm-emanuel', name: 'Rahm Emanuel', office: 'Mayor of Chicago' },
    on: '2016-11-20',
    summary,
    sourceId: ARTICLE,
    stances: [{ dimension: 'declared_status', value: 'sanctuary' }],
  },
})

const isProblem = (headers: Record<string, unknown>) =>
  /^application\/problem\+json/.test(String(headers['content-type']))

t.test('a body over LEDGER_BODY_LIMIT is a 413 problem, and nothing is written', async (t) => {
  const ledger = await testLedger({ LEDGER_BODY_LIMIT: '2048' })
  t.teardown(() => ledger.close())
  const head = ledger.runner.size
  const small = JSON.stringify({ events: [statement()] })
  t.ok(small.length < 2048)
  const fits = await ledger.app.inject({
    method: 'POST',
    url: '/events',
    headers: { ...authorised, 'content-type': 'application/json' },
    payload: small,
  })
  t.equal(fits.statusCode, 201, 'under the limit: written')
  const big = JSON.stringify({ events: [statement('x'.repeat(2_100))] })
  const over = await ledger.app.inject({
    method: 'POST',
    url: '/events',
    headers: { ...authorised, 'content-type': 'application/json' },
    payload: big,
  })
  t.equal(over.statusCode, 413)
  t.ok(isProblem(over.headers), 'problem+json')
  t.match(over.json(), {
    type: /body-too-large$/,
    status: 413,
    title: String,
    detail: /LEDGER_BODY_LIMIT/,
  })
  t.equal(ledger.runner.size, head + 1, 'only the first was written')
})

t.test(
  'the default body limit (4 MiB) admits the largest source the schema allows and refuses more',
  async (t) => {
    const ledger = await testLedger()
    t.teardown(() => ledger.close())
    const content = 'a'.repeat(3_000_000)
    const source = {
      type: 'SourceRegistered',
      data: {
        sourceId: 'largest-source',
        kind: 'other',
        title: 'The largest archived text',
        publisher: 'Test',
        publishedOn: '2020',
        content,
        contentSha256: sha256Hex(content),
      },
    }
    const largest = await ledger.app.inject({
      method: 'POST',
      url: '/events',
      headers: authorised,
      payload: { events: [source] },
    })
    t.equal(largest.statusCode, 201, '3 000 000 characters of content fit')
    const over = await ledger.app.inject({
      method: 'POST',
      url: '/events',
      headers: { ...authorised, 'content-type': 'application/json' },
      payload: Buffer.alloc(4 * 1024 * 1024 + 1, 0x20),
    })
    t.equal(over.statusCode, 413, '4 MiB + 1 byte: 413')
    t.ok(isProblem(over.headers))
  },
)

t.test('a request of exactly 1 000 events is written; 1 001 is a 400', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const head = ledger.runner.size
  const thousand = Array.from({ length: 1_000 }, (_, index) => ({
    id: randomUUID(),
    ...statement(`statement ${index}`),
  }))
  const accepted = await ledger.app.inject({
    method: 'POST',
    url: '/events',
    headers: authorised,
    payload: { events: thousand },
  })
  t.equal(accepted.statusCode, 201)
  t.equal(accepted.json().events.length, 1_000)
  t.equal(ledger.runner.size, head + 1_000)
  const tooMany = await ledger.app.inject({
    method: 'POST',
    url: '/events',
    headers: authorised,
    payload: {
      events: Array.from({ length: 1_001 }, (_, index) => statement(`statement ${index}`)),
    },
  })
  t.equal(tooMany.statusCode, 400)
  t.match(tooMany.json(), {
    type: /invalid-request$/,
    errors: [{ path: '/events', message: /1000|1 000/ }],
  })
  t.equal(ledger.runner.size, head + 1_000, 'nothing more written')
})

t.test('LEDGER_WRITE_RATE_LIMIT limits writes per token; 0 turns it off', async (t) => {
  const ledger = await testLedger({
    LEDGER_TOKENS: `editor:${WRITER_TOKEN},other:${OTHER_TOKEN}`,
    LEDGER_WRITE_RATE_LIMIT: '3',
  })
  t.teardown(() => ledger.close())
  const write = (token: string) =>
    ledger.app.inject({
      method: 'POST',
      url: '/events',
      headers: { authorization: `Bearer ${token}` },
      payload: { events: [statement()] },
    })
  for (let n = 1; n <= 3; n += 1)
    t.equal((await write(WRITER_TOKEN)).statusCode, 201, `write ${n}: 201`)
  const head = ledger.runner.size
  const limited = await write(WRITER_TOKEN)
  t.equal(limited.statusCode, 429, 'the fourth write in the minute: 429')
  t.ok(isProblem(limited.headers), 'problem+json')
  t.match(limited.json(), { type: /rate-limited$/, status: 429, title: String, detail: String })
  t.match(limited.headers['retry-after'], /^\d+$/, 'with Retry-After in seconds')
  t.ok(Number(limited.headers['retry-after']) > 0 && Number(limited.headers['retry-after']) <= 60)
  t.equal(ledger.runner.size, head, 'the limited write was not written')
  t.equal((await write(OTHER_TOKEN)).statusCode, 201, 'another token is not affected')
  for (let n = 0; n < 5; n += 1)
    t.equal(
      (await ledger.app.inject({ url: '/jurisdictions/us-il-chicago' })).statusCode,
      200,
      'reads are not limited',
    )

  const unlimited = await testLedger({ LEDGER_WRITE_RATE_LIMIT: '0' })
  t.teardown(() => unlimited.close())
  const statuses = []
  for (let n = 0; n < 20; n += 1) {
    statuses.push(
      (
        await unlimited.app.inject({
          method: 'POST',
          url: '/events',
          headers: authorised,
          payload: { events: [statement()] },
        })
      ).statusCode,
    )
  }
  t.same(
    new Set(statuses),
    new Set([201]),
    'LEDGER_WRITE_RATE_LIMIT=0: 20 writes in a row, all 201',
  )
})

t.test('security headers on answers and on errors', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const answers = {
    'a read': await ledger.app.inject({ url: '/jurisdictions/us-il-chicago' }),
    'a 404': await ledger.app.inject({ url: '/nowhere' }),
    'a 401': await ledger.app.inject({
      method: 'POST',
      url: '/events',
      payload: { events: [statement()] },
    }),
    'a 400': await ledger.app.inject({ url: '/events?limit=0' }),
  }
  for (const [what, response] of Object.entries(answers)) {
    t.equal(
      response.headers['x-content-type-options'],
      'nosniff',
      `${what}: x-content-type-options`,
    )
    t.match(
      response.headers['content-security-policy'],
      /default-src 'self'/,
      `${what}: content-security-policy`,
    )
    t.match(
      response.headers['content-security-policy'],
      /frame-ancestors 'none'/,
      `${what}: no framing`,
    )
    t.ok(response.headers['strict-transport-security'], `${what}: strict-transport-security`)
    t.ok(response.headers['x-frame-options'], `${what}: x-frame-options`)
    t.notOk(response.headers['x-powered-by'], `${what}: no x-powered-by`)
  }
})

t.test(
  'a token that differs only in its last character, or is a prefix or an extension, is refused',
  async (t) => {
    const ledger = await testLedger()
    t.teardown(() => ledger.close())
    const head = ledger.runner.size
    const last = WRITER_TOKEN.at(-1)!
    const near = [
      `${WRITER_TOKEN.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`,
      `${WRITER_TOKEN.slice(0, -1)}${String.fromCharCode(last.charCodeAt(0) ^ 1)}`,
      WRITER_TOKEN.slice(0, -1),
      `${WRITER_TOKEN}0`,
      WRITER_TOKEN.toUpperCase(),
      `${WRITER_TOKEN} ${WRITER_TOKEN}`,
    ]
    for (const token of near) {
      const response = await ledger.app.inject({
        method: 'POST',
        url: '/events',
        headers: { authorization: `Bearer ${token}` },
        payload: { events: [statement()] },
      })
      t.equal(
        response.statusCode,
        401,
        `${JSON.stringify(token.replace(WRITER_TOKEN.slice(0, 6), '…'))}: 401`,
      )
      t.match(response.headers['www-authenticate'], /^Bearer/)
    }
    t.equal(ledger.runner.size, head, 'nothing written')
    const right = await ledger.app.inject({
      method: 'POST',
      url: '/events',
      headers: { authorization: `bearer  ${WRITER_TOKEN}` },
      payload: { events: [statement()] },
    })
    t.equal(right.statusCode, 201, 'the token itself is accepted')
  },
)

t.test(
  'tokens never appear in the logs, even at trace level and with no redaction configured',
  async (t) => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'))
        done()
      },
    })
    const readToken = 'reader-secret-token-55555'
    const config = parseConfig({
      LEDGER_STORE: 'sqlite::memory:',
      LEDGER_TOKENS: `editor:${WRITER_TOKEN},other:${OTHER_TOKEN}`,
      LEDGER_READ_TOKENS: `reader:${readToken}`,
      LEDGER_WRITE_RATE_LIMIT: '2',
    })
    const ledger = await compose(config, {
      logger: pino({ level: 'trace' }, sink),
      withApp: true,
      seed: true,
    })
    t.teardown(() => ledger.close())
    const app = ledger.app!
    const write = (authorization: string, events: unknown[] = [statement()]) =>
      app.inject({
        method: 'POST',
        url: '/events',
        headers: { authorization },
        payload: { events },
      })
    t.equal((await write(`Bearer ${WRITER_TOKEN}`)).statusCode, 201)
    t.equal(
      (await write(`Bearer ${WRITER_TOKEN}`, [{ ...statement(), surprise: true }])).statusCode,
      400,
    )
    t.equal((await write(`Bearer ${WRITER_TOKEN}`)).statusCode, 429)
    t.equal(
      (
        await write(`Bearer ${OTHER_TOKEN}`, [
          { ...statement(), data: { ...statement().data, sourceId: 'nope' } },
        ])
      ).statusCode,
      422,
    )
    t.equal((await write(`Bearer ${readToken}`)).statusCode, 403)
    t.equal((await write(`Bearer ${WRITER_TOKEN}x`)).statusCode, 401)
    t.equal(
      (
        await app.inject({
          url: '/jurisdictions',
          headers: { authorization: `Bearer ${readToken}` },
        })
      ).statusCode,
      200,
    )
    t.equal(
      (
        await app.inject({
          url: '/jurisdictions',
          headers: { authorization: `Bearer ${readToken.slice(0, -1)}` },
        })
      ).statusCode,
      401,
    )
    const log = lines.join('')
    t.ok(log.includes('"msg":"incoming request"'), 'requests were logged at trace level')
    t.ok(log.split('\n').length > 10)
    for (const token of [
      WRITER_TOKEN,
      OTHER_TOKEN,
      readToken,
      readToken.slice(0, -1),
      WRITER_TOKEN.slice(4, -4),
    ]) {
      t.notOk(log.includes(token), `the log holds no ${token.slice(0, 6)}… token (or part of one)`)
    }
  },
)

t.test(
  'SIGTERM finishes in-flight writes, refuses the rest cleanly, exits 0 and leaves every acknowledged write',
  async (t) => {
    const { store: storePath } = scratchStore(t, 'shutdown')
    const served = await startServe(storePath, {
      LEDGER_TOKENS: `editor:${WRITER_TOKEN}`,
      LEDGER_WRITE_RATE_LIMIT: '0',
      // the real logger (src/cli/logger.ts) at its most talkative: the token must still not appear
      LOG_LEVEL: 'trace',
    })
    t.teardown(() => {
      if (served.child.exitCode === null && served.child.signalCode === null)
        served.child.kill('SIGKILL')
    })

    interface Sent {
      ids: string[]
      status?: number
      contentType?: string
      positions?: number[]
      failed?: string
    }
    const sent: Sent[] = []
    async function post(events: Array<{ id: string }>, requestId: string): Promise<Sent> {
      const record: Sent = { ids: events.map((event) => event.id) }
      sent.push(record)
      try {
        const response = await fetch(`${served.baseUrl}/events`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${WRITER_TOKEN}`,
            'content-type': 'application/json',
            'x-request-id': requestId,
          },
          body: JSON.stringify({ events }),
          signal: AbortSignal.timeout(20_000),
        })
        record.status = response.status
        record.contentType = response.headers.get('content-type') ?? ''
        const body = (await response.json()) as { events?: Array<{ position: number }> }
        if (response.status === 201) record.positions = body.events!.map((event) => event.position)
      } catch (error) {
        record.failed = (error as Error).message
      }
      return record
    }

    // a slow stream of writes from three clients, until the server stops answering
    let stopped = false
    const clients = Array.from({ length: 3 }, async (_, client) => {
      for (let n = 0; !stopped; n += 1) {
        const record = await post(
          [{ id: randomUUID(), ...statement(`client ${client}, write ${n}`) }],
          `slow-${client}-${n}`,
        )
        if (record.failed !== undefined) return
        await sleep(20)
      }
    })
    await sleep(500)
    // a large write, in flight when SIGTERM arrives: its request id shows up in the trace log first
    const bigId = `big-${randomUUID()}`
    const big = post(
      Array.from({ length: 1_000 }, (_, index) => ({
        id: randomUUID(),
        ...statement(`big ${index}`),
      })),
      bigId,
    )
    const deadline = Date.now() + 10_000
    while (!served.stdout().includes(`"reqId":"${bigId}"`) && Date.now() < deadline) await sleep(2)
    t.ok(served.stdout().includes(`"reqId":"${bigId}"`), 'the large write reached the server')
    served.child.kill('SIGTERM')
    const exit = await served.exited
    stopped = true
    await Promise.all(clients)
    const bigResult = await big

    t.same(exit, { code: 0, signal: null }, 'exit code 0')
    t.equal(bigResult.status, 201, 'the write in flight at SIGTERM was finished and acknowledged')
    const answered = sent.filter((record) => record.status !== undefined)
    const refused = answered.filter((record) => record.status !== 201)
    t.ok(answered.length > 10, `${answered.length} writes answered`)
    // Node dispatches even pipelined requests at once, so a refusal is almost always at connect; a 503
    // from fastify's closing path is checked when one happens
    for (const record of refused) {
      t.equal(record.status, 503, 'a write the server would not take is refused with a 503')
      t.match(record.contentType, /^application\/problem\+json/, 'as a problem')
    }
    t.comment(
      `shutdown: ${answered.length - refused.length} acknowledged, ${refused.length} refused with 503, ${sent.length - answered.length} refused at connect`,
    )

    const log = served.stdout() + served.stderr()
    t.match(log, /shutting down/, 'the shutdown was logged')
    t.match(log, /"msg":"stopped"/, 'and its end')
    t.notOk(log.includes(WRITER_TOKEN), 'the token is not in the trace log of the real logger')

    const store = openSqliteEventStore({ path: storePath, readonly: true })
    t.teardown(() => store.close())
    for (const record of sent) {
      const found = await Promise.all(record.ids.map((id) => store.eventById(id)))
      if (record.status === 201) {
        t.ok(
          found.every((event: { position: number } | undefined, index: number) => event?.position === record.positions![index]),
          'an acknowledged write is in the store where it was acknowledged',
        )
      } else if (record.status !== undefined) {
        t.ok(
          found.every((event: unknown) => event === undefined),
          'a refused write is not in the store',
        )
      } else {
        const count = found.filter((event: unknown) => event !== undefined).length
        t.ok(count === 0 || count === found.length, 'an unanswered write is all or nothing')
      }
    }
    const head = await store.head()
    const checkpoint = await store.latestCheckpoint()
    t.equal(checkpoint?.treeSize, head, 'the last checkpoint covers every stored event')
  },
)
