import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { LedgerError } from '../../errors.js'
import { sendProblem, toLedgerError } from '../problems.js'

/**
 * Every error is an RFC 9457 problem: whatever a handler or fastify throws goes through the one table in
 * problems.ts; a failure of ours is logged with its stack and answered without it.
 */
export const problemHandlers = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error, request, reply) => {
      const ledgerError = toLedgerError(error as Error, request)
      if (ledgerError.code === 'internal' || ledgerError.code === 'partial_append') {
        request.log.error({ err: error }, 'request failed')
      }
      if (ledgerError.code === 'store_damaged') {
        request.log.error(
          { err: error },
          'the store file is damaged (SQLite found a bad page): keep a copy of it as it is, run `policy-ledger verify` on the copy, and restore the store from a backup (README "Backup and restore")',
        )
      }
      if (ledgerError.code === 'store_full') {
        request.log.warn(
          { err: error },
          "the store's disk is full: the write was refused (507) and nothing of it written; writes succeed again once there is space",
        )
      }
      // the rate limiter has set its own Retry-After (in seconds until the window resets)
      if (ledgerError.code !== 'rate_limited' && ledgerError.extra.retryAfter !== undefined) {
        reply.header('Retry-After', String(ledgerError.extra.retryAfter))
      }
      return sendProblem(reply, ledgerError)
    })
    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        reply,
        new LedgerError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
      ),
    )
  },
  { name: 'problem-handlers' },
)
