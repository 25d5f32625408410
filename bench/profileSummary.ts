/**
 * The top self-time functions of a V8 `.cpuprofile` (what `node --cpu-prof` writes), so a profile can be
 * read in a terminal. `node --import tsx bench/profileSummary.ts FILE [TOP]`; `bench/run.ts --profile`
 * uses it on the server child.
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

export interface SelfTime {
  function: string
  location: string
  selfMs: number
  /** Share of all samples, idle included. */
  percent: number
  /** Share of the samples where the process was not idle. */
  busyPercent: number
}

export interface ProfileSummary {
  file: string
  totalMs: number
  idleMs: number
  gcMs: number
  top: SelfTime[]
  /** Self time grouped by package or project folder: where the time goes at a glance. */
  byArea: Array<{ area: string; selfMs: number; busyPercent: number }>
}

const repoRoot = fileURLToPath(new URL('..', import.meta.url))

function locationOf(url: string, line: number): string {
  if (url === '') return '(native)'
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  // tsx compiles the project's files on the fly, so their line numbers say nothing: the file alone
  if (path.startsWith(repoRoot) && !path.includes('/node_modules/')) return relative(repoRoot, path)
  return `${path.startsWith(repoRoot) ? relative(repoRoot, path) : path}:${line + 1}`
}

/** `node_modules/<pkg>`, a project folder (`src/http`), `node:*` internals, or a V8 pseudo-frame. */
function areaOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName.replace(/[()]/g, '') || 'native'})`
  if (url.startsWith('node:')) return 'node internals'
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)
  if (modules !== null) return modules[1]!
  if (path.startsWith(repoRoot)) return relative(repoRoot, path).split('/').slice(0, 2).join('/')
  return 'other'
}

/**
 * A window of the profile in microseconds of the monotonic clock, which V8's profiler and
 * `process.hrtime` both read on Linux: a parent can mark phases of a child's profile.
 */
export interface ProfileWindow {
  fromUs: number
  toUs: number
}

export function summariseProfile(file: string, top = 25, windows?: readonly ProfileWindow[]): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfUs = new Map<number, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  // a sample's time is the delta to the next sample
  let at = profile.startTime
  for (let i = 0; i < samples.length; i += 1) {
    at += deltas[i] ?? 0
    if (windows !== undefined && !windows.some((w) => at >= w.fromUs && at <= w.toUs)) continue
    const next = deltas[i + 1] ?? 0
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + next)
  }
  const byFunction = new Map<string, { function: string; location: string; us: number }>()
  const byArea = new Map<string, number>()
  let totalUs = 0
  let idleUs = 0
  let gcUs = 0
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!
    const { functionName, url, lineNumber } = node.callFrame
    totalUs += us
    if (functionName === '(idle)') {
      idleUs += us
      continue
    }
    if (functionName === '(garbage collector)') gcUs += us
    const name = functionName === '' ? '(anonymous)' : functionName
    const location = locationOf(url, lineNumber)
    const key = `${name} ${location}`
    const entry = byFunction.get(key) ?? { function: name, location, us: 0 }
    entry.us += us
    byFunction.set(key, entry)
    const area = areaOf(url, functionName)
    byArea.set(area, (byArea.get(area) ?? 0) + us)
  }
  const busyUs = Math.max(1, totalUs - idleUs)
  return {
    file,
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    gcMs: gcUs / 1000,
    top: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((entry) => ({
        function: entry.function,
        location: entry.location,
        selfMs: entry.us / 1000,
        percent: (100 * entry.us) / Math.max(1, totalUs),
        busyPercent: (100 * entry.us) / busyUs,
      })),
    byArea: [...byArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([area, us]) => ({ area, selfMs: us / 1000, busyPercent: (100 * us) / busyUs })),
  }
}

export function formatProfile(summary: ProfileSummary, title = `profile ${summary.file}`): string {
  const lines = [
    `${title}: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.idleMs.toFixed(0)} ms idle, ${summary.gcMs.toFixed(0)} ms GC`,
    '',
    '| self ms | % of busy | function | where |',
    '| ---: | ---: | --- | --- |',
    ...summary.top.map((t) => `| ${t.selfMs.toFixed(0)} | ${t.busyPercent.toFixed(1)} | \`${t.function}\` | ${t.location} |`),
    '',
    '| area | self ms | % of busy |',
    '| --- | ---: | ---: |',
    ...summary.byArea.map((a) => `| ${a.area} | ${a.selfMs.toFixed(0)} | ${a.busyPercent.toFixed(1)} |`),
  ]
  return lines.join('\n')
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top] = process.argv.slice(2)
  if (file === undefined) {
    process.stderr.write('usage: node --import tsx bench/profileSummary.ts FILE.cpuprofile [TOP]\n')
    process.exitCode = 2
  } else {
    process.stdout.write(`${formatProfile(summariseProfile(file, top === undefined ? 25 : Number(top)))}\n`)
  }
}
