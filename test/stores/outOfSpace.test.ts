import t from 'tap'
import { join } from 'node:path'
import { LedgerError } from '../../src/errors.js'
import { freeSpace, isOutOfSpace, storeFull } from '../../src/stores/outOfSpace.js'

/** A full disk is told apart from every other failure (test/hardening/diskFull.test.ts fills a real one). */
const coded = (code: string) => Object.assign(new Error(`says ${code}`), { code })

t.test('the signs of a full disk', async (t) => {
  for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_SHMSIZE', 'ENOSPC', 'EDQUOT']) t.ok(isOutOfSpace(coded(code)), code)
  for (const code of ['SQLITE_IOERR_WRITE', 'SQLITE_CORRUPT', 'SQLITE_BUSY', 'EACCES']) t.notOk(isOutOfSpace(coded(code)), code)
  t.notOk(isOutOfSpace(new Error('no code')))
  t.notOk(isOutOfSpace(null))
  t.notOk(isOutOfSpace(Object.assign(new Error('x'), { code: 28 })), 'a numeric code is no sign')
  // another I/O error counts only where the file system has no byte left: here it has some
  const here = join(t.testdir(), 'ledger.sqlite')
  t.ok((freeSpace(here)?.available ?? 0) > 0)
  t.notOk(isOutOfSpace(coded('SQLITE_IOERR_FSYNC'), here))
  t.equal(freeSpace('/no/such/directory/ledger.sqlite'), undefined, 'no figures for a directory that is not there')
})

t.test('the message names the file, the figures and what needed the space, and says nothing is lost', async (t) => {
  const path = join(t.testdir(), 'ledger.sqlite')
  const error = storeFull(path, 'bring its read models up to date', coded('SQLITE_FULL'))
  t.ok(error instanceof LedgerError)
  t.equal(error.code, 'store_full')
  t.match(error.message, `the file system holding ${path} has no space left (`)
  t.match(error.message, /\((\d+ (KiB|MiB)) free of \d+ (KiB|MiB)\) to bring its read models up to date \("says SQLITE_FULL"\)\./)
  t.match(error.message, /The store is not damaged and nothing acknowledged was lost: free space on that file system, or grow it, then try again\.$/)
  const ours = storeFull('/no/such/directory/ledger.sqlite', 'write the batch after line 10', new LedgerError('store_full', 'the store has no space left'))
  t.equal(ours.message.split('. ')[0], 'the file system holding /no/such/directory/ledger.sqlite has no space left to write the batch after line 10', 'no figures where there are none, and not our own words twice')
})
