import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { getHeapStatistics } from 'node:v8'
import { LedgerError } from '../../errors.js'
import { sendProblem } from '../problems.js'

/** Under overload, shed load with a 503 and Retry-After instead of queueing without bound. */
export const loadShedding = fp(
  async (app: FastifyInstance) => {
    await app.register(underPressure, {
      // a second's event-loop delay means requests queue faster than they are served; a heap near its
      // limit means the next burst would crash the process. Full utilisation alone is just a busy server.
      maxEventLoopDelay: 1_000,
      maxHeapUsedBytes: Math.floor(getHeapStatistics().heap_size_limit * 0.85),
      retryAfter: 5,
      pressureHandler: (_request, reply, type) => {
        reply.header('Retry-After', '5')
        void sendProblem(
          reply,
          new LedgerError('overloaded', `the service is overloaded (${type}); retry shortly`),
        )
      },
    })
  },
  { name: 'load-shedding' },
)
