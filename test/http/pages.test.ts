import t from 'tap'
import { randomUUID } from 'node:crypto'
import { escapeHtml, externalHref, html, raw } from '../../src/http/pages/html.js'
import { partialDateLabel } from '../../src/http/pages/labels.js'
import { prefersHtml } from '../../src/http/pages/prefersHtml.js'
import { segmentsOf } from '../../src/http/pages/stepChart.js'
import { pressStatement } from '../support/eventBuilders.js'
import { authorised, lastSeedPosition, postEvents, READER_TOKEN, seedId, testLedger } from '../support/testLedger.js'

type TestLedger = Awaited<ReturnType<typeof testLedger>>

/** What Chromium sends for a page. */
const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8'
const philadelphia = '/ui/jurisdictions/us-pa-philadelphia'
const kenneyOrder = seedId('claim/kenney-2016-01-executive-order')

async function get(ledger: TestLedger, url: string, headers: Record<string, string> = { accept: browserAccept }) {
  return ledger.app.inject({ url, headers })
}

/** The markup of the first element opened by `open` (a regex source) up to its closing tag. */
function element(body: string, open: string, tag: string): string {
  const match = new RegExp(`${open}[\\s\\S]*?</${tag}>`).exec(body)
  if (match === null) throw new Error(`no ${open} in the page`)
  return match[0]
}

function stanceRow(body: string, dimension: string): string {
  return element(body, `<tr data-dimension="${dimension}">`, 'tr')
}

t.test('html escapes every interpolation unless it is already markup', async (t) => {
  const name = `<script>alert("x")</script> & 'quoted'`
  t.equal(
    html`<p title="${name}">${name}</p>`.value,
    '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;</p>',
  )
  const inner = html`<b>${'<i>'}</b>`
  t.equal(html`<div>${inner}</div>`.value, '<div><b>&lt;i&gt;</b></div>', 'nested markup is kept, its own values escaped once')
  t.equal(html`<ul>${['<a>', html`<li>ok</li>`, ['&']]}</ul>`.value, '<ul>&lt;a&gt;<li>ok</li>&amp;</ul>', 'arrays, nested too')
  t.equal(html`${null}${undefined}${false}${true}|${0}|${42}`.value, '|0|42', 'nothing for null, undefined and booleans; numbers as text')
  t.equal(html`${raw('<style>a{}</style>')}`.value, '<style>a{}</style>')
  t.equal(escapeHtml('a&b<c>d"e\'f'), 'a&amp;b&lt;c&gt;d&quot;e&#39;f')
  t.equal(String(html`<p>${'x'}</p>`), '<p>x</p>')
  t.equal(externalHref('https://example.org/a?b=1'), 'https://example.org/a?b=1')
  t.equal(externalHref('javascript:alert(1)'), undefined, 'only http(s) becomes a link')
  t.equal(externalHref('not a url'), undefined)
  t.equal(externalHref(undefined), undefined)
})

t.test('a page is for a browser: text/html named and ranked at least as high as JSON', async (t) => {
  t.equal(prefersHtml(browserAccept), true)
  t.equal(prefersHtml('text/html'), true)
  t.equal(prefersHtml('*/*'), false, 'curl')
  t.equal(prefersHtml(undefined), false)
  t.equal(prefersHtml('application/json'), false)
  t.equal(prefersHtml('application/json, text/html;q=0.5'), false)
  t.equal(prefersHtml('text/html;q=0, */*'), false)
  t.equal(prefersHtml('application/json;q=0.5, text/html'), true)
})

t.test('dates carry their precision; the chart merges runs of one value', async (t) => {
  t.equal(partialDateLabel('1979'), '1979 (year)')
  t.equal(partialDateLabel('2016-01'), 'January 2016 (month)')
  t.equal(partialDateLabel('2016-11-14'), '14 November 2016 (day)')
  const point = (on: string, start: string, value: string) => ({ claimId: on, on, start, value })
  t.same(
    segmentsOf(
      [point('2016-01', '2016-01-01', 'a'), point('2016-11-14', '2016-11-14', 'a'), point('2017', '2017-01-01', 'b'), point('2017-01-01', '2017-01-01', 'c')],
      '2016-01-01',
      '2026-11-26',
    ),
    [
      { value: 'a', on: '2016-01', start: '2016-01-01', end: '2017-01-01' },
      { value: 'c', on: '2017-01-01', start: '2017-01-01', end: '2026-11-26' },
    ],
    'a claim on the chart’s first day replaces the unknown; the last claim of a day decides it',
  )
  t.same(segmentsOf([], '2016-01-01', '2026-11-26'), [{ value: 'unknown', on: null, start: '2016-01-01', end: '2026-11-26' }])
})

