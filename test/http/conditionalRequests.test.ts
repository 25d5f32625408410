import t from 'tap'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { authorised, lastSeedPosition, READER_TOKEN, seedId, seedSize, testLedger } from '../support/testLedger.js'

type TestLedger = Awaited<ReturnType<typeof testLedger>>

const stance = '/jurisdictions/us-pa-philadelphia/stance'
const pinnedStance = `${stance}?asOf=2016-03-01&knownAt=${lastSeedPosition}`
const immutable = 'public, max-age=31536000, immutable'
const kenneyOrder = seedId('claim/kenney-2016-01-executive-order')

function write(ledger: TestLedger) {
  return ledger.app.inject({
    method: 'POST',
    url: '/events',
    headers: authorised,
    payload: {
      events: [
        {
          type: 'JurisdictionRegistered',
          data: {
            jurisdictionId: 'us-xx-elsewhere',
            name: 'Elsewhere',
            kind: 'city',
            ocdId: 'ocd-division/country:us/place:elsewhere',
          },
        },
      ],
    },
  })
}

/** Counts the store reads a handler makes, to show a 304 computed nothing. */
function countEventById(ledger: TestLedger): { calls: number } {
  const counter = { calls: 0 }
  const original = ledger.store.eventById.bind(ledger.store)
  ledger.store.eventById = async (id) => {
    counter.calls += 1
    return original(id)
  }
  return counter
}

t.test(
  'an unchanged answer is a 304 with no body; a write in between gives 200 and a new tag',
  async (t) => {
    const ledger = await testLedger()
    t.teardown(() => ledger.close())
    const first = await ledger.app.inject({ url: stance })
    t.equal(first.statusCode, 200)
    const etag = first.headers.etag as string
    t.match(etag, /^"[A-Za-z0-9_-]{27}"$/, 'a strong tag')
    t.equal(first.headers['cache-control'], 'no-cache', 'unpinned: revalidate every time')
    t.equal(
      first.headers['last-modified'],
      'Fri, 20 Nov 2026 12:00:00 GMT',
      `when knownAtPosition ${lastSeedPosition} was recorded`,
    )

    const again = await ledger.app.inject({ url: stance })
    t.equal(again.headers.etag, etag, 'a kept answer carries the tag it was kept with')
    t.equal(again.headers['last-modified'], first.headers['last-modified'])

    const revalidated = await ledger.app.inject({ url: stance, headers: { 'if-none-match': etag } })
    t.equal(revalidated.statusCode, 304)
    t.equal(revalidated.body, '', 'no body')
    t.equal(revalidated.headers.etag, etag)
    t.equal(revalidated.headers['cache-control'], 'no-cache')
    t.equal(
      (await ledger.app.inject({ url: stance, headers: { 'if-none-match': `"other", W/${etag}` } }))
        .statusCode,
      304,
      'weak comparison, any of a list',
    )
    t.equal(
      (
        await ledger.app.inject({
          url: `${stance}?asOf=2016-03-01`,
          headers: { 'if-none-match': etag },
        })
      ).statusCode,
      200,
      'another query is another answer',
    )

    t.equal((await write(ledger)).statusCode, 201)
    const changed = await ledger.app.inject({ url: stance, headers: { 'if-none-match': etag } })
    t.equal(changed.statusCode, 200, 'the ledger moved: the whole answer again')
    t.not(changed.headers.etag, etag)
    t.equal(changed.json().knownAtPosition, seedSize)
    t.not(
      changed.headers['last-modified'],
      first.headers['last-modified'],
      'recorded now, by the write',
    )
    t.equal(
      (
        await ledger.app.inject({
          url: stance,
          headers: { 'if-none-match': changed.headers.etag as string },
        })
      ).statusCode,
      304,
    )
  },
)

t.test('If-None-Match is answered before the handler computes anything', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const url = `/events/${kenneyOrder}`
  const first = await ledger.app.inject({ url })
  t.equal(first.statusCode, 200)
  const reads = countEventById(ledger)
  const revalidated = await ledger.app.inject({
    url,
    headers: { 'if-none-match': first.headers.etag as string },
  })
  t.equal(revalidated.statusCode, 304)
  t.equal(reads.calls, 0, 'the store was not read')
  await ledger.app.inject({ url })
  t.equal(reads.calls, 1, 'it is read for a 200 (the spy works)')
})

