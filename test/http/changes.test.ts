import t from 'tap'
import { DOMParser } from '@xmldom/xmldom'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { changesCommand } from '../../src/cli/changesCommand.js'
import { compose } from '../../src/compose.js'
import { parseConfig } from '../../src/config/config.js'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import { streamExample, streamExampleEventId } from '../../src/http/answerExamples.js'
import { changeStreamRoutes, Outbox, type Message } from '../../src/http/routes/changeStream.js'
import { pressStatement } from '../support/eventBuilders.js'
import { lastSeedPosition, postEvents, seedId, testLedger, WRITER_TOKEN } from '../support/testLedger.js'

const kenneyOrder = seedId('claim/kenney-2016-01-executive-order')
const reaffirmation = seedId('claim/kenney-2016-11-14-wpvi-reaffirmation')

type TestLedger = Awaited<ReturnType<typeof testLedger>>

async function post(ledger: TestLedger, events: unknown[]) {
  const response = await postEvents(ledger.app, events)
  if (response.statusCode !== 201) throw new Error(response.body)
  return response.json() as { events: Array<{ id: string; position: number }> }
}

t.test('changes in valid time: Philadelphia’s January 2016, no change for a reaffirmation, and knownAt', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const year = (await ledger.app.inject({ url: '/changes?from=2016-01-01&to=2016-12-31&jurisdiction=us-pa-philadelphia' })).json()
  t.equal(year.knownAtPosition, lastSeedPosition)
  const january = year.changes.filter((change: { on: string }) => change.on === '2016-01')
  t.strictSame(
    january.map((change: { dimension: string; before: string; after: string }) => [change.dimension, change.before, change.after]).sort(),
    [
      ['declared_status', 'unknown', 'sanctuary'],
      ['detainer_hold', 'unknown', 'serious_crimes_only'],
      ['local_resources', 'unknown', 'restricted'],
    ],
  )
  t.match(january[0], { jurisdictionId: 'us-pa-philadelphia', eventId: kenneyOrder, sourceId: 'kenney-executive-order-2016-01', uncertain: true, support: 'policy' })
  t.notOk(
    year.changes.some((change: { eventId: string }) => change.eventId === reaffirmation),
    'Kenney’s reaffirmation of the value in force is no change',
  )
  t.equal(year.nextCursor, null)

  // a correction recorded later moves the change; known at the seed, it is where it was
  await post(ledger, [
    {
      type: 'ClaimCorrected',
      data: { jurisdictionId: 'us-pa-philadelphia', correctsEventId: kenneyOrder, changes: { on: '2016-02-03' }, reason: 'the order is dated 3 February' },
    },
  ])
  const now = (await ledger.app.inject({ url: '/changes?from=2016-01-01&to=2016-12-31&jurisdiction=us-pa-philadelphia&dimension=detainer_hold' })).json()
  t.strictSame(now.changes.map((change: { on: string; uncertain: boolean }) => [change.on, change.uncertain]), [['2016-02-03', false]])
  const then = (await ledger.app.inject({ url: `/changes?from=2016-01-01&to=2016-12-31&jurisdiction=us-pa-philadelphia&dimension=detainer_hold&knownAt=${lastSeedPosition}` })).json()
  t.strictSame(then.changes.map((change: { on: string }) => change.on), ['2016-01'])
  const pinned = await ledger.app.inject({ url: `/changes?from=2016-01-01&to=2016-12-31&knownAt=${lastSeedPosition}` })
  t.match(pinned.headers['cache-control'], /immutable/, 'both clocks pinned: the same forever')

  // across jurisdictions, paged: the pages together are the whole list, in order
  const all = (await ledger.app.inject({ url: '/changes?from=1900&to=2030' })).json()
  const paged: unknown[] = []
  let cursor: string | null = null
  do {
    const page: { changes: unknown[]; nextCursor: string | null } = (await ledger.app.inject({ url: `/changes?from=1900&to=2030&limit=3${cursor === null ? '' : `&cursor=${cursor}`}` })).json()
    paged.push(...page.changes)
    cursor = page.nextCursor
  } while (cursor !== null)
  t.strictSame(paged, all.changes)
  t.ok(all.changes.length > 10, `${all.changes.length} changes in the seed`)
  const cities = (await ledger.app.inject({ url: '/changes?from=1900&to=2030&kind=city' })).json()
  t.ok(cities.changes.length > 0 && cities.changes.every((change: { jurisdictionId: string }) => change.jurisdictionId !== 'us'), 'kind filters')

  t.equal((await ledger.app.inject({ url: '/changes?from=2016' })).statusCode, 400, 'from without to')
  t.equal((await ledger.app.inject({ url: '/changes?from=2017&to=2016' })).statusCode, 400, 'to before from')
  t.equal((await ledger.app.inject({ url: '/changes?since=3&from=2016&to=2017' })).statusCode, 400, 'since or from/to')
})