t.test('GET / for a browser: every jurisdiction with its current stance per dimension', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const response = await get(ledger, '/')
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^text\/html; charset=utf-8/)
  t.match(response.headers.vary, /Accept/)
  t.match(response.headers['content-security-policy'], /default-src 'none'/)
  const body = response.body
  t.match(body, /^<!doctype html>\n<html lang="en">/)
  t.match(body, /<meta name="viewport" content="width=device-width, initial-scale=1">/)
  t.match(body, /<a class="skip" href="#main">Skip to main content<\/a>/)
  t.same(body.match(/<script[^>]*>/gi), ['<script src="/ui/live.js" defer>'], 'one script, from this origin, none inline')
  t.match(response.headers['content-security-policy'], /script-src 'self'; connect-src 'self'/, 'it may run and follow the change stream')
  t.ok(body.includes('<link rel="alternate" type="application/atom+xml" href="/changes.atom" title="policy-ledger: changes">'), 'the feed is linked for feed readers')
  t.notMatch(body, /(src|href)="(https?:)?\/\//, 'nothing refers to another host')
  for (const [id, name] of [
    ['us-ca-los-angeles', 'Los Angeles'],
    ['us-ny-new-york', 'New York City'],
    ['us-pa-philadelphia', 'Philadelphia'],
    ['us-tn-nashville', 'Nashville'],
    ['us-il-chicago', 'Chicago'],
    ['us-wa-seattle', 'Seattle'],
    ['us-dc', 'Washington, D.C.'],
  ]) {
    t.ok(body.includes(`<a href="/ui/jurisdictions/${id}">${name}</a>`), `${name} is listed and linked`)
  }
  const row = element(body, '<tr data-jurisdiction="us-pa-philadelphia">', 'tr')
  t.match(
    element(row, '<td data-dimension="detainer_hold">', 'td'),
    /<span class="value level-\d" data-value="serious_crimes_only">serious crimes only<\/span>/,
  )
  t.match(
    element(row, '<td data-dimension="release_notification">', 'td'),
    /<span class="value unknown" data-value="unknown">unknown<\/span>/,
    'unknown has its own look',
  )
  const past = await get(ledger, '/?asOf=2015-06-01')
  t.match(element(past.body, '<tr data-jurisdiction="us-pa-philadelphia">', 'tr'), /data-value="unknown">unknown<\/span><\/td><td data-dimension="detainer_hold">/)
  t.ok(past.body.includes('href="/ui/jurisdictions/us-pa-philadelphia?asOf=2015-06-01"'), 'links keep the day')
})

t.test('GET / for anything but a browser is a small JSON index of the API', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const headerSets: Record<string, string>[] = [{ accept: '*/*' }, { accept: 'application/json' }, {}]
  for (const headers of headerSets) {
    const response = await get(ledger, '/', headers)
    t.equal(response.statusCode, 200)
    t.match(response.headers['content-type'], /^application\/json/)
    const hrefs = response.json().links.map((link: { href: string }) => link.href)
    t.same(hrefs.filter((href: string) => href !== '/'), [
      '/jurisdictions',
      '/docs',
      '/openapi.json',
      '/changes?since=0',
      '/changes.atom',
      '/panel?from=2016-01&to=2016-12&every=month',
      '/ledger/checkpoint',
    ])
  }
  for (const href of ['/jurisdictions', '/openapi.json', '/changes?since=0', '/changes.atom', '/panel?from=2016-01&to=2016-12&every=month', '/ledger/checkpoint']) {
    t.equal((await get(ledger, href, {})).statusCode, 200, `${href} answers`)
  }
})

