import t from 'tap'
import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { connectionCap, MAX_CONNECTIONS, openFileLimit } from '../../src/http/connectionCap.js'
import { scratchDir, sleep, startServe, type Served } from '../support/serveProcess.js'

/**
 * Slow and abusive clients, with raw sockets against a real `serve`: a client that sends its headers
 * a byte a second is cut off, and thousands of idle sockets do not stop the service answering others.
 * The limits are fixed (src/http/app.ts, src/http/connectionCap.ts; README "Connection limits").
 */

const HEADERS_TIMEOUT_MS = 10_000
const REQUEST_TIMEOUT_MS = 30_000
const KEEP_ALIVE_TIMEOUT_MS = 10_000
/** Node checks for expired headers once a second (connectionsCheckingInterval). */
const CHECK_EVERY_MS = 1_000
const IDLE_SOCKETS = 10_000
const TOKEN = 'slow-client-token-0123456789'
/** The start of a problem answer Node's connection-level errors get (src/http/clientErrorHandler.ts). */
const problem = (status: number, type: string) =>
  new RegExp(
    `^HTTP/1\\.1 ${status} [^\\r]+\\r\\nContent-Type: application/problem\\+json[^]*"type":"/problems/${type}"`,
  )

const scratch = scratchDir('slow-clients')
t.teardown(scratch.cleanup)
let served: Served
t.before(async () => {
  served = await startServe(join(scratch.dir, 'ledger.sqlite'), { LEDGER_TOKENS: `slow:${TOKEN}` })
})
t.teardown(async () => {
  served.child.kill('SIGTERM')
  await served.exited
})

function port(): number {
  return Number(new URL(served.baseUrl).port)
}

/** The answer to a plain GET, timed. */
async function timedGet(path: string): Promise<{ status: number; ms: number }> {
  const started = performance.now()
  const response = await fetch(`${served.baseUrl}${path}`, { signal: AbortSignal.timeout(10_000) })
  await response.arrayBuffer()
  return { status: response.status, ms: Math.round(performance.now() - started) }
}

function rssKiB(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])
}

t.test('the cap on connections stays below the open-file limit', async (t) => {
  t.equal(connectionCap(undefined), MAX_CONNECTIONS, 'no limit known: the fixed cap')
  t.equal(connectionCap(1_048_576), MAX_CONNECTIONS, "Docker's default limit: the fixed cap")
  t.equal(
    connectionCap(4_096),
    3_584,
    'a low limit: 512 descriptors kept for the store and the logs',
  )
  t.equal(connectionCap(256), 64, 'never below 64')
  t.equal(
    openFileLimit(
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            20000                20000                files\n',
    ),
    20_000,
  )
  t.equal(
    openFileLimit('Max open files            unlimited            unlimited            files\n'),
    undefined,
  )
})

interface Trickled {
  /** ms from connect to the server closing the connection, or -1 if it did not within `waitMs`. */
  closedAfter: number
  sent: number
  answer: string
}

/** Sends `prefix` at once, then `rest` one byte a second, until the server closes the connection. */
async function trickle(prefix: string, rest: string, waitMs: number): Promise<Trickled> {
  const socket = connect(port(), '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  const started = Date.now()
  let sent = 0
  let answer = ''
  socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk))
  socket.on('error', () => undefined) // a reset after the 408 is fine
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => resolve(Date.now() - started)),
  )
  socket.write(prefix)
  const ticker = setInterval(() => {
    if (sent < rest.length && !socket.destroyed) socket.write(rest[sent++]!)
  }, 1_000)
  const closedAfter = await Promise.race([closed, sleep(waitMs).then(() => -1)])
  clearInterval(ticker)
  socket.destroy()
  return { closedAfter, sent, answer }
}

