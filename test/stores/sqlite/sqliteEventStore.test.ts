import t from 'tap'
import { join } from 'node:path'
import { durabilityProblem, durabilitySettings, WAL_AUTOCHECKPOINT_PAGES } from '../../../src/stores/sqlite/ledgerFile.js'
import { openSqliteEventStore } from '../../../src/stores/sqlite/sqliteEventStore.js'
import { eventFor, eventStoreContract, freshStream } from '../../support/eventStoreContract.js'

t.test('the EventStore contract, in memory', async (t) => {
  eventStoreContract(t, async () => {
    const store = openSqliteEventStore({ path: ':memory:' })
    return { store, close: () => store.close() }
  })
})

t.test('the EventStore contract, on a file', async (t) => {
  const dir = t.testdir()
  let n = 0
  eventStoreContract(t, async () => {
    n += 1
    const store = openSqliteEventStore({ path: join(dir, `contract-${n}.sqlite`) })
    return { store, close: () => store.close() }
  })
})

t.test('a file store runs in WAL with synchronous=FULL, so an acknowledged write is on disk', async (t) => {
  const store = openSqliteEventStore({ path: join(t.testdir(), 'ledger.sqlite') })
  t.teardown(() => store.close())
  t.same(durabilitySettings(store.db), { journalMode: 'wal', synchronous: 2 })
  t.equal(
    store.db.pragma('wal_autocheckpoint', { simple: true }),
    WAL_AUTOCHECKPOINT_PAGES,
    'the WAL is copied into the file every 10 000 pages, not every 1 000',
  )
})

t.test('settings that could lose an acknowledged write are named', async (t) => {
  t.equal(durabilityProblem({ journalMode: 'wal', synchronous: 2 }, false), undefined)
  t.match(durabilityProblem({ journalMode: 'delete', synchronous: 2 }, false), /journal_mode is delete/)
  t.match(durabilityProblem({ journalMode: 'wal', synchronous: 1 }, false), /synchronous is 1/)
  t.equal(durabilityProblem({ journalMode: 'wal', synchronous: 1 }, true), undefined, 'a reader does not write')
})

t.test('a request is one transaction: a conflict in a later run writes nothing', async (t) => {
  const store = openSqliteEventStore({ path: ':memory:' })
  t.teardown(() => store.close())
  const a = freshStream()
  const b = freshStream()
  await store.append([{ stream: b, expectedRevision: 'no_stream', events: [eventFor(b)] }])
  const error = await store
    .append([
      { stream: a, expectedRevision: 'no_stream', events: [eventFor(a), eventFor(a)] },
      { stream: b, expectedRevision: 'no_stream', events: [eventFor(b)] },
    ])
    .catch((e: unknown) => e)
  t.match(error, { code: 'wrong_expected_revision', stream: b })
  t.equal(await store.head(), 1)
  t.same(await store.readStream(a), [])
})

t.test('stored events can be neither updated nor deleted', async (t) => {
  const store = openSqliteEventStore({ path: ':memory:' })
  t.teardown(() => store.close())
  const stream = freshStream()
  await store.append([{ stream, expectedRevision: 'no_stream', events: [eventFor(stream)] }])
  t.throws(() => store.db.exec(`UPDATE events SET entry = '{}'`), /immutable/)
  t.throws(() => store.db.exec('DELETE FROM events'), /never deleted/)
  t.equal(await store.head(), 1)
})

t.test('a subscriber that throws stops its subscription and hears why', async (t) => {
  const store = openSqliteEventStore({ path: ':memory:' })
  t.teardown(() => store.close())
  const stream = freshStream()
  await store.append([{ stream, expectedRevision: 'no_stream', events: [eventFor(stream)] }])
  const failure = await new Promise<Error>((resolve) => {
    store.subscribe(0, {
      onEvents: () => {
        throw new Error('projection failed')
      },
      onError: resolve,
    })
  })
  t.match(failure.message, 'projection failed')
})

t.test('a read-only store reads what a writer left', async (t) => {
  const path = join(t.testdir(), 'ledger.sqlite')
  const writer = openSqliteEventStore({ path })
  const stream = freshStream()
  await writer.append([{ stream, expectedRevision: 'no_stream', events: [eventFor(stream)] }])
  await writer.close()
  const reader = openSqliteEventStore({ path, readonly: true })
  t.teardown(() => reader.close())
  t.equal(await reader.head(), 1)
})
