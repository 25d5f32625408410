import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { LedgerError } from '../../errors.js'

/**
 * The API reads JSON only: any other body is a 415, not a string for the schema to reject. JSON must be
 * UTF-8 (RFC 8259), and fastify's own parser decodes leniently, so a body with invalid bytes was stored
 * with U+FFFD in their place: not the data as sent. Decode strictly, then parse with fastify's parser
 * (same __proto__ and constructor protection) (hardening fuzz test).
 */
export const strictJsonBody = fp(
  async (app: FastifyInstance) => {
    app.removeContentTypeParser('text/plain')
    const parseJsonText = app.getDefaultJsonParser('error', 'error')
    const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      let text: string
      try {
        text = strictUtf8.decode(body as Buffer)
      } catch {
        done(
          new LedgerError('invalid_request', 'the body is not valid UTF-8 (JSON must be UTF-8)'),
          undefined,
        )
        return
      }
      parseJsonText(request, text, done)
    })
  },
  { name: 'strict-json-body' },
)
