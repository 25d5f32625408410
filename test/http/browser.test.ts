import t, { type Test } from 'tap'
import { createServer } from 'node:http'
import { existsSync, mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { pressStatement } from '../support/eventBuilders.js'
import { seedId, testLedger, WRITER_TOKEN } from '../support/testLedger.js'

/** Debian's Chromium: `.ci/run` installs it when missing; never a browser downloaded by playwright. */
const CHROMIUM = '/usr/bin/chromium'
const skip = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM}; install it with: apt-get update && apt-get install -y chromium`

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))
const kenneyOrder = seedId('claim/kenney-2016-01-executive-order')

/** Everything a page did that the test forbids: console errors, uncaught errors, requests elsewhere. */
function watch(page: Page, origin: string) {
  const problems = { consoleErrors: [] as string[], pageErrors: [] as string[], foreignRequests: [] as string[], requests: 0 }
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text())
  })
  page.on('pageerror', (error) => problems.pageErrors.push(error.message))
  page.on('request', (request) => {
    problems.requests += 1
    const url = new URL(request.url())
    if (url.protocol !== 'data:' && url.origin !== origin) problems.foreignRequests.push(request.url())
  })
  return problems
}

/** Scripts run in the page are strings: the project's TypeScript has no DOM library. */
async function inPage<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T
}

async function horizontalOverflow(page: Page): Promise<number> {
  return inPage(page, 'Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth')
}

t.test('the pages in headless Chromium', { skip }, async (t) => {
  mkdirSync(artifacts, { recursive: true })
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  await ledger.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = ledger.app.server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`

  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  t.teardown(() => browser.close())

  await t.test('desktop: the index, the Philadelphia timeline, its as-of picker and a provenance page', async (t) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const seen = watch(page, origin)

    await page.goto(`${origin}/`)
    t.equal(await page.title(), 'Jurisdictions · policy-ledger')
    const cell = page.locator('tr[data-jurisdiction="us-pa-philadelphia"] td[data-dimension="detainer_hold"]')
    t.equal((await cell.innerText()).trim(), 'serious crimes only')
    t.equal(
      await inPage(page, "getComputedStyle(document.querySelector('header.site')).backgroundColor"),
      'rgb(20, 33, 61)',
      'the inline stylesheet is applied (its CSP hash matches)',
    )
    await page.keyboard.press('Tab')
    t.equal(await inPage(page, 'document.activeElement.textContent'), 'Skip to main content', 'the first Tab reaches the skip link')
    t.equal(
      await inPage(page, 'getComputedStyle(document.activeElement).outlineStyle'),
      'solid',
      'focus is visible',
    )
    await page.screenshot({ path: `${artifacts}pages-index.png`, fullPage: true })

    await Promise.all([page.waitForURL(`${origin}/ui/jurisdictions/us-pa-philadelphia`), page.locator('table.matrix').getByRole('link', { name: 'Philadelphia', exact: true }).click()])
    t.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Philadelphia')
    const order = page.locator(`#claim-${kenneyOrder}`)
    t.ok(await order.getByRole('heading', { name: /Executive order restoring Philadelphia/ }).isVisible(), 'Kenney’s order is shown')
    t.ok(await order.getByText('Jim Kenney, Mayor of Philadelphia').isVisible())
    t.ok(await order.locator('blockquote').getByText(/Jim Kenney signed an executive order in January/).isVisible(), 'with its quote')
    t.match(await order.locator('.claim-meta').innerText(), /January 2016 \(month\)/)
    t.equal(await page.locator('svg.step-chart').count(), 3, 'a chart per dimension that official claims assert')
    await page.screenshot({ path: `${artifacts}pages-timeline-desktop.png`, fullPage: true })

    const detainer = page.locator('table.stance tr[data-dimension="detainer_hold"] td').first()
    t.equal((await detainer.innerText()).trim(), 'serious crimes only', 'today: the order’s value')

    await page.locator('#asOf').fill('2015-06-01')
    await Promise.all([page.waitForURL(/asOf=2015-06-01$/), page.locator('#asOf').press('Enter')])
    t.equal(await page.locator('#stance-heading').innerText(), 'Stance on 1 June 2015')
    t.equal((await detainer.innerText()).trim(), 'unknown', 'before the order')
    t.equal(await page.locator('#asOf').inputValue(), '2015-06-01', 'the picker keeps the day')

    await page.locator('#asOf').fill('2016-03-01')
    await Promise.all([page.waitForURL(/asOf=2016-03-01$/), page.locator('#asOf').press('Enter')])
    t.equal(await page.locator('#stance-heading').innerText(), 'Stance on 1 March 2016')
    t.equal((await detainer.innerText()).trim(), 'serious crimes only', 'the order’s value')

    await Promise.all([page.waitForURL(`${origin}/ui/events/${kenneyOrder}`), order.getByRole('link', { name: /^Provenance and proof/ }).click()])
    const mark = page.locator('mark#quote')
    t.ok(await mark.isVisible(), 'the quote is highlighted in its source')
    t.match(await mark.innerText(), /^Jim Kenney signed an executive order in January/)
    t.ok(await page.locator('.badge.verified').isVisible())
    t.ok(await page.getByRole('heading', { name: 'Inclusion proof' }).isVisible())
    await page.screenshot({ path: `${artifacts}pages-event.png`, fullPage: true })

    t.same(seen.consoleErrors, [], 'no console errors')
    t.same(seen.pageErrors, [], 'no page errors')
    t.same(seen.foreignRequests, [], `no request leaves ${origin}`)
    t.ok(seen.requests >= 5, 'the requests were seen')
  })

  await t.test('the index follows the change stream: a claim recorded while it is open shows at once', async (t) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const seen = watch(page, origin)
    await page.goto(`${origin}/`)
    const status = page.locator('#changes .live-status')
    await status.getByText(/^Live:/).waitFor({ timeout: 10_000 })
    const listed = await page.locator('#live-changes > li').count()
    t.ok(listed > 0, 'the changes recorded before the page loaded are listed')

    const written = await fetch(`${origin}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITER_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [pressStatement('us-wa-seattle', '2016-11-20', 'welcoming')] }),
    })
    t.equal(written.status, 201, 'the claim is recorded')
    const live = page.locator('#live-changes > li.live').first()
    await live.waitFor({ timeout: 10_000 })
    t.equal(await live.innerText(), 'Just now Seattle, declared status today: sanctuary → welcoming · the event (JSON)')
    t.equal(await page.locator('#live-changes > li').count(), listed + 1, 'added at the top, nothing replaced')
    t.equal(await page.locator('#live-changes > li').first().getAttribute('class'), 'live')
    const cell = page.locator('tr[data-jurisdiction="us-wa-seattle"] td[data-dimension="declared_status"]')
    t.match(await cell.getAttribute('class'), /stale/, 'the cell it makes out of date says so')
    t.match(await cell.innerText(), /changed since this page loaded/)
    await page.screenshot({ path: `${artifacts}pages-index-live.png`, fullPage: true })
    t.same(seen.consoleErrors, [], 'no console errors')
    t.same(seen.pageErrors, [], 'no page errors')
    t.same(seen.foreignRequests, [], `no request leaves ${origin}`)
  })

  await t.test('without scripts the index is whole: the changes listed, nothing claims to be live', async (t) => {
    const context = await browser.newContext({ javaScriptEnabled: false })
    t.teardown(() => context.close())
    const page = await context.newPage()
    await page.goto(`${origin}/`)
    t.ok((await page.locator('#live-changes > li').count()) > 0, 'the latest changes are listed')
    t.notOk(await page.locator('#changes .live-status').isVisible(), 'no live status')
    t.ok(await page.getByRole('link', { name: 'Atom feed' }).isVisible(), 'the feed is a link away')
  })

  await t.test('phone: the timeline fits a 375px screen', async (t) => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const seen = watch(page, origin)
    for (const url of ['/', '/ui/jurisdictions/us-pa-philadelphia', '/ui/jurisdictions/us-ca-los-angeles', `/ui/events/${kenneyOrder}`]) {
      await page.goto(`${origin}${url}`)
      t.equal(await horizontalOverflow(page), 0, `${url}: the body does not scroll sideways`)
    }
    await page.goto(`${origin}/ui/jurisdictions/us-pa-philadelphia`)
    t.ok(await page.locator(`#claim-${kenneyOrder} blockquote`).isVisible(), 'the quote is there on a phone')
    await page.screenshot({ path: `${artifacts}pages-timeline-phone.png`, fullPage: true })
    t.same(seen.consoleErrors, [], 'no console errors')
    t.same(seen.foreignRequests, [], `no request leaves ${origin}`)
  })
})