t.test(
  'slow clients are cut off: headers or a body a byte a second, an idle keep-alive connection',
  async (t) => {
    const headers = `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(40)}\r\n\r\n`
    const body = JSON.stringify({ events: [] }).padEnd(100, ' ')
    const post = `POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`
    const [slowHeaders, slowBody, keepAlive] = await Promise.all([
      trickle('', headers, HEADERS_TIMEOUT_MS + 10_000),
      trickle(post, body, REQUEST_TIMEOUT_MS + 10_000),
      trickle(
        'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
        '',
        KEEP_ALIVE_TIMEOUT_MS + 10_000,
      ),
      sleep(3_000).then(async () => {
        const meanwhile = await timedGet('/health')
        t.equal(meanwhile.status, 200, `others are answered meanwhile (${meanwhile.ms} ms)`)
      }),
    ])

    const trickled = [
      { slow: slowHeaders, what: 'headers', timeout: 'header', timeoutMs: HEADERS_TIMEOUT_MS, part: 'the headers were', length: headers.length },
      { slow: slowBody, what: 'a body', timeout: 'request', timeoutMs: REQUEST_TIMEOUT_MS, part: 'the body was', length: body.length },
    ]
    for (const { slow, what, timeout, timeoutMs, part, length } of trickled) {
      t.not(slow.closedAfter, -1, `${what} a byte a second: the server closed the connection`)
      t.ok(
        slow.closedAfter <= timeoutMs + CHECK_EVERY_MS + 2_000,
        `within the ${timeout} timeout (${slow.closedAfter} ms)`,
      )
      t.ok(slow.sent < length, `before ${part} complete (${slow.sent} of ${length} bytes sent)`)
      t.match(slow.answer, problem(408, 'request-timeout'), 'with a 408 problem')
    }

    t.match(keepAlive.answer, /^HTTP\/1\.1 200 /, 'a keep-alive client got its answer')
    t.not(keepAlive.closedAfter, -1, 'then, idle, the server closed the connection')
    t.ok(
      keepAlive.closedAfter >= KEEP_ALIVE_TIMEOUT_MS - 500 &&
        keepAlive.closedAfter <= KEEP_ALIVE_TIMEOUT_MS + 2_000,
      `at the keep-alive timeout (${keepAlive.closedAfter} ms)`,
    )
  },
)

t.test('headers over 16 KiB, or bytes that are not HTTP, are a problem too', async (t) => {
  const big = await trickle(
    `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    '',
    5_000,
  )
  t.match(big.answer, problem(431, 'headers-too-large'), '431')
  const garbage = await trickle('\u0000\u0001 not http at all\r\n\r\n', '', 5_000)
  t.match(garbage.answer, problem(400, 'invalid-request'), '400')
})

t.test(`${IDLE_SOCKETS} idle sockets do not stop the service answering others`, async (t) => {
  // each socket is a descriptor here and another in the server; Node raised both soft limits to the hard one
  const limit = openFileLimit()
  const count = limit === undefined ? IDLE_SOCKETS : Math.min(IDLE_SOCKETS, limit - 256)
  if (count < IDLE_SOCKETS) {
    t.comment(
      `the open-file limit here is ${limit}: opening ${count} sockets, not ${IDLE_SOCKETS} (raise it with ulimit -Hn)`,
    )
  }
  const rssBefore = rssKiB(served.child.pid!)
  const sockets: Socket[] = []
  let closedByServer = 0
  const opened = Date.now()
  for (let batch = 0; batch < count; batch += 500) {
    const size = Math.min(500, count - batch)
    await Promise.all(
      Array.from(
        { length: size },
        () =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(port(), '127.0.0.1')
            socket.once('connect', () => resolve())
            socket.once('error', reject)
            socket.once('close', () => (closedByServer += 1))
            socket.on('data', () => undefined)
            sockets.push(socket)
          }),
      ),
    )
  }
  const openMs = Date.now() - opened
  t.comment(`${count} sockets connected in ${openMs} ms`)
  t.teardown(() => sockets.forEach((socket) => socket.destroy()))
  await sleep(500) // let the server accept them all
  t.equal(closedByServer, 0, 'none was refused: they are under the cap')

  const health = await timedGet('/health')
  const stance = await timedGet('/jurisdictions/us-pa-philadelphia/stance?asOf=2016-03-01')
  const rssHeld = rssKiB(served.child.pid!)
  t.equal(health.status, 200, `GET /health answers while they are held (${health.ms} ms)`)
  t.equal(stance.status, 200, `and a stance (${stance.ms} ms)`)
  t.ok(health.ms < 2_000 && stance.ms < 2_000, 'promptly')
  t.comment(
    `server RSS ${Math.round(rssBefore / 1024)} MiB before, ${Math.round(rssHeld / 1024)} MiB with ${count} idle sockets (${((rssHeld - rssBefore) / count).toFixed(1)} KiB each)`,
  )

  // none of them sent a header: each is dropped at the header timeout, counted from its connect
  const deadline = opened + openMs + HEADERS_TIMEOUT_MS + CHECK_EVERY_MS + 5_000
  while (closedByServer < count && Date.now() < deadline) await sleep(200)
  t.equal(
    closedByServer,
    count,
    `the server dropped every idle socket by the header timeout (${Date.now() - opened} ms after the first connected)`,
  )
  const afterwards = await timedGet('/health')
  t.equal(afterwards.status, 200, 'and serves on')
})
