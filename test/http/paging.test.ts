import t from 'tap'
import { randomUUID } from 'node:crypto'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { authorised, testLedger } from '../support/testLedger.js'

/**
 * Every list is paged with a cursor that pins the position its first page was computed at: walking a
 * long history while claims are appended skips and repeats nothing, and no answer or page grows with
 * the ledger.
 */
const HOT = 'us-xx-hot'
const SOURCE = 'paging-source'
const MB = 1024 * 1024

function claim(i: number, on: string) {
  return {
    id: randomUUID(),
    type: 'StatementMade',
    data: {
      jurisdictionId: HOT,
      actor: { id: `official-${i % 7}`, name: `Official ${i % 7}` },
      on,
      // long enough that a page of 1 000 would pass the byte budget
      summary: `Claim ${i}: ${'the council said what it said, at length. '.repeat(20)}`,
      sourceId: SOURCE,
      stances: [{ dimension: 'declared_status', value: i % 3 === 0 ? 'sanctuary' : 'welcoming' }],
    },
  }
}

const day = (i: number) => {
  const date = new Date(Date.UTC(1990, 0, 1) + (i % 12_000) * 86_400_000)
  return date.toISOString().slice(0, 10)
}

/**
 * The heap in use after a full collection: what reading left behind. The event loop turns first: an
 * injected request finishes on promises alone, so the immediates that release its response run only
 * when the loop gets to them (a served request always lets it).
 */
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
async function heapAfterGc(): Promise<number> {
  await new Promise(setImmediate)
  gc()
  gc()
  return process.memoryUsage().heapUsed
}
const loopTurns = () => new Promise(setImmediate)