t.test('answers that pin both clocks are immutable; anything else is no-cache', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const treeSize = ledger.log.latest()!.treeSize
  const cases: Array<[string, string]> = [
    [pinnedStance, immutable],
    [
      `/jurisdictions?asOf=2017-06-30&knownAt=${lastSeedPosition}&dimension=declared_status&value=sanctuary`,
      immutable,
    ],
    [`${stance}?asOf=2016-03-01`, 'no-cache'],
    [`${stance}?knownAt=${lastSeedPosition}`, 'no-cache'],
    [`${stance}?asOf=2016-03-01&knownAt=2026-11-21`, 'no-cache'],
    [`/jurisdictions/us-pa-philadelphia/history?knownAt=${lastSeedPosition}`, 'no-cache'],
    [`/ledger/proofs/inclusion?eventId=${kenneyOrder}&treeSize=${treeSize}`, immutable],
    [`/ledger/proofs/inclusion?eventId=${kenneyOrder}`, 'no-cache'],
    [`/ledger/proofs/consistency?first=1&second=${treeSize}`, immutable],
    [`/ledger/proofs/consistency?first=1`, 'no-cache'],
    ['/ledger/entries?start=0&end=10', immutable],
    ['/ledger/entries?end=10', immutable],
    ['/ledger/entries?start=10', 'no-cache'],
    ['/ledger/checkpoint', 'no-cache'],
    ['/jurisdictions/us-pa-philadelphia', 'no-cache'],
  ]
  const tags = new Map<string, string>()
  for (const [url, cacheControl] of cases) {
    const response = await ledger.app.inject({ url })
    t.equal(response.statusCode, 200, url)
    t.equal(response.headers['cache-control'], cacheControl, `${url}: ${cacheControl}`)
    t.ok(response.headers.etag, `${url}: has an ETag`)
    tags.set(url, response.headers.etag as string)
  }
  t.equal((await write(ledger)).statusCode, 201)
  for (const [url, cacheControl] of cases) {
    if (cacheControl !== immutable) continue
    const response = await ledger.app.inject({ url, headers: { 'if-none-match': tags.get(url)! } })
    t.equal(response.statusCode, 304, `${url}: the same tag after a write`)
  }
  t.not(
    (await ledger.app.inject({ url: '/ledger/checkpoint' })).headers.etag,
    tags.get('/ledger/checkpoint'),
    'the checkpoint moved',
  )

  const missing = await ledger.app.inject({
    url: `/jurisdictions/us-xx-nowhere/stance?asOf=2016-03-01&knownAt=${lastSeedPosition}`,
  })
  t.equal(missing.statusCode, 404)
  t.notOk(missing.headers.etag, 'an error has no tag')
  t.equal(missing.headers['cache-control'], 'no-cache', 'and is never kept')
})

t.test('with read tokens, an immutable answer is private', async (t) => {
  const ledger = await testLedger({ LEDGER_READ_TOKENS: `reader:${READER_TOKEN}` })
  t.teardown(() => ledger.close())
  const headers = { authorization: `Bearer ${READER_TOKEN}` }
  const response = await ledger.app.inject({ url: pinnedStance, headers })
  t.equal(response.headers['cache-control'], 'private, max-age=31536000, immutable')
  const refused = await ledger.app.inject({
    url: pinnedStance,
    headers: { 'if-none-match': response.headers.etag as string },
  })
  t.equal(refused.statusCode, 401, 'a tag is no token: no 304 without one')
})

t.test('a page and the JSON index of / are different representations', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const json = await ledger.app.inject({ url: '/' })
  const page = await ledger.app.inject({ url: '/', headers: { accept: 'text/html' } })
  t.match(page.headers['content-type'], /text\/html/)
  t.not(page.headers.etag, json.headers.etag)
  t.equal(
    (
      await ledger.app.inject({
        url: '/',
        headers: { 'if-none-match': json.headers.etag as string, accept: 'text/html' },
      })
    ).statusCode,
    200,
    'a JSON tag does not validate the page',
  )
})

t.test('answers above 1 KiB are compressed, br or gzip, with a tag per coding', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const plain = await ledger.app.inject({ url: '/jurisdictions' })
  t.ok(plain.rawPayload.length > 1_024, 'the list is over the threshold')
  t.notOk(plain.headers['content-encoding'], 'identity unless asked')

  const br = await ledger.app.inject({
    url: '/jurisdictions',
    headers: { 'accept-encoding': 'gzip, deflate, br' },
  })
  t.equal(br.headers['content-encoding'], 'br')
  t.match(br.headers.vary, /accept-encoding/i)
  t.ok(
    br.rawPayload.length < plain.rawPayload.length / 2,
    `smaller on the wire: ${br.rawPayload.length} < ${plain.rawPayload.length}`,
  )
  t.same(brotliDecompressSync(br.rawPayload), plain.rawPayload, 'the same bytes inside')
  t.equal(br.headers.etag, `${(plain.headers.etag as string).slice(0, -1)}-br"`)
  const again = await ledger.app.inject({
    url: '/jurisdictions',
    headers: { 'accept-encoding': 'br', 'if-none-match': br.headers.etag as string },
  })
  t.equal(again.statusCode, 304, 'its own tag revalidates it')

  const gzip = await ledger.app.inject({
    url: '/ledger/entries',
    headers: { 'accept-encoding': 'gzip' },
  })
  t.equal(gzip.headers['content-encoding'], 'gzip', 'NDJSON too')
  t.equal(gunzipSync(gzip.rawPayload).toString().split('\n').length, seedSize + 1)
  const page = await ledger.app.inject({
    url: '/ui/jurisdictions/us-pa-philadelphia',
    headers: { 'accept-encoding': 'br', accept: 'text/html' },
  })
  t.equal(page.headers['content-encoding'], 'br', 'and pages')
  const small = await ledger.app.inject({ url: '/health', headers: { 'accept-encoding': 'br' } })
  t.notOk(small.headers['content-encoding'], 'not under 1 KiB')
})
