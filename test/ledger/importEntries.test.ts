import t from 'tap'
import { readFileSync } from 'node:fs'
import { pino } from 'pino'
import { compose } from '../../src/compose.js'
import { parseConfig } from '../../src/config/config.js'
import { importEntries } from '../../src/ledger/importEntries.js'
import { seedSize } from '../support/testLedger.js'

/**
 * An entry import stopped by its signal ends between batches: the store holds whole batches, and the
 * same import again finishes it. (Whole processes, SIGTERM and kill -9: test/hardening/interruptedImport.test.ts.)
 */
const lines = readFileSync(new URL('../../data/seed.ndjson', import.meta.url), 'utf8').split('\n').filter(Boolean)

async function emptyLedger() {
  return compose(parseConfig({ LEDGER_STORE: 'sqlite::memory:', LEDGER_SEED: 'false' }), { logger: pino({ level: 'silent' }), access: 'write' })
}

t.test('stopped after a batch: that batch is written, nothing of the next; again, the rest', async (t) => {
  const ledger = await emptyLedger()
  t.teardown(() => ledger.close())
  const stop = new AbortController()
  const progress: number[] = []
  const first = await importEntries(lines, ledger.importDeps, {
    batchSize: 10,
    signal: stop.signal,
    onProgress: (done) => {
      progress.push(done)
      if (done === 20) stop.abort('SIGTERM')
    },
  })
  t.same(first, { skipped: 0, written: 20, stopped: true })
  t.same(progress, [10, 20])
  t.equal(await ledger.store.head(), 20, 'two whole batches')
  t.equal((await ledger.store.latestCheckpoint())?.treeSize, 20, 'signed up to them')
  t.equal(ledger.runner.size, 20, 'folded up to them')

  const second = await importEntries(lines, ledger.importDeps, { batchSize: 10 })
  t.same(second, { skipped: 20, written: seedSize - 20, stopped: false })
  t.equal(await ledger.store.head(), seedSize)
})

t.test('stopped while the lines of a batch are read, or before any: nothing of that batch', async (t) => {
  const ledger = await emptyLedger()
  t.teardown(() => ledger.close())
  const stop = new AbortController()
  let read = 0
  const counted = (function* () {
    for (const line of lines) {
      read += 1
      if (read === 15) stop.abort('SIGINT')
      yield line
    }
  })()
  t.same(await importEntries(counted, ledger.importDeps, { batchSize: 10, signal: stop.signal }), { skipped: 0, written: 10, stopped: true })
  t.equal(await ledger.store.head(), 10)
  // the last lines read, then the signal, with no batch begun: nothing more
  const late = new AbortController()
  const all = (function* () {
    yield* lines.slice(0, 15)
    late.abort('SIGTERM')
  })()
  t.same(await importEntries(all, ledger.importDeps, { batchSize: 100, signal: late.signal }), { skipped: 10, written: 0, stopped: true })
  t.equal(await ledger.store.head(), 10)
})