t.test("the Philadelphia timeline shows Kenney's order with its quote and its date's precision", async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const history = (await ledger.app.inject({ url: '/jurisdictions/us-pa-philadelphia/history' })).json()
  const order = history.claims.find((claim: { eventId: string }) => claim.eventId === kenneyOrder)
  const response = await get(ledger, philadelphia)
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^text\/html/)
  const article = element(response.body, `<article class="claim active official" id="claim-${kenneyOrder}"`, 'article')
  t.ok(article.includes(escapeHtml(order.title)), 'the order’s title')
  t.ok(article.includes('Jim Kenney, Mayor of Philadelphia'), 'actor and office')
  t.ok(article.includes('<time datetime="2016-01">January 2016</time> <span class="precision">(month)</span>'), 'month precision')
  t.ok(article.includes(`<blockquote cite="https://abcnews.go.com/Politics/cities-us-push-back-president-elect-donald-trumps/story?id=43616022"><p>${escapeHtml(order.quote.exact)}</p></blockquote>`), 'the quote, citing the first address on its source chain')
  t.ok(article.includes(escapeHtml(order.dateBasis)), 'the date basis')
  t.ok(article.includes('<a href="/sources/kenney-executive-order-2016-01">source record</a>'), 'its source')
  t.ok(article.includes('href="https://abcnews.go.com/Politics/cities-us-push-back-president-elect-donald-trumps/story?id=43616022"'), 'the reporting article’s address')
  t.ok(article.includes(`<a href="/ui/events/${kenneyOrder}">`), 'its provenance')
  t.match(article, /<span class="badge active">active<\/span>/)
  const abc = element(response.body, `<article class="claim active third-party" id="claim-${seedId('claim/abc-reasserting-us-pa-philadelphia')}"`, 'article')
  t.match(abc, /<span class="badge third-party"[^>]*>third party<\/span>/, 'third-party claims are marked')

  t.match(response.body, /<svg class="step-chart" viewBox="[^"]+" role="img" aria-labelledby="chart-detainer_hold-title chart-detainer_hold-desc"/)
  t.match(
    response.body,
    /<desc id="chart-detainer_hold-desc">detainer hold: serious crimes only from January 2016 \(month\)\.<\/desc>/,
    'the chart says what it shows',
  )
  t.match(response.body, /<summary>The detainer hold chart as a table<\/summary>/)
})

t.test('Los Angeles: a rule known to the year, and a dimension unknown until 2016', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const body = (await get(ledger, '/ui/jurisdictions/us-ca-los-angeles')).body
  t.ok(body.includes('<time datetime="1979">1979</time> <span class="precision">(year)</span>'), 'year precision')
  t.match(body, /<desc id="chart-status_inquiry-desc">status inquiry: prohibited from 1979 \(year\)\.<\/desc>/)
  t.match(body, /<desc id="chart-local_resources-desc">local resources: unknown before 14 November 2016 \(day\); prohibited from 14 November 2016 \(day\)\.<\/desc>/)
  t.match(body, /<rect class="band"[^>]*><title>1979 \(year\): the date covers this period<\/title><\/rect>/, 'the year 1979 is shaded')
  t.match(body, /<text [^>]*>1980<\/text>/, 'the time axis starts around 1979')
})

t.test('the as-of picker is a GET form: the page shows the stance on the chosen day', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const today = await get(ledger, philadelphia)
  t.match(today.body, /<form class="as-of" method="get" action="\/ui\/jurisdictions\/us-pa-philadelphia">/)
  t.match(today.body, /<label for="asOf">Show the stance on<\/label>\n<input type="date" id="asOf" name="asOf" value="2026-11-26"/)

  const before = await get(ledger, `${philadelphia}?asOf=2015-06-01`)
  t.equal(before.statusCode, 200)
  t.match(before.body, /<h2 id="stance-heading">Stance on 1 June 2015<\/h2>/)
  t.match(before.body, /name="asOf" value="2015-06-01"/)
  t.match(stanceRow(before.body, 'detainer_hold'), /data-value="unknown">unknown<\/span>/)

  const after = await get(ledger, `${philadelphia}?asOf=2016-03-01`)
  const row = stanceRow(after.body, 'detainer_hold')
  t.match(row, /data-value="serious_crimes_only">serious crimes only<\/span>/)
  t.match(row, /January 2016 \(month\)/, 'since')
  t.match(row, new RegExp(`<a href="#claim-${kenneyOrder}">1 claim</a>`), 'basis count, linked to the claim')
  t.match(row, /<td data-label="Uncertain">no<\/td><\/tr>$/, 'not uncertain')
  t.match(stanceRow((await get(ledger, `${philadelphia}?asOf=2016-01-15`)).body, 'detainer_hold'), /<strong>yes<\/strong>/, 'uncertain within January 2016')

  const empty = await get(ledger, `${philadelphia}?asOf=`)
  t.equal(empty.statusCode, 200, 'an emptied picker means today')
  const bad = await get(ledger, `${philadelphia}?asOf=2016-02-30`)
  t.equal(bad.statusCode, 400)
  t.match(bad.body, /aria-invalid="true"/)
  t.match(bad.body, /“2016-02-30” is not a date/)
})