t.test('changes in record time: what a client that last looked at a position must update', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const written = await post(ledger, [pressStatement('us-wa-seattle', '2016-11-20', 'welcoming'), pressStatement('us-il-chicago', '2016-11-20', 'sanctuary')])
  const since = (await ledger.app.inject({ url: `/changes?since=${lastSeedPosition}` })).json()
  t.equal(since.since, lastSeedPosition)
  t.equal(since.knownAtPosition, lastSeedPosition + 2)
  t.strictSame(since.changes, [
    { jurisdictionId: 'us-wa-seattle', dimension: 'declared_status', before: 'sanctuary', after: 'welcoming', causedBy: [written.events[0]!.id] },
  ], 'Chicago was a sanctuary already: no change')
  const next = (await ledger.app.inject({ url: `/changes?since=${since.knownAtPosition}` })).json()
  t.strictSame(next.changes, [])
  t.equal((await ledger.app.inject({ url: '/changes?since=100000' })).statusCode, 400)
})

t.test('Atom feeds parse back, one entry a change, newest recorded first, linked to the provenance page', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  await post(ledger, [pressStatement('us-wa-seattle', '2016-11-20', 'welcoming')])
  for (const url of ['/changes.atom', '/jurisdictions/us-wa-seattle/changes.atom']) {
    const response = await ledger.app.inject({ url })
    t.equal(response.statusCode, 200, url)
    t.match(response.headers['content-type'], /application\/atom\+xml/)
    const errors: string[] = []
    const document = new DOMParser({ onError: (level, message) => void errors.push(`${level}: ${message}`) }).parseFromString(response.body, 'application/xml')
    t.strictSame(errors, [], `${url} is well-formed XML`)
    const feed = document.documentElement!
    t.equal(feed.namespaceURI, 'http://www.w3.org/2005/Atom')
    for (const name of ['id', 'title', 'updated']) t.ok(feed.getElementsByTagName(name)[0]?.textContent, `the feed has its ${name}`)
    const entries = [...feed.getElementsByTagName('entry')]
    t.ok(entries.length > 0 && entries.length <= 100, `${entries.length} entries`)
    const first = entries[0]!
    t.match(first.getElementsByTagName('id')[0]!.textContent, /^tag:policy-ledger,2026:change\/[0-9a-f-]{36}\/declared_status$/)
    t.match(first.getElementsByTagName('title')[0]!.textContent, /us-wa-seattle: declared status sanctuary → welcoming/, 'the newest recorded change first')
    t.match(first.getElementsByTagName('link')[0]!.getAttribute('href'), /^http:\/\/localhost(:\d+)?\/ui\/events\/[0-9a-f-]{36}$/)
    const updated = entries.map((entry) => entry.getElementsByTagName('updated')[0]!.textContent!)
    t.strictSame(updated, [...updated].sort().reverse(), 'newest recorded first')
  }
  t.equal((await ledger.app.inject({ url: '/jurisdictions/us-xx-nowhere/changes.atom' })).statusCode, 404)
})

/** Reads Server-Sent Events from a real connection: every message, as `{ id, event, data }`. */
async function stream(baseUrl: string, headers: Record<string, string> = {}) {
  const controller = new AbortController()
  const response = await fetch(`${baseUrl}/changes/stream`, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal })
  const messages: Array<{ id?: string; event?: string; data?: unknown; retry?: string }> = []
  const comments: string[] = []
  let ended = false
  const reading = (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true })
        let at: number
        while ((at = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, at)
          buffer = buffer.slice(at + 2)
          const message: { id?: string; event?: string; data?: unknown; retry?: string } = {}
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line)
            else if (line.startsWith('id: ')) message.id = line.slice(4)
            else if (line.startsWith('event: ')) message.event = line.slice(7)
            else if (line.startsWith('data: ')) message.data = JSON.parse(line.slice(6))
            else if (line.startsWith('retry: ')) message.retry = line.slice(7)
          }
          if (Object.keys(message).length > 0) messages.push(message)
        }
      }
    } catch {
      // aborted
    }
    ended = true
  })()
  return {
    response,
    messages,
    comments,
    ended: () => ended,
    async until(count: number, ms = 5_000) {
      const deadline = Date.now() + ms
      while (messages.length < count && !ended && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    },
    async close() {
      controller.abort()
      await reading
    },
  }
}

