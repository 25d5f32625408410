/**
 * The panel of a whole ledger (`GET /panel`, every jurisdiction by month over the dataset's years),
 * streamed from the service child: rows a second, and the child's resident memory sampled while it
 * streams. Its baseline, in the same run, is the panel of the last year alone: if memory grew with a
 * panel's length, the whole one (about 47 times longer) would need about 47 times the memory.
 */
import { readFileSync } from 'node:fs'
import type { Child } from './processes.js'

export interface PanelRun {
  url: string
  rows: number
  bytes: number
  seconds: number
  rowsPerSecond: number
  /** VmRSS before the request, and its peak while the panel streamed (sampled every 20 ms). */
  rssBefore: number
  rssPeak: number
}

export interface PanelResult {
  whole: PanelRun
  lastYear: PanelRun
  /** whole.rowsPerSecond / lastYear.rowsPerSecond */
  rateRatio: number
  /** The peak RSS growth of the whole panel, less the last year's. */
  extraGrowth: number
}

function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match === null ? 0 : Number(match[1]) * 1024
}

async function streamPanel(child: Child, path: string): Promise<PanelRun> {
  const rssBefore = rssOf(child.pid)
  let rssPeak = rssBefore
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssOf(child.pid))
  }, 20)
  const started = process.hrtime.bigint()
  let bytes = 0
  let newlines = 0
  try {
    let response = await fetch(`${child.baseUrl}${path}`, { headers: { 'accept-encoding': 'identity' } })
    // shed after the load runs before it (503 overloaded): wait as Retry-After says, as a client would
    for (let attempt = 1; response.status === 503 && attempt <= 10; attempt += 1) {
      await response.text()
      await new Promise((resolve) => setTimeout(resolve, 1_000 * Number(response.headers.get('retry-after') ?? 1)))
      response = await fetch(`${child.baseUrl}${path}`, { headers: { 'accept-encoding': 'identity' } })
    }
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`)
    for await (const chunk of response.body!) {
      const bytesOf = chunk as Uint8Array
      bytes += bytesOf.length
      for (let i = 0; i < bytesOf.length; i += 1) if (bytesOf[i] === 10) newlines += 1
    }
  } finally {
    clearInterval(sampler)
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  rssPeak = Math.max(rssPeak, rssOf(child.pid))
  const rows = newlines - 1 // the header row
  return { url: path, rows, bytes, seconds, rowsPerSecond: rows / seconds, rssBefore, rssPeak }
}

export async function measurePanel(child: Child, firstYear: number, lastYear: number): Promise<PanelResult> {
  const pinned = 'every=month&format=csv'
  // the short one first and last, so that the page cache warms alike for both
  await streamPanel(child, `/panel?from=${lastYear}&to=${lastYear}&${pinned}`)
  const whole = await streamPanel(child, `/panel?from=${firstYear}&to=${lastYear}&${pinned}`)
  const lastYearRun = await streamPanel(child, `/panel?from=${lastYear}&to=${lastYear}&${pinned}`)
  return {
    whole,
    lastYear: lastYearRun,
    rateRatio: whole.rowsPerSecond / lastYearRun.rowsPerSecond,
    extraGrowth: whole.rssPeak - whole.rssBefore - (lastYearRun.rssPeak - lastYearRun.rssBefore),
  }
}