t.test('walking a 30 000-claim history page by page while claims are appended: nothing skipped or repeated', async (t) => {
  // a response cache of 4 MiB: what reading every page may keep is bounded by it, not by the ledger
  const ledger = await testLedger({ LEDGER_WRITE_RATE_LIMIT: '0', LEDGER_RESPONSE_CACHE_BYTES: String(4 * MB) })
  t.teardown(() => ledger.close())
  const post = async (events: unknown[]) => {
    const response = await ledger.app.inject({ method: 'POST', url: '/events', headers: authorised, payload: { events } })
    t.equal(response.statusCode, 201, response.statusCode === 201 ? 'written' : response.body.slice(0, 500))
  }
  await post([
    { type: 'JurisdictionRegistered', data: { jurisdictionId: HOT, name: 'Hot', kind: 'city', ocdId: 'ocd-division/country:us/place:hot' } },
    { type: 'SourceRegistered', data: { sourceId: SOURCE, kind: 'other', title: 'Many claims', publisher: 'Test', publishedOn: '2020' } },
  ])
  const total = 30_000
  for (let from = 0; from < total; from += 1_000) {
    await post(Array.from({ length: 1_000 }, (_, i) => claim(from + i, day(from + i))))
  }
  // claims written so far, by number: what a walk that starts now must see
  let written = total
  let appended = 0

  for (const [label, url, list] of [
    ['history', `/jurisdictions/${HOT}/history`, 'claims'],
    ['the claims of a source', `/sources/${SOURCE}`, 'claims'],
    ['the claims of an actor', '/actors/official-3', 'claims'],
  ] as const) {
    const seen = new Set<string>()
    let repeated = 0
    let pages = 0
    let biggest = 0
    let cursor: string | null = null
    let pinned: number | undefined
    const before = written
    do {
      const response = await ledger.app.inject({ url: `${url}?limit=1000${cursor === null ? '' : `&cursor=${cursor}`}` })
      t.equal(response.statusCode, 200, `${label}: page ${pages}`)
      biggest = Math.max(biggest, response.body.length)
      const page = response.json() as { knownAtPosition?: number; nextCursor: string | null } & Record<string, Array<{ eventId: string }>>
      pinned ??= page.knownAtPosition
      for (const item of page[list]!) {
        if (seen.has(item.eventId)) repeated += 1
        seen.add(item.eventId)
      }
      cursor = page.nextCursor
      pages += 1
      // the ledger grows under the walk: claims dated all over the timeline
      if (pages % 3 === 0) {
        await post([claim(written, day(appended * 997)), claim(written + 1, day(appended * 13))])
        written += 2
        appended += 2
      }
    } while (cursor !== null && pages < 1_000)
    const expected = label === 'the claims of an actor' ? Array.from({ length: before }, (_, i) => i).filter((i) => i % 7 === 3).length : before
    t.equal(repeated, 0, `${label}: no claim twice`)
    t.equal(seen.size, expected, `${label}: every claim known at the first page, ${expected}, none appended later`)
    t.ok(pages > 1, `${label}: ${pages} pages`)
    t.ok(biggest < MB, `${label}: the biggest page is ${biggest} bytes, under 1 MB`)
  }

  const first = (await ledger.app.inject({ url: `/jurisdictions/${HOT}/history?limit=1000` })).json()
  t.ok(first.claims.length < 1_000, `a page stops short of its byte budget: ${first.claims.length} of 1 000 asked`)
  t.type(first.nextCursor, 'string')

  const page = await ledger.app.inject({ url: `/ui/jurisdictions/${HOT}` })
  t.equal(page.statusCode, 200)
  t.ok(page.body.length < MB, `the jurisdiction page is ${page.body.length} bytes with ${written} claims`)
  t.equal((page.body.match(/<article class="claim/g) ?? []).length, 100, 'it shows the newest 100 claims')
  const earlier = /href="(\/ui\/jurisdictions\/us-xx-hot\?before=[^"#]+)#timeline-heading" rel="next">Earlier claims/.exec(page.body)
  t.ok(earlier, 'and links to the earlier ones')
  const next = await ledger.app.inject({ url: earlier![1]! })
  t.equal(next.statusCode, 200)
  t.match(next.body, /Newest claims/)
  t.ok(page.body.includes('drawn, the last in each pixel of the chart'), 'the chart draws the whole timeline at its resolution')

  // reading every page again, of the API and of the pages, leaves the heap where it was
  const heapBefore = await heapAfterGc()
  let bytes = 0
  for (let cursor: string | null = '', pages = 0; cursor !== null && pages < 1_000; pages += 1) {
    const response: { body: string; json(): unknown } = await ledger.app.inject({ url: `/jurisdictions/${HOT}/history${cursor === '' ? '' : `?cursor=${cursor}`}` })
    bytes += response.body.length
    cursor = (response.json() as { nextCursor: string | null }).nextCursor
    await loopTurns()
  }
  for (let url: string | undefined = `/ui/jurisdictions/${HOT}`, pages = 0; url !== undefined && pages < 1_000; pages += 1) {
    const response: { body: string } = await ledger.app.inject({ url })
    t.ok(response.body.length < MB, `page ${pages} of the jurisdiction: ${response.body.length} bytes`)
    bytes += response.body.length
    await loopTurns()
    url = /href="(\/ui\/jurisdictions\/us-xx-hot\?before=[^"#]+)#timeline-heading" rel="next">Earlier claims/.exec(response.body)?.[1]?.replaceAll('&amp;', '&')
  }
  const grown = (await heapAfterGc()) - heapBefore
  t.ok(bytes > 20 * MB, `${Math.round(bytes / MB)} MiB of answers and pages read`)
  t.ok(grown < 8 * MB, `the heap grew by ${Math.round(grown / 1024)} KiB, within the response cache's 4 MiB and a little`)
})

t.test('a cursor belongs to its list and filters; garbage is a 400', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const first = (await ledger.app.inject({ url: '/jurisdictions?limit=2' })).json()
  t.equal(first.jurisdictions.length, 2)
  t.type(first.total, 'number')
  const second = (await ledger.app.inject({ url: `/jurisdictions?limit=2&cursor=${first.nextCursor}` })).json()
  t.notSame(second.jurisdictions[0].jurisdictionId, first.jurisdictions[0].jurisdictionId)
  t.equal(second.knownAtPosition, first.knownAtPosition)
  const other = await ledger.app.inject({ url: `/jurisdictions?kind=city&limit=2&cursor=${first.nextCursor}` })
  t.equal(other.statusCode, 400)
  t.match(other.json(), { type: '/problems/invalid-cursor' })
  const elsewhere = await ledger.app.inject({ url: `/jurisdictions/us-pa-philadelphia/history?cursor=${first.nextCursor}` })
  t.equal(elsewhere.statusCode, 400)
  const garbage = await ledger.app.inject({ url: '/jurisdictions?cursor=bm90LWEtY3Vyc29y' })
  t.equal(garbage.statusCode, 400)
  t.equal((await ledger.app.inject({ url: '/jurisdictions?limit=0' })).statusCode, 400)
  t.equal((await ledger.app.inject({ url: '/jurisdictions?limit=1001' })).statusCode, 400)
  // the event feed: a cursor pins the end of the log as the first page saw it
  const feed = (await ledger.app.inject({ url: '/events?limit=10' })).json()
  t.equal(feed.events.length, 10)
  const rest = (await ledger.app.inject({ url: `/events?limit=1000&cursor=${feed.nextCursor}` })).json()
  t.equal(rest.events[0].position, 10)
  t.equal(rest.nextCursor, null)
})
