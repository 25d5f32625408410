import t from 'tap'
import type { Socket } from 'node:net'
import { clientErrorHandler } from '../../src/http/clientErrorHandler.js'

/** Errors on a connection before any route: answered as problems, then the connection closes. */
function fakeSocket(state: { destroyed?: boolean; writable?: boolean } = {}) {
  const written: string[] = []
  let destroyedWith: unknown
  const socket = {
    destroyed: state.destroyed ?? false,
    writable: state.writable ?? true,
    write: (text: string) => written.push(text),
    destroy: (error: unknown) => (destroyedWith = error),
  }
  return { socket: socket as unknown as Socket, written, destroyedWith: () => destroyedWith }
}

const codeError = (code: string) => Object.assign(new Error(code), { code })

t.test(
  'a timeout, oversized headers and bad bytes: a problem each, then the connection closes',
  async (t) => {
    for (const [code, status, type] of [
      ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request-timeout'],
      ['HPE_HEADER_OVERFLOW', 431, 'headers-too-large'],
      ['HPE_INVALID_METHOD', 400, 'invalid-request'],
    ] as const) {
      const fake = fakeSocket()
      const error = codeError(code)
      clientErrorHandler(error, fake.socket)
      t.equal(fake.written.length, 1, `${code}: one answer`)
      const [head, body] = fake.written[0]!.split('\r\n\r\n') as [string, string]
      t.match(head, new RegExp(`^HTTP/1\\.1 ${status} `), `${code}: ${status}`)
      t.match(head, /\r\nContent-Type: application\/problem\+json; charset=utf-8\r\n/)
      t.match(head, `\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`, 'the length of the body')
      t.match(JSON.parse(body), { type: `/problems/${type}`, status })
      t.equal(fake.destroyedWith(), error, 'and the connection is closed')
    }
  },
)

t.test('a reset or closed connection gets nothing written', async (t) => {
  const reset = fakeSocket()
  clientErrorHandler(codeError('ECONNRESET'), reset.socket)
  t.same(reset.written, [])
  const gone = fakeSocket({ destroyed: true })
  clientErrorHandler(codeError('ERR_HTTP_REQUEST_TIMEOUT'), gone.socket)
  t.same(gone.written, [])
  const halfClosed = fakeSocket({ writable: false })
  const error = codeError('ERR_HTTP_REQUEST_TIMEOUT')
  clientErrorHandler(error, halfClosed.socket)
  t.same(halfClosed.written, [], 'not writable: nothing written')
  t.equal(halfClosed.destroyedWith(), error, 'but closed')
})