t.test('the change stream: one message a write, live; Last-Event-ID resumes with exactly what was missed', async (t) => {
  const ledger = await testLedger({ LEDGER_WRITE_RATE_LIMIT: '0' })
  t.teardown(() => ledger.close())
  await ledger.app.listen({ port: 0, host: '127.0.0.1' })
  const baseUrl = `http://127.0.0.1:${(ledger.app.server.address() as AddressInfo).port}`

  // the headers come before any write and before the first heartbeat (15 s): EventSource opens at once
  const live = await Promise.race([stream(baseUrl), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no headers within 5 s of connecting')), 5_000))])
  t.equal(live.response.status, 200)
  t.match(live.response.headers.get('content-type'), /text\/event-stream/)
  const first = await post(ledger, [{ ...pressStatement('us-wa-seattle', '2016-11-20', 'welcoming'), id: streamExampleEventId }])
  await live.until(1)
  t.equal(live.messages.length, 1)
  const [id, event, data] = streamExample.trimEnd().split('\n').map((line) => line.slice(line.indexOf(': ') + 2))
  t.strictSame(live.messages[0], { id, event, data: JSON.parse(data!) }, 'the OpenAPI document’s example is this message')
  t.strictSame(live.messages[0], {
    id: String(first.events[0]!.position),
    event: 'changes',
    data: {
      since: first.events[0]!.position - 1,
      knownAtPosition: first.events[0]!.position,
      changes: [{ jurisdictionId: 'us-wa-seattle', dimension: 'declared_status', before: 'sanctuary', after: 'welcoming', causedBy: [first.events[0]!.id] }],
    },
  })
  const lastSeen = live.messages[0]!.id!
  await live.close()

  // ten writes while it is away
  const missed: string[] = []
  for (let i = 0; i < 10; i++) {
    const written = await post(ledger, [pressStatement(i % 2 === 0 ? 'us-il-chicago' : 'us-dc', `2016-12-${String(i + 1).padStart(2, '0')}`, i % 3 === 0 ? 'welcoming' : 'sanctuary')])
    missed.push(String(written.events[0]!.position))
  }
  const back = await stream(baseUrl, { 'last-event-id': lastSeen })
  await back.until(10)
  t.strictSame(back.messages.map((message) => message.id), missed, 'exactly the ten, in order')
  for (const [index, message] of back.messages.entries()) {
    const data = message.data as { since: number; knownAtPosition: number }
    t.equal(data.since, index === 0 ? Number(lastSeen) : Number(missed[index - 1]), 'each since the one before')
  }
  // and live again after them
  const after = await post(ledger, [pressStatement('us-wa-seattle', '2016-12-31', 'sanctuary')])
  await back.until(11)
  t.equal(back.messages[10]?.id, String(after.events[0]!.position))
  await back.close()

  const viaQuery = await stream(`${baseUrl}`, {})
  await viaQuery.close()
  const bad = await fetch(`${baseUrl}/changes/stream`, { headers: { accept: 'text/event-stream', 'last-event-id': 'yesterday' } })
  t.equal(bad.status, 400)
  await bad.arrayBuffer()
})

t.test('the stream caps its connections', async (t) => {
  const ledger = await testLedger({ LEDGER_MAX_STREAMS: '1' })
  t.teardown(() => ledger.close())
  await ledger.app.listen({ port: 0, host: '127.0.0.1' })
  const baseUrl = `http://127.0.0.1:${(ledger.app.server.address() as AddressInfo).port}`
  const one = await stream(baseUrl)
  const two = await fetch(`${baseUrl}/changes/stream`, { headers: { accept: 'text/event-stream' } })
  t.equal(two.status, 503)
  t.ok(two.headers.get('retry-after'))
  await two.arrayBuffer()
  await one.close()
})

t.test('a consumer that falls too far behind is told when to retry and closed, not buffered without bound', async (t) => {
  const sent: string[] = []
  let stuck: (() => void) | undefined
  let gaveUp: number | undefined
  const outbox = new Outbox(
    async (message) => {
      sent.push(message.id)
      // the first send never drains: the consumer stopped reading
      if (sent.length === 1) await new Promise<void>((resolve) => (stuck = resolve))
    },
    (retryMs) => (gaveUp = retryMs),
    3,
  )
  const running = outbox.run()
  const message = (id: number): Message => ({ id: String(id), event: 'changes', data: {} })
  outbox.push(message(1))
  await new Promise((resolve) => setImmediate(resolve))
  for (let id = 2; id <= 6; id++) outbox.push(message(id))
  t.equal(outbox.pending, 5, 'five wait behind the stuck one')
  stuck!()
  await running
  t.equal(gaveUp, 5_000, 'told to retry in 5 s')
  t.strictSame(sent, ['1'], 'nothing more was sent to it')
})

t.test('an idle stream gets a comment line every heartbeat, so proxies keep it open', async (t) => {
  const app = Fastify()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  t.teardown(() => app.close())
  await app.register(
    changeStreamRoutes({
      reader: { changesSince: () => [] },
      runner: { size: 5, onAdvance: () => () => undefined },
      commitsAfter: () => [],
      store: { head: async () => 5 },
      clock: () => new Date('2026-11-26T10:00:00.000Z'),
      maxStreams: 10,
      heartbeatMs: 50,
    }),
  )
  await app.listen({ port: 0, host: '127.0.0.1' })
  const idle = await stream(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`)
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.ok(idle.comments.length >= 2, `${idle.comments.length} comment lines in 300 ms`)
  t.strictSame(idle.messages, [], 'and no message: nothing was written')
  await idle.close()
})

t.test('policy-ledger changes prints what GET /changes answers, as a table or its JSON', async (t) => {
  const path = join(t.testdir(), 'ledger.sqlite')
  const config = parseConfig({ LEDGER_STORE: `sqlite:${path}`, LEDGER_TOKENS: `editor:${WRITER_TOKEN}` })
  const served = await compose(config, { logger: pino({ level: 'silent' }), withApp: true, seed: true })
  const between = (await served.app!.inject({ url: '/changes?from=2016-01-01&to=2016-12-31&jurisdiction=us-pa-philadelphia' })).json()
  await postEvents(served.app!, [pressStatement('us-wa-seattle', '2016-11-20', 'welcoming')])
  const since = (await served.app!.inject({ url: `/changes?since=${lastSeedPosition}` })).json()
  await served.close()
  const run = async (options: Record<string, unknown>) => {
    let printed = ''
    const out = new Writable({
      write(chunk, _encoding, done) {
        printed += String(chunk)
        done()
      },
    })
    t.equal(await changesCommand(options, config, out), 0)
    return printed
  }
  const json = JSON.parse(await run({ from: '2016-01-01', to: '2016-12-31', jurisdiction: 'us-pa-philadelphia', knownAt: String(lastSeedPosition), json: true }))
  t.strictSame(json, { from: between.from, to: between.to, knownAtPosition: between.knownAtPosition, changes: between.changes })
  const table = await run({ from: '2016-01-01', to: '2016-12-31', jurisdiction: 'us-pa-philadelphia' })
  t.match(table, /^Changes from 2016-01-01 to 2016-12-31, known at position \d+: 3\n/)
  t.match(table, new RegExp(`2016-01 \\(some day in it\\)\\s+us-pa-philadelphia\\s+detainer_hold\\s+unknown -> serious crimes only\\s+policy\\s+${kenneyOrder}`))
  t.notMatch(table, new RegExp(reaffirmation), 'no reaffirmation of a value in force')
  t.strictSame(JSON.parse(await run({ since: String(lastSeedPosition), json: true })), { since: since.since, knownAtPosition: since.knownAtPosition, changes: since.changes })
  t.match(await run({ since: String(lastSeedPosition) }), /us-wa-seattle\s+declared_status\s+sanctuary\s+welcoming\s+[0-9a-f-]{36}/)
  await t.rejects(changesCommand({ from: '2016' }, config), /--to: --from and --to go together/)
  await t.rejects(changesCommand({ from: '2016', to: '2017', since: '3' }, config), /--since: either --since or --from and --to/)
  await t.rejects(changesCommand({ from: '2017', to: '2016' }, config), /--to: before --from/)
  await t.rejects(changesCommand({ since: '9999' }, config), /beyond/)
})
