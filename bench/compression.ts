/**
 * Compression (issue 13): the same answers asked for with `Accept-Encoding: identity`, `gzip` and
 * `br`, one after another on the same child, each the same length of autocannon load: bytes on the wire
 * (autocannon counts what the socket received, headers included) and throughput for each coding.
 */
import { runLoad, type LoadResult } from './load.js'
import type { Child } from './processes.js'

export const CODINGS = ['identity', 'gzip', 'br'] as const
export type Coding = (typeof CODINGS)[number]

export interface CompressionRun {
  coding: Coding
  load: LoadResult
}

export interface CompressionResult {
  endpoint: string
  path: string
  runs: CompressionRun[]
}

/** What a coding's answer costs beside identity's: the share of the bytes, and of the throughput. */
export function beside(result: CompressionResult, coding: Coding): { bytes: number; throughput: number } {
  const identity = result.runs.find((run) => run.coding === 'identity')!.load
  const other = result.runs.find((run) => run.coding === coding)!.load
  return { bytes: other.bytesPerResponse / identity.bytesPerResponse, throughput: other.okPerSecond / identity.okPerSecond }
}

export async function measureCompression(child: Child, endpoint: string, path: string, seconds: number, connections: number): Promise<CompressionResult> {
  const runs: CompressionRun[] = []
  for (const coding of CODINGS) {
    const load = await runLoad({
      url: child.baseUrl,
      connections,
      seconds,
      requests: [{ method: 'GET', path }],
      headers: { 'accept-encoding': coding },
      serverCpuSeconds: () => child.cpuSeconds(),
    })
    if (load.non2xx > 0 || load.errors > 0) throw new Error(`${path} (${coding}): ${load.non2xx} non-2xx answers, ${load.errors} errors`)
    runs.push({ coding, load })
  }
  return { endpoint, path, runs }
}
