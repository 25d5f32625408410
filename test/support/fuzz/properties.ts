import type { testLedger } from '../testLedger.js'

/**
 * The properties every fuzzed request is held to: no 5xx; every non-2xx answer is
 * application/problem+json with a stable `type`, a `title`, `status` (the HTTP status) and `detail`;
 * no stack trace or internal path in any body; and a write that is refused moves neither the ledger's
 * size nor its checkpoint. `send` checks them for one request and throws (for fast-check to shrink)
 * when one fails; `tally` counts what every run sent.
 */

export type Ledger = Awaited<ReturnType<typeof testLedger>>

export interface Probe {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'
  url: string
  headers?: Record<string, string>
  payload?: string | Buffer
}

export interface Tally {
  requests: number
  serverErrors: number
  byStatus: Map<number, number>
}

export const tally: Tally = { requests: 0, serverErrors: 0, byStatus: new Map() }

const revealing: Array<[string, RegExp]> = [
  ['a filesystem path', /\/work\/|\/home\/|\/tmp\//],
  ['node_modules', /node_modules/],
  ['a file URL', /file:\/\//],
  ['a stack frame', /\n\s+at |\bat [^\s"]+ \([^)]*:\d+:\d+\)|\bat [^\s"]*\.[cm]?[jt]s:\d+:\d+/],
  ['a stack property', /"stack"\s*:/],
]

function problemsWith(
  probe: Probe,
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
): string[] {
  const problems: string[] = []
  const status = response.statusCode
  if (status >= 500) problems.push(`a ${status}`)
  const requestText = `${probe.url} ${Buffer.isBuffer(probe.payload) ? probe.payload.toString('latin1') : (probe.payload ?? '')}`
  for (const [what, pattern] of revealing) {
    if (pattern.test(response.body) && !pattern.test(requestText))
      problems.push(`the body reveals ${what}`)
  }
  const wantsHtml = /text\/html/.test(String(probe.headers?.accept ?? ''))
  if (status >= 400 && wantsHtml) {
    // a browser asking for HTML gets an error page; the API's problem+json is for everyone else
    const contentType = String(response.headers['content-type'] ?? '')
    if (!/^(text\/html|application\/problem\+json)/.test(contentType))
      problems.push(`content-type ${contentType} for a browser`)
  } else if (status >= 400) {
    const contentType = String(response.headers['content-type'] ?? '')
    if (!contentType.startsWith('application/problem+json'))
      problems.push(`content-type ${contentType}, not application/problem+json`)
    let problem: Record<string, unknown> | undefined
    try {
      problem = JSON.parse(response.body) as Record<string, unknown>
    } catch {
      problems.push('the body is not JSON')
    }
    if (problem !== undefined) {
      // a stable type per code: /problems/<code> (relative, served by GET /problems/:type) or absolute
      if (
        typeof problem.type !== 'string' ||
        !/^(?:https:\/\/[^/]+)?\/problems\/[a-z]+(?:-[a-z]+)*$/.test(problem.type)
      )
        problems.push(`type ${String(problem.type)}`)
      if (typeof problem.title !== 'string' || problem.title === '') problems.push('no title')
      if (problem.status !== status)
        problems.push(`status ${String(problem.status)} in a ${status}`)
      if (typeof problem.detail !== 'string') problems.push('no detail')
    }
  }
  return problems
}

/** Sends one probe and checks the properties; throws (for fast-check to shrink) when one fails. */
export async function send(ledger: Ledger, probe: Probe): Promise<number> {
  const sizeBefore = ledger.runner.size
  const checkpointBefore = ledger.log.latest()
  const started = performance.now()
  const response = await ledger.app.inject({
    method: probe.method,
    url: probe.url,
    headers: probe.headers,
    ...(probe.payload === undefined ? {} : { payload: probe.payload }),
  })
  tally.requests += 1
  tally.byStatus.set(response.statusCode, (tally.byStatus.get(response.statusCode) ?? 0) + 1)
  if (response.statusCode >= 500) tally.serverErrors += 1
  const problems = problemsWith(probe, response)
  const accepted = response.statusCode === 200 || response.statusCode === 201
  if (!accepted || probe.method !== 'POST') {
    if (ledger.runner.size !== sizeBefore)
      problems.push(`the ledger grew from ${sizeBefore} to ${ledger.runner.size}`)
    if (JSON.stringify(ledger.log.latest()) !== JSON.stringify(checkpointBefore))
      problems.push('the checkpoint moved')
  } else if (ledger.log.latest()?.treeSize !== ledger.runner.size) {
    problems.push('after an accepted write the checkpoint does not cover the ledger')
  }
  // Leave the event loop idle for a tenth of the time the request took. Back to back, in-process
  // requests keep the loop 100% busy, and @fastify/under-pressure (maxEventLoopUtilization 0.98)
  // then rightly sheds everything with 503 overloaded: that is load, not content, and not this test.
  await sleepMs(Math.max(1, Math.ceil((performance.now() - started) / 10)))
  if (problems.length > 0) {
    const shown =
      typeof probe.payload === 'string'
        ? probe.payload.slice(0, 300)
        : probe.payload?.subarray(0, 300).toString('latin1')
    throw new Error(
      `${probe.method} ${probe.url.slice(0, 300)} ${shown ?? ''}\n-> ${response.statusCode} ${response.body.slice(0, 500)}\n${problems.join('; ')}`,
    )
  }
  return response.statusCode
}

const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
