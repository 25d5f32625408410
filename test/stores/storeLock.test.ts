import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { acquireStoreLock, lockPathFor } from '../../src/stores/storeLock.js'
import { runCli as runCliToEnd } from '../support/runCli.js'
import { seedSize } from '../support/testLedger.js'
import {
  freePort,
  readFeed,
  repoRoot,
  scratchStore,
  sleep,
  startServe,
  type Served,
} from '../support/serveProcess.js'

/**
 * The embedded store's lock is the kernel's: it goes with the process however the process ends, so a
 * restart right after a kill -9 starts at once, also as PID 1 of a fresh PID namespace (a container)
 * and while the killed process is still a zombie; and a live server still keeps a second one out.
 */

const TOKEN = 'lock-test-writer-token-0123'
const env = { LEDGER_TOKENS: `lock:${TOKEN}`, LEDGER_WRITE_RATE_LIMIT: '0' }
// --kill-child: killing unshare (the test's child) must take the namespace's PID 1 with it
const UNSHARE = ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc']

/** Writes one claim and returns its id once the service acknowledged it. */
async function write(baseUrl: string): Promise<string> {
  const id = randomUUID()
  const response = await fetch(`${baseUrl}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      events: [
        {
          id,
          type: 'StatementMade',
          data: {
            jurisdictionId: 'us-pa-philadelphia',
            actor: { id: 'lock-test', name: 'Lock test' },
            on: '2020-01-01',
            summary: 'written before a kill -9',
            sourceId: 'abcnews-2016-11-17-cities-push-back',
            stances: [],
          },
        },
      ],
    }),
  })
  if (response.status !== 201)
    throw new Error(`POST /events: ${response.status} ${await response.text()}`)
  return id
}

async function stop(served: Served | undefined): Promise<void> {
  if (served === undefined || served.child.exitCode !== null || served.child.signalCode !== null)
    return
  served.child.kill('SIGKILL')
  await served.exited
}

/** The pids of a process's children (Linux). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

function processState(pid: number): string | undefined {
  try {
    // "pid (comm) S ..."; comm may hold spaces, so read after its closing parenthesis
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]
  } catch {
    return undefined
  }
}

t.test(
  'in one process: a second holder is refused with the holder named; release frees it',
  async (t) => {
    const { store } = scratchStore(t, 'lock')
    const lock = acquireStoreLock(store, 'serve it')
    t.throws(() => acquireStoreLock(store, 'write to it'), {
      code: 'store_locked',
      message: new RegExp(`is held by process ${process.pid} .*stop it to write to it`),
    })
    // the refused attempt closed its own connection to the lock file: a POSIX lock dies with any of
    // the process's descriptors of the file, so check the kernel still holds it against another process
    const outside = await runCliToEnd(['import', 'data/seed.ndjson'], {
      LEDGER_STORE: `sqlite:${store}`,
    })
    t.equal(outside.code, 1, 'another process is still refused')
    t.match(outside.stderr, `held by process ${process.pid}`)
    lock.release()
    lock.release() // twice is harmless
    const again = acquireStoreLock(store, 'serve it')
    again.release()
  },
)

t.test(
  'a lock file from an earlier release (a pid in text) is taken over unless its process lives',
  async (t) => {
    const { store } = scratchStore(t, 'lock-legacy')

    // our own pid: what a restarted container (PID 1 again) finds
    writeFileSync(lockPathFor(store), `${process.pid}\n`)
    acquireStoreLock(store, 'serve it').release()

    // a pid nobody has: a process that ended without removing it
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    })
    writeFileSync(lockPathFor(store), `${gone.stdout}\n`)
    acquireStoreLock(store, 'serve it').release()

    // another live process: an older `serve` may still be running
    const live = spawn('sleep', ['30'])
    t.teardown(() => live.kill('SIGKILL'))
    writeFileSync(lockPathFor(store), `${live.pid}\n`)
    t.throws(() => acquireStoreLock(store, 'serve it'), {
      code: 'store_locked',
      message: `held by process ${live.pid}`,
    })

    writeFileSync(lockPathFor(store), 'something else entirely')
    t.throws(() => acquireStoreLock(store, 'serve it'), {
      code: 'store_locked',
      message:
        /neither a lock database nor an old pid file; when no policy-ledger process runs .*remove it/,
    })
  },
)

t.test(
  'kill -9 of serve, then a restart with no pause: ready, every acknowledged write there',
  async (t) => {
    const { store } = scratchStore(t, 'lock-kill')
    let served: Served | undefined = await startServe(store, env)
    t.teardown(() => stop(served))
    const written = [await write(served.baseUrl), await write(served.baseUrl)]
    served.child.kill('SIGKILL')
    await served.exited
    const restartedAt = Date.now()
    served = await startServe(store, env)
    t.comment(`ready ${Date.now() - restartedAt} ms after the kill`)
    const ids = new Set((await readFeed(served.baseUrl)).map((event) => event.id))
    t.ok(
      written.every((id) => ids.has(id)),
      'both acknowledged writes are there',
    )
  },
)

t.test(
  'the killed server is still a zombie (nobody reaped it): the restart does not wait for it',
  async (t) => {
    const { store } = scratchStore(t, 'lock-zombie')
    const port = await freePort()
    const base: Record<string, string | undefined> = { ...process.env, ...env }
    delete base.NODE_OPTIONS
    // sh starts serve in the background and becomes `sleep`, which never waits for its children: once
    // serve dies it stays a zombie until the sleep ends
    const parent = spawn(
      'sh',
      ['-c', `"${process.execPath}" --import tsx src/cli/run.ts serve & echo $!; exec sleep 120`],
      {
        cwd: repoRoot,
        env: {
          ...base,
          LEDGER_STORE: `sqlite:${store}`,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          NODE_ENV: 'production',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    t.teardown(() => parent.kill('SIGKILL'))
    const pid = await new Promise<number>((resolve) =>
      parent
        .stdout!.setEncoding('utf8')
        .once('data', (text: string) => resolve(Number(text.trim()))),
    )
    let ready = false
    for (let i = 0; i < 600 && !ready; i += 1) {
      ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.ok,
        () => false,
      )
      if (!ready) await sleep(50)
    }
    t.ok(ready, 'the first server is ready')
    const id = await write(`http://127.0.0.1:${port}`)
    process.kill(pid, 'SIGKILL')
    for (let i = 0; i < 100 && processState(pid) !== 'Z'; i += 1) await sleep(20)
    t.equal(processState(pid), 'Z', `the killed server (pid ${pid}) is a zombie`)
    const served = await startServe(store, env)
    t.teardown(() => stop(served))
    t.equal(processState(pid), 'Z', 'and still is while the new one serves')
    t.ok(
      (await readFeed(served.baseUrl)).some((event) => event.id === id),
      'the acknowledged write is there',
    )
  },
)

