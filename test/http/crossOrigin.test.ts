import cors from '@fastify/cors'
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import { crossOrigin } from '../../src/http/plugins/crossOrigin.js'
import { authorised, READER_TOKEN, testLedger } from '../support/testLedger.js'

const stance = '/jurisdictions/us-pa-philadelphia/stance'
const newsroom = 'https://newsroom.example'
const stranger = 'https://stranger.example'

function preflight(origin: string, method: string, url = stance, headers = 'authorization') {
  return {
    method: 'OPTIONS' as const,
    url,
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': headers,
    },
  }
}

t.test('by default any origin may read and none may write', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const read = await ledger.app.inject({ url: stance, headers: { origin: stranger } })
  t.equal(read.statusCode, 200)
  t.equal(read.headers['access-control-allow-origin'], '*')
  t.match(read.headers['access-control-expose-headers'], /ETag/, 'a script may read the ETag')
  t.equal(
    read.headers['cross-origin-resource-policy'],
    'cross-origin',
    'the API answer may be embedded elsewhere',
  )

  const readPreflight = await ledger.app.inject(preflight(stranger, 'GET'))
  t.equal(readPreflight.statusCode, 204)
  t.equal(readPreflight.headers['access-control-allow-origin'], '*')
  t.match(readPreflight.headers['access-control-allow-headers'], /Authorization/)
  t.match(readPreflight.headers['access-control-allow-headers'], /If-None-Match/)
  t.equal(readPreflight.headers['access-control-max-age'], '86400', 'the preflight is cached')

  const writePreflight = await ledger.app.inject(
    preflight(stranger, 'POST', '/events', 'authorization,content-type'),
  )
  t.notOk(writePreflight.headers['access-control-allow-origin'], 'no origin may write with `*`')
})

t.test('LEDGER_CORS_ORIGINS lists who may read, and only those listed may write', async (t) => {
  const ledger = await testLedger({ LEDGER_CORS_ORIGINS: newsroom })
  t.teardown(() => ledger.close())
  const listedRead = await ledger.app.inject({ url: stance, headers: { origin: newsroom } })
  t.equal(listedRead.headers['access-control-allow-origin'], newsroom)
  t.match(listedRead.headers.vary, /Origin/, 'a shared cache keeps one answer per origin')
  const strangerRead = await ledger.app.inject({ url: stance, headers: { origin: stranger } })
  t.equal(strangerRead.statusCode, 200, 'CORS is the browser’s to enforce; curl still reads')
  t.notOk(strangerRead.headers['access-control-allow-origin'])

  const listedWrite = await ledger.app.inject(
    preflight(newsroom, 'POST', '/events', 'authorization,content-type'),
  )
  t.equal(listedWrite.statusCode, 204)
  t.equal(listedWrite.headers['access-control-allow-origin'], newsroom)
  t.match(listedWrite.headers['access-control-allow-methods'], /POST/)
  const strangerWrite = await ledger.app.inject(
    preflight(stranger, 'POST', '/events', 'authorization,content-type'),
  )
  t.notOk(strangerWrite.headers['access-control-allow-origin'])

  const write = await ledger.app.inject({
    method: 'POST',
    url: '/events',
    headers: { ...authorised, origin: newsroom },
    payload: { events: [] },
  })
  t.equal(
    write.headers['access-control-allow-origin'],
    newsroom,
    'a refusal is readable by the listed origin',
  )
})

t.test('pages stay same-origin; a preflight needs no read token', async (t) => {
  const ledger = await testLedger({ LEDGER_READ_TOKENS: `reader:${READER_TOKEN}` })
  t.teardown(() => ledger.close())
  const page = await ledger.app.inject({
    url: '/ui/jurisdictions/us-pa-philadelphia',
    headers: { authorization: `Bearer ${READER_TOKEN}` },
  })
  t.equal(page.statusCode, 200)
  t.equal(page.headers['cross-origin-resource-policy'], 'same-origin')
  const refused = await ledger.app.inject({ url: stance, headers: { origin: stranger } })
  t.equal(refused.statusCode, 401)
  t.equal(refused.headers['access-control-allow-origin'], '*', 'the 401 is readable cross-origin')
  t.equal(refused.headers['cross-origin-resource-policy'], 'cross-origin')
  const readPreflight = await ledger.app.inject(preflight(stranger, 'GET'))
  t.equal(readPreflight.statusCode, 204)
})

t.test('a listed origin and a compressed answer: a shared cache keys on both', async (t) => {
  const ledger = await testLedger({ LEDGER_CORS_ORIGINS: newsroom })
  t.teardown(() => ledger.close())
  const list = await ledger.app.inject({
    url: '/jurisdictions',
    headers: { origin: newsroom, 'accept-encoding': 'gzip' },
  })
  t.equal(list.headers['content-encoding'], 'gzip')
  t.match(list.headers.vary, /Origin/)
  t.match(list.headers.vary, /Accept-Encoding/i)
  const again = await ledger.app.inject({
    url: '/jurisdictions',
    headers: { origin: newsroom, 'accept-encoding': 'gzip' },
  })
  t.match(again.headers.vary, /Origin/, 'a kept answer too')
  t.match(again.headers.vary, /Accept-Encoding/i)
})

