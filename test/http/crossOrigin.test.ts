import t from 'tap'
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