const unshareWorks = spawnSync(UNSHARE[0]!, [...UNSHARE.slice(1), 'true']).status === 0
t.test(
  'as PID 1 in a fresh PID namespace (a container), kill -9 then a restart the same way',
  {
    skip: unshareWorks
      ? false
      : '`unshare --pid --fork --mount-proc` is not permitted here (it needs root or user namespaces), so no PID namespace can be made',
  },
  async (t) => {
    const { store } = scratchStore(t, 'lock-pidns')
    let served: Served | undefined = await startServe(store, env, 30_000, UNSHARE)
    t.teardown(() => stop(served))
    const [node] = childrenOf(served.child.pid!)
    t.ok(node, 'unshare forked the server')
    const status = readFileSync(`/proc/${node}/status`, 'utf8')
    t.match(status, /^NSpid:\s+\d+\s+1$/m, 'the server is PID 1 in its namespace')
    const written = await write(served.baseUrl)
    process.kill(node!, 'SIGKILL')
    await served.exited
    const restartedAt = Date.now()
    served = await startServe(store, env, 30_000, UNSHARE)
    t.comment(`ready ${Date.now() - restartedAt} ms after the kill`)
    t.match(
      readFileSync(`/proc/${childrenOf(served.child.pid!)[0]}/status`, 'utf8'),
      /^NSpid:\s+\d+\s+1$/m,
      'PID 1 again',
    )
    t.ok(
      (await readFeed(served.baseUrl)).some((event) => event.id === written),
      'the acknowledged write is there',
    )
  },
)

t.test(
  'two live servers on one file: the second refuses; readers run beside, writers refuse',
  async (t) => {
    const { store } = scratchStore(t, 'lock-live')
    const served = await startServe(store, env)
    t.teardown(() => stop(served))
    const cli = {
      LEDGER_STORE: `sqlite:${store}`,
      LEDGER_SEED: 'true',
      PORT: String(await freePort()),
    }
    const second = await runCliToEnd(['serve'], cli)
    t.not(second.code, 0, 'the second serve exits non-zero')
    t.match(
      second.stderr,
      new RegExp(
        `${store} is held by process ${served.child.pid} \\(a running \`policy-ledger serve\`\\?\\); stop it to serve it`,
      ),
    )
    const importing = await runCliToEnd(['import', 'data/seed.ndjson'], cli)
    t.equal(importing.code, 1, 'a writing command refuses')
    t.match(
      importing.stderr,
      /held by process .*stop it to write to it, or send the events to the running service with --url/,
    )
    const exported = await runCliToEnd(['export'], cli)
    t.equal(exported.code, 0, `export runs beside the server ${exported.stderr}`)
    t.equal(exported.stdout.split('\n').filter(Boolean).length, seedSize, 'and reads the seed')
    const stance = await runCliToEnd(['stance', 'us-pa-philadelphia'], cli)
    t.equal(stance.code, 0, `stance runs beside the server ${stance.stderr}`)
    t.ok((await fetch(`${served.baseUrl}/ready`)).ok, 'the first server still serves')
  },
)
