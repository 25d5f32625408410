import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { jsonSchemaTransform } from 'fastify-type-provider-zod'
import type { ErrorCode } from '../../errors.js'
import { completeDocument, openApiPath, type RouteNotes, type TextAnswers } from '../openApiDocument.js'

export interface OpenApiOptions {
  /** Whether reads need a token: the document says so per operation. */
  readsArePrivate: boolean
}

/** OpenAPI 3.1 generated from the route schemas, at /openapi.json and (Swagger UI) /docs. */
export const openApi = fp<OpenApiOptions>(
  async (app: FastifyInstance, { readsArePrivate }) => {
    const notes = new Map<string, RouteNotes>()
    app.addHook('onRoute', ({ method, url, config, schema }) => {
      const validatesInput =
        schema?.params !== undefined ||
        schema?.querystring !== undefined ||
        schema?.body !== undefined
      for (const one of [method].flat())
        notes.set(`${one} ${openApiPath(url)}`, { ...config, validatesInput })
    })
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'policy-ledger',
          version: '1.0.0',
          description:
            'A verifiable, bitemporal, event-sourced ledger of public policy stances. Valid time is `asOf`; record time is `knownAt` (a position, an RFC 3339 timestamp or a date). Errors are RFC 9457 problem details. Every GET answer has a strong ETag (revalidate with If-None-Match for a 304); answers that pin both clocks are immutable.',
          license: { name: 'MIT', identifier: 'MIT' },
        },
        servers: [{ url: '/', description: 'this service' }],
        components: {
          securitySchemes: {
            bearer: {
              type: 'http',
              scheme: 'bearer',
              description: 'a token from LEDGER_TOKENS (writes) or LEDGER_READ_TOKENS (reads)',
            },
          },
        },
        tags: [
          { name: 'stances', description: 'current and as-of stances, history' },
          { name: 'events', description: 'the event feed and writes' },
          { name: 'ledger', description: 'the verifiable log: checkpoints, entries, proofs' },
          { name: 'service', description: 'health, readiness, metrics and the problem types' },
        ],
      },
      transform: jsonSchemaTransform,
      transformObject: (generated) =>
        'openapiObject' in generated
          ? completeDocument(generated.openapiObject, notes, { readsArePrivate })
          : generated.swaggerObject,
    })
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  },
  { name: 'openapi' },
)

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The problems this route raises beyond those every route can (openApiDocument.ts adds those). */
    problems?: readonly ErrorCode[]
    /** A body that is not JSON (a feed, a stream, a table): its media types, each with an example. */
    answers?: TextAnswers
  }
}