/** A page on its own port: another origin than the API's, as a newsroom's site would be. */
async function pageServer(t: Test): Promise<string> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    response.end('<!doctype html><title>newsroom</title><p>a page on another origin</p>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

t.test('CORS from a page on another origin, in headless Chromium', { skip }, async (t) => {
  const listed = await pageServer(t)
  const unlisted = await pageServer(t)
  const ledger = await testLedger({ LEDGER_CORS_ORIGINS: `*,${listed}` })
  t.teardown(() => ledger.close())
  await ledger.app.listen({ port: 0, host: '127.0.0.1' })
  const api = `http://127.0.0.1:${(ledger.app.server.address() as AddressInfo).port}`
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  t.teardown(() => browser.close())
  const context = await browser.newContext()
  t.teardown(() => context.close())
  const page = await context.newPage()

  /** A write as a script would send it: JSON and a bearer token, so the browser asks first. */
  const write = (id: string) => `fetch('${api}/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ${WRITER_TOKEN}' },
      body: JSON.stringify({ events: [{ id: '${id}', type: 'JurisdictionRegistered', data: { jurisdictionId: 'us-xx-cors-${id.slice(-4)}', name: 'CORS', kind: 'city', ocdId: 'ocd-division/country:us/place:cors_${id.slice(-4)}' } }] }),
    }).then((response) => 'status ' + response.status, (error) => 'blocked: ' + error.name)`

  await page.goto(`${unlisted}/`)
  const read = await inPage<{ status: number; value: string; etag: string | null }>(
    page,
    `fetch('${api}/jurisdictions/us-pa-philadelphia/stance?asOf=2016-03-01').then(async (response) => ({ status: response.status, value: (await response.json()).stance.detainer_hold.value, etag: response.headers.get('etag') }))`,
  )
  t.match(read, { status: 200, value: 'serious_crimes_only' }, 'a read from any origin succeeds')
  t.match(read.etag, /^"/, 'and the script can read its ETag')
  const size = ledger.runner.size
  t.equal(await inPage(page, write('00000000-0000-4000-8000-00000000c025')), 'blocked: TypeError', 'a write from an unlisted origin is blocked by the browser')
  t.equal(ledger.runner.size, size, 'and nothing was written')

  await page.goto(`${listed}/`)
  t.equal(await inPage(page, write('00000000-0000-4000-8000-00000000c026')), 'status 201', 'a listed origin may write')
  t.equal(ledger.runner.size, size + 1)
})
