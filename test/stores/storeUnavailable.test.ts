import t from 'tap'
import { Metadata } from '@grpc/grpc-js'
import { NotLeaderError, UnavailableError } from '@eventstore/db-client'
import { isStoreUnavailable } from '../../src/stores/storeUnavailable.js'

t.test('the ways EventStoreDB says "not reachable right now" are all recognised', async (t) => {
  t.ok(isStoreUnavailable(Object.assign(new Error('x'), { type: 'unavailable' })))
  t.ok(isStoreUnavailable(Object.assign(new Error('x'), { type: 'not-leader' })))
  t.ok(isStoreUnavailable(Object.assign(new Error('x'), { type: 'deadline-exceeded' })))
  t.ok(isStoreUnavailable(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, metadata: {} })))
  t.ok(isStoreUnavailable(new Error('Failed to discover after 10 attempts.')))
  // the client's own error classes carry the types recognised above
  const metadata = new Metadata()
  metadata.set('leader-endpoint-host', 'node2')
  metadata.set('leader-endpoint-port', '2113')
  const grpcError = (code: number) => Object.assign(new Error('down'), { code, details: 'down', metadata })
  t.ok(isStoreUnavailable(new UnavailableError(grpcError(14) as never)))
  t.ok(isStoreUnavailable(new NotLeaderError(grpcError(9) as never)))
})

t.test('other errors are not', async (t) => {
  t.notOk(isStoreUnavailable(new Error('boom')))
  t.notOk(isStoreUnavailable(Object.assign(new Error('x'), { code: 14 })), 'a numeric code alone is not a gRPC status')
  t.notOk(isStoreUnavailable(Object.assign(new Error('x'), { type: 'wrong-expected-version' })))
  t.notOk(isStoreUnavailable(null))
  t.notOk(isStoreUnavailable('unavailable'))
})