t.test('the event page pins the quote in its archived source and shows the proof', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const provenance = (await ledger.app.inject({ url: `/events/${kenneyOrder}/provenance` })).json()
  const response = await get(ledger, `/ui/events/${kenneyOrder}`)
  t.equal(response.statusCode, 200)
  const body = response.body
  t.ok(body.includes(`<mark id="quote">${escapeHtml(provenance.quote.exact)}</mark>`), 'the quote is marked in context')
  t.ok(body.includes(`<mark>${escapeHtml(provenance.quote.exact)}</mark>`), 'and in the whole text')
  t.match(body, /<span class="badge verified">verified<\/span>/)
  t.match(body, /characters 3959–4374/)
  t.ok(body.includes(provenance.via[0].contentSha256), 'the archived source’s hash')
  t.ok(body.includes('https://abcnews.go.com/Politics/'), 'the reporting article’s address')
  t.match(body, /<dt>Recorded by<\/dt><dd>seed<\/dd>/)
  t.match(body, new RegExp(`<dt>Leaf index</dt><dd>${provenance.position}</dd>`))
  t.match(body, new RegExp(`<dt>Tree size</dt><dd>${provenance.inclusion.treeSize}</dd>`))
  for (const hash of provenance.inclusion.auditPath) t.ok(body.includes(`<li><code class="hash">${hash}</code></li>`), `audit path ${hash.slice(0, 8)}`)
  t.ok(body.includes(provenance.inclusion.rootHash), 'the root')
  t.ok(body.includes(provenance.leafHash), 'the leaf hash')
  t.match(body, /<h2 id="changes-heading">Corrections and retraction<\/h2><p>None/)
})

t.test('corrections and retractions are marked on the timeline and the event page', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const write = (events: unknown[]) => postEvents(ledger.app, events)
  const corrected = await write([
    {
      type: 'ClaimCorrected',
      data: {
        jurisdictionId: 'us-pa-philadelphia',
        correctsEventId: kenneyOrder,
        changes: { stances: [{ dimension: 'detainer_hold', value: 'judicial_warrant_and_serious_crime' }] },
        reason: 'the order also requires a judicial warrant',
      },
    },
  ])
  t.equal(corrected.statusCode, 201, corrected.body)
  const afterCorrection = await get(ledger, philadelphia)
  const article = element(afterCorrection.body, `<article class="claim corrected official" id="claim-${kenneyOrder}"`, 'article')
  t.match(article, /<span class="badge corrected">corrected<\/span>/)
  t.match(article, /Corrected once/)
  t.match(article, /the order also requires a judicial warrant/)

  const retracted = await write([
    { type: 'ClaimRetracted', data: { jurisdictionId: 'us-pa-philadelphia', retractsEventId: kenneyOrder, reason: 'a test retraction' } },
  ])
  t.equal(retracted.statusCode, 201, retracted.body)
  const afterRetraction = await get(ledger, `${philadelphia}?asOf=2016-03-01`)
  const struck = element(afterRetraction.body, `<article class="claim retracted official" id="claim-${kenneyOrder}"`, 'article')
  t.match(struck, /<span class="badge retracted">retracted<\/span>/)
  t.match(struck, /<strong>Retracted<\/strong>.*a test retraction/)
  t.match(stanceRow(afterRetraction.body, 'detainer_hold'), /data-value="unknown"/, 'a retracted claim no longer counts')

  const event = await get(ledger, `/ui/events/${kenneyOrder}`)
  t.match(event.body, /<section aria-labelledby="claim-heading" class="claim retracted">/)
  t.match(event.body, /<h3>As first recorded<\/h3><ul><li><strong>stances<\/strong>: <ul class="stances"/)
  t.match(event.body, /data-value="serious_crimes_only"/, 'the stance as first recorded')
})

