import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { LedgerError } from '../../errors.js'
import type { ProjectionRunner } from '../../runner/projectionRunner.js'
import { problemCatalogue, problemType } from '../problems.js'

export interface HealthRouteDeps {
  runner: Pick<ProjectionRunner, 'ready' | 'error' | 'size'>
}

export function healthRoutes(context: HealthRouteDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>()
    app.get(
      '/health',
      {
        schema: {
          operationId: 'getHealth',
          summary: 'Liveness',
          tags: ['service'],
          response: { 200: z.object({ status: z.literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    )
    app.get(
      '/problems',
      {
        schema: {
          operationId: 'listProblems',
          summary: 'Every problem type this service answers with',
          tags: ['service'],
        },
      },
      async () => ({ problems: problemCatalogue() }),
    )
    app.get(
      '/problems/:type',
      {
        config: { problems: ['not_found'] },
        schema: {
          operationId: 'getProblem',
          summary: 'One problem type',
          tags: ['service'],
          params: z.strictObject({ type: z.string().max(100) }),
        },
      },
      async (request) => {
        const problem = problemCatalogue().find(
          (entry) => entry.type === problemType(request.params.type.replaceAll('-', '_')),
        )
        if (problem === undefined)
          throw new LedgerError('not_found', `no problem type ${request.params.type}`)
        return problem
      },
    )
    app.get(
      '/ready',
      {
        schema: {
          operationId: 'getReady',
          summary: 'Readiness: projections caught up with the store (503 until then)',
          tags: ['service'],
        },
      },
      async (_request, reply) => {
        if (!context.runner.ready) {
          reply.header('Retry-After', '1')
          throw new LedgerError(
            'not_ready',
            context.runner.error === undefined
              ? 'projections are catching up with the store'
              : 'projections stopped: see the log',
          )
        }
        return { status: 'ready', position: context.runner.size - 1 }
      },
    )
  }
}
