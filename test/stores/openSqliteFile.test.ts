import t from 'tap'
import Database from 'better-sqlite3'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEEP_CHECK_UP_TO, openSqliteFile, sqliteFileError } from '../../src/stores/openSqliteFile.js'
import { openSqliteEventStore } from '../../src/stores/sqlite/sqliteEventStore.js'

/**
 * The store's file is opened through one function that turns SQLite's codes into errors naming the
 * file and what to do, and that checks a file before it opens it for writing. (The same cases as whole
 * `serve` runs: test/hardening/damagedStore.test.ts.)
 */

/** A small store file, closed cleanly: its bytes as they lie on disk. */
function storeBytes(dir: string): Buffer {
  const path = join(dir, 'fixture.sqlite')
  const store = openSqliteEventStore({ path })
  store.db.exec("INSERT INTO checkpoints (tree_size, root_hash, note) VALUES (0, x'00', 'n')")
  void store.close()
  return readFileSync(path)
}

t.test(
  'a damaged, foreign or missing file is refused, naming it; nothing is written',
  async (t) => {
    const dir = t.testdir()
    const good = storeBytes(dir)
    // a read-only open gets only the cheap checks (header, schema): it cannot harm the file, and a damaged
    // page past the schema shows when it is read; quick_check guards the opens that would write
    const cases: Array<{
      name: string
      bytes: Buffer
      code: string
      message: RegExp
      readOnlyToo?: false
    }> = [
      {
        name: 'truncated',
        bytes: good.subarray(0, 3 * 4096 + 100),
        code: 'store_damaged',
        message: /is damaged: .*Nothing was written to it.*restore the store from a backup/,
      },
      {
        name: 'overwritten',
        bytes: Buffer.concat([good.subarray(0, 4096), Buffer.alloc(good.length - 4096, 0xa5)]),
        code: 'store_damaged',
        message: /is damaged: (SQLite's quick_check finds|SQLite reports)/,
        readOnlyToo: false,
      },
      {
        name: 'text',
        bytes: Buffer.from('hello\n'.repeat(200)),
        code: 'store_not_a_ledger',
        message: /is not a SQLite database .*Check that LEDGER_STORE names the store/,
      },
    ]
    for (const { name, bytes, code, message, readOnlyToo } of cases) {
      const path = join(dir, `${name}.sqlite`)
      writeFileSync(path, bytes)
      for (const readonly of readOnlyToo === false ? [false] : [false, true]) {
        t.throws(
          () =>
            openSqliteFile(path, { readonly, fileMustExist: readonly, requiredTable: 'events' }),
          { code, message: new RegExp(`${path} ${message.source}`) },
          `${name}, ${readonly ? 'read-only' : 'read-write'}`,
        )
      }
      t.ok(readFileSync(path).equals(bytes), `${name}: the bytes are unchanged`)
    }

    const other = join(dir, 'other.sqlite')
    const db = new Database(other)
    db.exec('CREATE TABLE a (x); CREATE TABLE b (x)')
    db.close()
    const otherBytes = readFileSync(other)
    t.throws(() => openSqliteFile(other, { requiredTable: 'events' }), {
      code: 'store_not_a_ledger',
      message: `${other} is a SQLite database but no policy-ledger store: it has no events table (it has a, b)`,
    })
    t.ok(readFileSync(other).equals(otherBytes), 'no events table was created in it')

    t.throws(
      () => openSqliteFile(join(dir, 'nowhere.sqlite'), { readonly: true, fileMustExist: true }),
      {
        code: 'store_inaccessible',
        message: /cannot use the store .*nowhere\.sqlite: there is no such file/,
      },
    )
    mkdirSync(join(dir, 'a-directory.sqlite'))
    t.throws(() => openSqliteFile(join(dir, 'a-directory.sqlite')), {
      code: 'store_inaccessible',
      message: /it is not a regular file/,
    })
  },
)

t.test('above deepCheckUpTo a start reads no page but the header: a cut file is still refused, an overwritten page is left to the read that meets it', async (t) => {
  const dir = t.testdir()
  const good = storeBytes(dir)
  const cut = join(dir, 'cut.sqlite')
  const cutBytes = good.subarray(0, 2 * 4096)
  writeFileSync(cut, cutBytes)
  t.throws(() => openSqliteFile(cut, { requiredTable: 'events', deepCheckUpTo: 0 }), {
    code: 'store_damaged',
    message: new RegExp(`${cut} is damaged: it is shorter than its header says \\(\\d+ pages of 4096 bytes, \\d+ bytes; the file has 8192\\): it was cut short`),
  }, 'a cut file, from its header alone')
  t.ok(readFileSync(cut).equals(cutBytes), 'its bytes are unchanged')

  const overwritten = join(dir, 'overwritten.sqlite')
  // the last page garbage: the header and the schema (page 1) are whole
  writeFileSync(overwritten, Buffer.concat([good.subarray(0, good.length - 4096), Buffer.alloc(4096, 0xa5)]))
  t.throws(() => openSqliteFile(overwritten, { requiredTable: 'events' }), { code: 'store_damaged' }, 'at the default bound, quick_check finds the page')
  const db = openSqliteFile(overwritten, { requiredTable: 'events', deepCheckUpTo: 1024 })
  t.ok(db.open, 'above the bound the start does not read it')
  db.close()
  t.equal(DEEP_CHECK_UP_TO, 512 * 1024 * 1024, 'the bound a start uses: 512 MiB, about half a second of reading')
})

t.test('a good file, an empty one and a new one open; so does :memory:', async (t) => {
  const dir = t.testdir()
  const path = join(dir, 'good.sqlite')
  writeFileSync(path, storeBytes(dir))
  openSqliteFile(path, { requiredTable: 'events' }).close()
  openSqliteFile(path, { readonly: true, fileMustExist: true, requiredTable: 'events' }).close()
  writeFileSync(join(dir, 'empty.sqlite'), '')
  openSqliteFile(join(dir, 'empty.sqlite'), { requiredTable: 'events' }).close()
  openSqliteFile(join(dir, 'new.sqlite'), { requiredTable: 'events' }).close()
  openSqliteFile(':memory:').close()
})

t.test("SQLite's codes about the file become ours; others pass through", async (t) => {
  const sqlite = (code: string) => Object.assign(new Error(`sqlite says ${code}`), { code })
  t.match(sqliteFileError('/s', sqlite('SQLITE_CORRUPT_INDEX')), { code: 'store_damaged' })
  t.match(sqliteFileError('/s', sqlite('SQLITE_IOERR_SHORT_READ')), {
    code: 'store_damaged',
    message: /the disk may be failing/,
  })
  // a full disk fails an open too (the -shm index cannot be made): no damage, and no restore
  for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_SHMSIZE']) {
    t.match(sqliteFileError('/var/lib/ledger.sqlite', sqlite(code)), {
      code: 'store_full',
      message: /^the file system holding \/var\/lib\/ledger\.sqlite has no space left .*to open it .*The store is not damaged/,
    })
  }
  t.match(sqliteFileError('/s', sqlite('SQLITE_READONLY_DIRECTORY')), {
    code: 'store_inaccessible',
  })
  t.match(sqliteFileError('/s', sqlite('SQLITE_PERM')), { code: 'store_inaccessible' })
  const busy = sqlite('SQLITE_BUSY')
  t.equal(sqliteFileError('/s', busy), busy)
  const plain = new Error('no code')
  t.equal(sqliteFileError('/s', plain), plain)
})
