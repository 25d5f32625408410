/**
 * The benchmark's server children: the real service (`src/cli/run.ts serve`) and the bare fastify app
 * it is compared with, each in its own process so the load generator never shares their event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { freePort } from '../test/support/serveProcess.js'
import { repoRoot } from './loadStore.js'

export interface MemoryUsage {
  rss: number
  heapTotal: number
  heapUsed: number
  external: number
  arrayBuffers: number
  gc: boolean
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface Child {
  name: string
  process: ChildProcess
  pid: number
  baseUrl: string
  /** The last 64 KiB the child wrote to stdout and stderr. */
  output(): string
  /** Set once the child has exited. */
  exit: Exit | undefined
  exited: Promise<Exit>
  /** User plus system CPU seconds the child has used so far (Linux /proc). */
  cpuSeconds(): number
  /** Resident memory after GC, from the preloaded probe. */
  memory(): Promise<MemoryUsage>
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<Exit>
}

/** The token the service is started with (a name and 16+ characters, as LEDGER_TOKENS wants). */
export const BENCH_TOKEN = 'bench-token-0123456789abcdef'

const CLOCK_TICKS_PER_SECOND = 100

function cpuSecondsOf(pid: number): number {
  try {
    // the command name may hold spaces and parentheses: fields are counted after the last ')'
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND
  } catch {
    return Number.NaN
  }
}

function launch(name: string, args: string[], env: Record<string, string>, port: number): Child {
  const base: Record<string, string | undefined> = { ...process.env }
  delete base.NODE_OPTIONS
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...base, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let output = ''
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-65_536)
  }
  child.stdout!.setEncoding('utf8').on('data', keep)
  child.stderr!.setEncoding('utf8').on('data', keep)
  const handle: Child = {
    name,
    process: child,
    pid: child.pid ?? -1,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    exit: undefined,
    exited: new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        handle.exit = { code, signal }
        resolve({ code, signal })
      })
    }),
    cpuSeconds: () => cpuSecondsOf(child.pid ?? -1),
    memory: () =>
      new Promise<MemoryUsage>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no memory report within 60 s`)), 60_000)
        const onMessage = (message: { type?: string } & MemoryUsage) => {
          if (message?.type !== 'memory') return
          clearTimeout(timer)
          child.off('message', onMessage)
          resolve(message)
        }
        child.on('message', onMessage)
        child.send({ type: 'memory' })
      }),
    stop: async (graceMs = 120_000) => {
      if (handle.exit !== undefined) return handle.exit
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const exit = await handle.exited
      clearTimeout(timer)
      return exit
    },
  }
  return handle
}

async function waitUntilReady(child: Child, path: string, withinMs: number, pollMs: number): Promise<void> {
  const deadline = performance.now() + withinMs
  while (performance.now() < deadline) {
    if (child.exit !== undefined) {
      throw new Error(`${child.name} exited (${child.exit.code ?? child.exit.signal}) before it was ready:\n${child.output().slice(-4_000)}`)
    }
    try {
      const response = await fetch(`${child.baseUrl}${path}`, { signal: AbortSignal.timeout(2_000) })
      await response.arrayBuffer()
      if (response.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
  await child.stop(5_000)
  throw new Error(`${child.name} was not ready within ${withinMs} ms:\n${child.output().slice(-4_000)}`)
}

export interface LedgerChildOptions {
  /** Write a V8 CPU profile into this folder when the child exits (`--cpu-prof`). */
  profileDir?: string
  readyWithinMs?: number
}

/**
 * `policy-ledger serve` on an embedded store, as an operator would start it for a benchmark: writes on
 * with one token, the write rate limit off, no seed, silent logs. Resolves once GET /ready is 200, with
 * the milliseconds from spawn to ready (the service listens only after its projections caught up).
 */
export async function startLedger(storePath: string, options: LedgerChildOptions = {}): Promise<{ child: Child; readyMs: number }> {
  const port = await freePort()
  const args = [
    '--expose-gc',
    ...(options.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`]),
    '--import',
    'tsx',
    '--import',
    './bench/childProbe.ts',
    'src/cli/run.ts',
    'serve',
  ]
  const started = performance.now()
  const child = launch(
    'policy-ledger serve',
    args,
    {
      LEDGER_STORE: `sqlite:${storePath}`,
      LEDGER_TOKENS: `bench:${BENCH_TOKEN}`,
      LEDGER_WRITE_RATE_LIMIT: '0',
      LEDGER_SEED: 'false',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'silent',
    },
    port,
  )
  await waitUntilReady(child, '/ready', options.readyWithinMs ?? 1_800_000, 10)
  return { child, readyMs: performance.now() - started }
}

/** The bare fastify app: the exact bytes the ledger answered, per URL, from a JSON file. */
export async function startBare(bodiesFile: string): Promise<Child> {
  const port = await freePort()
  const child = launch('bare fastify', ['--expose-gc', '--import', 'tsx', './bench/bareServer.ts'], { BENCH_BODIES: bodiesFile, PORT: String(port) }, port)
  await waitUntilReady(child, '/__ready', 60_000, 20)
  return child
}
