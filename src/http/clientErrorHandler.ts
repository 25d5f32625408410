import type { Socket } from 'node:net'
import { LedgerError } from '../errors.js'
import { problemOf } from './problems.js'

/**
 * What Node finds wrong with a connection before any route sees a request: headers or a body that
 * did not arrive in time (the timeouts in app.ts), headers over the size limit, bytes that are not
 * HTTP. Answered as a problem, like every other error (fastify's own handler answers plain JSON),
 * then the connection is closed.
 */
function toLedgerError(error: Error & { code?: string }): LedgerError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new LedgerError(
        'request_timeout',
        'the request did not arrive in time: its headers must arrive within 10 s, and the whole request within 30 s',
      )
    case 'HPE_HEADER_OVERFLOW':
      return new LedgerError('headers_too_large', 'the request headers are over 16 KiB')
    default:
      return new LedgerError('invalid_request', 'the request is not valid HTTP/1.1')
  }
}

export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // a reset connection has nobody to answer
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  if (socket.writable) {
    const problem = problemOf(toLedgerError(error))
    const body = JSON.stringify(problem)
    socket.write(
      `HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(error)
}
