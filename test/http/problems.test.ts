import t from 'tap'
import type { FastifyRequest } from 'fastify'
import { problemOf, toLedgerError } from '../../src/http/problems.js'

t.test('a damaged page met by a request is a 503 store_damaged that names no file', async (t) => {
  const request = { routeOptions: {} } as FastifyRequest
  const corrupt = Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' })
  const error = toLedgerError(corrupt, request)
  t.equal(error.code, 'store_damaged')
  t.notMatch(error.message, /\//, 'no path in what a client is told')
  const other = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_READ' })
  t.equal(toLedgerError(other, request).code, 'internal', 'any other SQLite error stays internal')
  t.equal(problemOf(error).status, 503)
})
