import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { jsonSchemaTransform } from 'fastify-type-provider-zod'

/** OpenAPI 3.1 generated from the route schemas, at /openapi.json and (Swagger UI) /docs. */
export const openApi = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'policy-ledger',
          version: '1.0.0',
          description:
            'A verifiable, bitemporal, event-sourced ledger of public policy stances. Valid time is `asOf`; record time is `knownAt` (a position, an RFC 3339 timestamp or a date). Errors are RFC 9457 problem details.',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        tags: [
          { name: 'stances', description: 'current and as-of stances, history' },
          { name: 'events', description: 'the event feed and writes' },
          { name: 'ledger', description: 'the verifiable log: checkpoints, entries, proofs' },
          { name: 'service', description: 'health and readiness' },
        ],
      },
      transform: jsonSchemaTransform,
    })
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  },
  { name: 'openapi' },
)