/**
 * The plugin builds its headers once; @fastify/cors with the same two policies (chosen per request by a
 * delegator, as this project first did) is the reference. Every method, origin and LEDGER_CORS_ORIGINS
 * gives the same status and the same Access-Control-* headers, but for three deliberate differences:
 * no `Vary: Origin` where the policy does not look at the Origin (reads open to `*`, writes open to
 * none); a write preflight when no origin may write is a 204 without Access-Control-Allow-Origin (the
 * same refusal the browser sees for an unlisted origin) rather than a 404; an OPTIONS that is no
 * preflight is the 404 problem of a method without a route, never a text/plain 400.
 */
t.test('the same CORS answers as @fastify/cors with the same policies', async (t) => {
  const shared = {
    credentials: false,
    allowedHeaders: ['Authorization', 'Content-Type', 'If-None-Match', 'Last-Event-ID', 'X-Request-Id'],
    exposedHeaders: ['ETag', 'Link', 'Retry-After', 'Ledger-Known-At-Position', 'WWW-Authenticate', 'X-Request-Id'],
    maxAge: 86_400,
  }
  const routes = (app: FastifyInstance) => {
    app.get('/r', async () => ({ read: true }))
    app.post('/w', async () => ({ written: true }))
  }
  const configurations = [['*'], [newsroom], ['*', newsroom], [newsroom, 'https://other.example']]
  const origins = [undefined, newsroom, stranger]
  const requests = (origin: string | undefined) => {
    const from: Record<string, string> = origin === undefined ? {} : { origin }
    const asking = (method: string) => ({
      ...from,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type',
    })
    return [
      { method: 'GET' as const, url: '/r', headers: from },
      { method: 'HEAD' as const, url: '/r', headers: from },
      { method: 'POST' as const, url: '/w', headers: from, payload: {} },
      ...['GET', 'HEAD'].map((method) => ({ method: 'OPTIONS' as const, url: '/r', headers: asking(method) })),
      ...['POST', 'PUT', 'DELETE'].map((method) => ({ method: 'OPTIONS' as const, url: '/w', headers: asking(method) })),
      { method: 'OPTIONS' as const, url: '/w', headers: from },
    ]
  }
  const corsHeaders = (headers: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('access-control-')))
  const varyFields = (vary: unknown) =>
    String(vary ?? '')
      .split(',')
      .map((field) => field.trim().toLowerCase())
      .filter((field) => field !== '')
      .sort()
  let compared = 0
  for (const configured of configurations) {
    const listed = configured.filter((origin) => origin !== '*')
    const reads = { ...shared, methods: ['GET', 'HEAD'], origin: configured.includes('*') ? '*' : listed }
    const writes = { ...shared, methods: ['POST'], origin: listed.length > 0 ? listed : false }
    const reference = Fastify()
    await reference.register(cors, {
      delegator: (request, callback) => {
        const method =
          request.method === 'OPTIONS' ? request.headers['access-control-request-method'] : request.method
        callback(null, method === 'GET' || method === 'HEAD' ? reads : writes)
      },
    })
    routes(reference)
    const subject = Fastify()
    await subject.register(crossOrigin, { origins: configured })
    routes(subject)
    t.teardown(() => Promise.all([reference.close(), subject.close()]))
    for (const origin of origins) {
      for (const request of requests(origin)) {
        const name = `${request.method} ${request.url} ${JSON.stringify(request.headers)} with ${configured.join(',')}`
        const [expected, actual] = await Promise.all([reference.inject(request), subject.inject(request)])
        const asked = request.headers['access-control-request-method']
        const preflight = request.method === 'OPTIONS' && origin !== undefined && asked !== undefined
        const readPolicy = asked === 'GET' || asked === 'HEAD' || request.method === 'GET' || request.method === 'HEAD'
        if (request.method === 'OPTIONS' && !preflight) {
          t.equal(actual.statusCode, 404, `${name}: no preflight, no route`)
          t.same(corsHeaders(actual.headers), {}, name)
          continue
        }
        if (preflight && !readPolicy && listed.length === 0) {
          t.equal(expected.statusCode, 404, `${name}: the reference has no policy to answer with`)
          t.equal(actual.statusCode, 204, `${name}: refused as an unlisted origin is`)
          t.notOk(actual.headers['access-control-allow-origin'], name)
          t.equal(actual.headers['access-control-allow-methods'], 'POST', name)
          continue
        }
        t.equal(actual.statusCode, expected.statusCode, `${name}: status`)
        t.same(corsHeaders(actual.headers), corsHeaders(expected.headers), `${name}: headers`)
        const looksAtOrigin = readPolicy ? !configured.includes('*') : listed.length > 0
        const wantedVary = varyFields(expected.headers.vary).filter((field) => looksAtOrigin || field !== 'origin')
        t.same(varyFields(actual.headers.vary), wantedVary, `${name}: Vary`)
        compared += 1
      }
    }
  }
  t.ok(compared >= 70, `${compared} answers compared header by header`)
})