t.test('text from a write is escaped wherever it appears', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const id = randomUUID()
  const hostile = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
  const response = await ledger.app.inject({
    method: 'POST',
    url: '/events',
    headers: authorised,
    payload: {
      events: [
        {
          id,
          type: 'StatementMade',
          data: {
            jurisdictionId: 'us-il-chicago',
            actor: { id: 'someone', name: `Someone ${hostile}`, office: `Office "${hostile}"` },
            on: '2016-11-20',
            dateBasis: hostile,
            summary: `Summary ${hostile}`,
            sourceId: 'abcnews-2016-11-17-cities-push-back',
            stances: [{ dimension: 'declared_status', value: 'sanctuary' }],
          },
        },
      ],
    },
  })
  t.equal(response.statusCode, 201, response.body)
  for (const url of ['/ui/jurisdictions/us-il-chicago', `/ui/events/${id}`, '/']) {
    const page = await get(ledger, url)
    t.equal(page.statusCode, 200, url)
    t.same(page.body.match(/<script[^>]*>/gi), url === '/' ? ['<script src="/ui/live.js" defer>'] : null, `${url}: no injected script element`)
    t.notMatch(page.body, /<img/i, `${url}: no injected element`)
    if (url !== '/') t.ok(page.body.includes('Summary &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'), `${url}: shown as text`)
  }
})

t.test('unknown ids get a friendly HTML 404', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const sourceEvent = seedId('source/abcnews-2016-11-17-cities-push-back')
  const cases: [url: string, text: string][] = [
    ['/ui/jurisdictions/us-xx-nowhere', 'No jurisdiction “us-xx-nowhere” is registered'],
    ['/ui/jurisdictions/NOT%20A%20SLUG', 'No jurisdiction “NOT A SLUG” is registered'],
    [`/ui/events/${randomUUID()}`, 'No such claim'],
    ['/ui/events/not-a-uuid', 'is not an event id'],
    [`/ui/events/${sourceEvent}`, 'is a SourceRegistered, not a claim'],
    ['/ui/no/such/page', 'There is no page at /ui/no/such/page'],
  ]
  for (const [url, text] of cases) {
    const response = await get(ledger, url, {})
    t.equal(response.statusCode, 404, url)
    t.match(response.headers['content-type'], /^text\/html/, url)
    t.ok(response.body.includes(escapeHtml(text)), `${url}: ${text}`)
    t.match(response.body, /<a href="\/">Back to the list of jurisdictions<\/a>/)
  }
  const api = await ledger.app.inject({ url: '/no/such/route' })
  t.match(api.headers['content-type'], /^application\/problem\+json/, 'the API keeps its problem details')
})

t.test('with private reads, pages need a token too and say so', async (t) => {
  const ledger = await testLedger({ LEDGER_READ_TOKENS: `reader:${READER_TOKEN}` })
  t.teardown(() => ledger.close())
  const page = await get(ledger, philadelphia)
  t.equal(page.statusCode, 401)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.headers['www-authenticate'], /^Bearer/)
  const json = await get(ledger, '/', { accept: 'application/json' })
  t.equal(json.statusCode, 401)
  t.match(json.headers['content-type'], /^application\/problem\+json/)
  const allowed = await get(ledger, philadelphia, { accept: browserAccept, authorization: `Bearer ${READER_TOKEN}` })
  t.equal(allowed.statusCode, 200)
})

async function post(ledger: TestLedger, events: unknown[]) {
  const response = await postEvents(ledger.app, events)
  if (response.statusCode !== 201) throw new Error(response.body)
}

function changeRows(body: string): string[] {
  return element(body, '<table class="change-table">', 'table').match(/<tr data-dimension="[^"]+">[\s\S]*?<\/tr>/g) ?? []
}

