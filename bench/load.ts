/**
 * Load generation with autocannon, from this process, against a server child. Latency is taken from
 * autocannon's per-response event (sub-millisecond; its own histogram keeps whole milliseconds).
 */
import autocannon, { type RequestSpec, type Result } from 'autocannon'
import { createRequire } from 'node:module'

export const loadGenerator = {
  name: 'autocannon',
  version: (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version,
}

export interface LoadResult {
  connections: number
  seconds: number
  /** Responses received in the run. */
  responses: number
  /** 2xx responses per second. */
  okPerSecond: number
  statusCodes: Record<string, number>
  non2xx: number
  errors: number
  timeouts: number
  /** Milliseconds, over every response. */
  latency: { mean: number; p50: number; p90: number; p99: number; max: number }
  /** Mean response size, bytes (headers included). */
  bytesPerResponse: number
  /** CPU seconds the server child used during the run, per second of it (1 = one core busy). */
  serverCpu?: number
}

export interface LoadOptions {
  url: string
  connections: number
  seconds: number
  requests: RequestSpec[]
  method?: string
  headers?: Record<string, string>
  timeoutSeconds?: number
  /** Sampled before and after the run to report the server's CPU use. */
  serverCpuSeconds?: () => number
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

/** Per-response latencies of a run, kept apart from the JSON result so rounds can be merged. */
const samplesOf = new WeakMap<LoadResult, Float64Array>()

/** Several runs of the same load as one result: counts added, latencies pooled. */
export function combineLoads(loads: LoadResult[]): LoadResult {
  if (loads.length === 1) return loads[0]!
  const pooled = new Float64Array(loads.reduce((sum, load) => sum + (samplesOf.get(load)?.length ?? 0), 0))
  let at = 0
  for (const load of loads) {
    const samples = samplesOf.get(load) ?? new Float64Array(0)
    pooled.set(samples, at)
    at += samples.length
  }
  pooled.sort()
  const seconds = loads.reduce((sum, load) => sum + load.seconds, 0)
  const responses = loads.reduce((sum, load) => sum + load.responses, 0)
  const statusCodes: Record<string, number> = {}
  for (const load of loads) for (const [code, n] of Object.entries(load.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n
  const cpu = loads.every((load) => load.serverCpu !== undefined) ? loads.reduce((sum, load) => sum + load.serverCpu! * load.seconds, 0) / seconds : undefined
  const combined: LoadResult = {
    connections: loads[0]!.connections,
    seconds,
    responses,
    okPerSecond: loads.reduce((sum, load) => sum + load.okPerSecond * load.seconds, 0) / seconds,
    statusCodes,
    non2xx: loads.reduce((sum, load) => sum + load.non2xx, 0),
    errors: loads.reduce((sum, load) => sum + load.errors, 0),
    timeouts: loads.reduce((sum, load) => sum + load.timeouts, 0),
    latency: latencyOf(pooled),
    bytesPerResponse: loads.reduce((sum, load) => sum + load.bytesPerResponse * load.responses, 0) / Math.max(1, responses),
    ...(cpu === undefined ? {} : { serverCpu: cpu }),
  }
  samplesOf.set(combined, pooled)
  return combined
}

function latencyOf(sorted: Float64Array): LoadResult['latency'] {
  let sum = 0
  for (const value of sorted) sum += value
  return {
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
  }
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16)
  let count = 0
  let bytes = 0
  const cpuBefore = options.serverCpuSeconds?.()
  const started = performance.now()
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: options.timeoutSeconds ?? 30,
    ...(options.method === undefined ? {} : { method: options.method }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    requests: options.requests,
  })
  instance.on('response', (_client, _status, resBytes, responseTime) => {
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2)
      grown.set(latencies)
      latencies = grown
    }
    latencies[count] = responseTime
    count += 1
    bytes += resBytes
  })
  const result: Result = await instance
  const seconds = Math.max(0.001, Math.min(result.duration, (performance.now() - started) / 1000))
  const cpuAfter = options.serverCpuSeconds?.()
  const sorted = latencies.slice(0, count).sort()
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count: n }]) => [code, Number(n)]))
  const load: LoadResult = {
    connections: options.connections,
    seconds,
    responses: count,
    okPerSecond: result['2xx'] / seconds,
    statusCodes,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latency: latencyOf(sorted),
    bytesPerResponse: count === 0 ? 0 : bytes / count,
    ...(cpuBefore === undefined || cpuAfter === undefined ? {} : { serverCpu: (cpuAfter - cpuBefore) / seconds }),
  }
  samplesOf.set(load, sorted)
  return load
}

/** GETs cycling through `paths` (each connection takes the next one). */
export function cyclingGets(paths: readonly string[]): RequestSpec[] {
  let next = 0
  return [
    {
      method: 'GET',
      setupRequest: (request) => {
        request.path = paths[next % paths.length]!
        next += 1
        return request
      },
    },
  ]
}

/** POST /events with a fresh body for every request (so every request carries new event ids). */
export function freshPosts(body: () => string): RequestSpec[] {
  return [
    {
      method: 'POST',
      path: '/events',
      setupRequest: (request) => {
        request.body = body()
        return request
      },
    },
  ]
}
