import t from 'tap'
import { pino } from 'pino'
import type { Ledger } from '../../src/compose.js'
import { LedgerError } from '../../src/errors.js'
import { untilSpace } from '../../src/cli/serve.js'

/**
 * `serve` on a full disk waits for space rather than exit into a restart loop (the real thing, on a
 * tmpfs: test/hardening/diskFull.test.ts). Here the start and the pause are stand-ins.
 */
function capture() {
  const lines: Array<{ level: number; msg: string; attempt?: number; retryInMs?: number }> = []
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) })
  return { logger, lines }
}

const full = () => new LedgerError('store_full', 'the file system holding /v/ledger.sqlite has no space left to open it.')
const ledger = { config: {} } as unknown as Ledger

t.test('while the disk is full it says so and tries again, doubling the pause up to its bound, until the start succeeds', async (t) => {
  const { logger, lines } = capture()
  let tries = 0
  const pauses: number[] = []
  const started = await untilSpace(
    async () => {
      tries += 1
      if (tries <= 4) throw full()
      return ledger
    },
    logger,
    async (ms) => {
      pauses.push(ms)
      return 'again'
    },
    { initialDelayMs: 100, maxDelayMs: 500 },
  )
  t.equal(started, ledger)
  t.equal(tries, 5)
  t.same(pauses, [100, 200, 400, 500])
  t.same(lines.map((line) => [line.level, line.attempt, line.retryInMs]), [[50, 1, 100], [50, 2, 200], [50, 3, 400], [50, 4, 500]])
  t.match(lines[0]!.msg, /^cannot start: the file system holding \/v\/ledger\.sqlite has no space left to open it\. Trying again in 0\.1 s \(SIGTERM stops\)\.$/)
})

t.test('a signal during the pause stops it; any other failure stops the start at once', async (t) => {
  const { logger, lines } = capture()
  t.equal(await untilSpace(async () => Promise.reject(full()), logger, async () => 'stopped'), undefined)
  t.match(lines.at(-1)?.msg, 'stopped while waiting for space on the store')
  let tries = 0
  const locked = new LedgerError('store_locked', 'held by process 7')
  await t.rejects(
    untilSpace(async () => {
      tries += 1
      throw locked
    }, logger, async () => 'again'),
    locked,
  )
  await t.rejects(untilSpace(async () => Promise.reject(new Error('boom')), logger, async () => 'again'), /boom/)
  t.equal(tries, 1, 'tried once')
})