t.test('the Philadelphia page lists its changes; the reaffirmation of a value in force is none', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const response = await get(ledger, philadelphia)
  const body = response.body
  t.ok(
    body.includes('<link rel="alternate" type="application/atom+xml" href="/jurisdictions/us-pa-philadelphia/changes.atom" title="policy-ledger: changes in Philadelphia">'),
    'its feed is linked for feed readers',
  )
  t.notMatch(body, /<script/i, 'no script on a jurisdiction page')
  t.notMatch(response.headers['content-security-policy'], /script-src/, 'nor may one run')
  const rows = changeRows(body)
  t.strictSame(
    rows.map((row) => /data-dimension="([^"]+)"/.exec(row)![1]).sort(),
    ['declared_status', 'detainer_hold', 'local_resources'],
    'the three values Kenney’s order set, and no row for his reaffirmation',
  )
  for (const row of rows) {
    t.match(row, /<time datetime="2016-01">January 2016<\/time>/)
    t.match(row, /data-value="unknown">unknown<\/span> → <span class="value/)
    t.ok(row.includes(`<a href="/ui/events/${kenneyOrder}">`), 'each links the claim that made it')
  }
  t.notMatch(element(body, '<table class="change-table">', 'table'), /2016-11-14/)
  const json = /As JSON: <a href="([^"]+)">/.exec(body)![1]!.replaceAll('&amp;', '&')
  t.equal(json, '/changes?jurisdiction=us-pa-philadelphia&from=2016&to=2016')
  const listed = (await ledger.app.inject({ url: json })).json() as { changes: Array<{ eventId: string }> }
  t.equal(listed.changes.length, 3, 'the JSON link lists the same changes')
})

t.test('a jurisdiction page lists its latest 100 changes, latest first, and links to all of them', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const days = Array.from({ length: 104 }, (_, i) => new Date(Date.UTC(2017, 0, 1 + i)).toISOString().slice(0, 10))
  await post(ledger, days.map((day, i) => pressStatement('us-il-chicago', day, i % 2 === 0 ? 'welcoming' : 'sanctuary')))
  const body = (await get(ledger, '/ui/jurisdictions/us-il-chicago')).body
  const rows = changeRows(body)
  t.equal(rows.length, 100)
  t.match(rows[0], new RegExp(`<time datetime="${days.at(-1)}">`), 'the latest first')
  t.match(body, /the latest 100, latest first/)
  const json = /As JSON: <a href="([^"]+)">/.exec(body)![1]!.replaceAll('&amp;', '&')
  const listed = (await ledger.app.inject({ url: `${json}&limit=1000` })).json() as { changes: Array<{ on: string }> }
  t.ok(listed.changes.length > 100, `the link lists all ${listed.changes.length}`)
  t.equal(listed.changes.at(-1)!.on, days.at(-1), 'to the latest')
})

t.test('the index lists the latest changes recorded, and a script makes the list live', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const before = (await get(ledger, '/')).body
  const section = element(before, '<section id="changes"', 'section')
  t.match(section, new RegExp(`data-stream="/changes/stream\\?since=${lastSeedPosition}"`), 'live from the position the page shows')
  t.match(section, /data-shows-today="true"/)
  t.match(section, /<p class="live-status" role="status" hidden><\/p>/, 'nothing says live until the script runs')
  const feed = (await ledger.app.inject({ url: '/changes.atom' })).body
  const items = section.match(/<li data-position="\d+">/g) ?? []
  t.equal(items.length, Math.min(20, (feed.match(/<entry>/g) ?? []).length), 'the newest 20 of what the feed has')

  await post(ledger, [pressStatement('us-il-chicago', '2016-11-20', 'welcoming')])
  const after = element((await get(ledger, '/')).body, '<section id="changes"', 'section')
  t.match(after, /<ol class="change-list" id="live-changes">\n<li data-position="(\d+)">.*<a href="\/ui\/jurisdictions\/us-il-chicago">Chicago<\/a>, declared status: <span class="value[^"]*" data-value="sanctuary">sanctuary<\/span> → <span class="value[^"]*" data-value="welcoming">welcoming<\/span>/, 'the new change first')
  t.match(after, new RegExp(`data-stream="/changes/stream\\?since=${lastSeedPosition + 1}"`))
  t.match(element((await get(ledger, '/?asOf=2010-01-01')).body, '<section id="changes"', 'section'), /data-shows-today="false"/, 'a page of another day is not marked stale')

  const script = await ledger.app.inject({ url: '/ui/live.js' })
  t.equal(script.statusCode, 200)
  t.match(script.headers['content-type'], /^text\/javascript; charset=utf-8/)
  t.match(script.body, /new EventSource\(section\.getAttribute\('data-stream'\)\)/)
  t.notMatch(script.body, /innerHTML|insertAdjacentHTML|document\.write/, 'nothing from the stream becomes markup')
})
