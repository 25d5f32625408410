import { fastifySSE } from '@fastify/sse'
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { LedgerReader } from '../../readModels/ledgerReader.js'
import type { EventStore } from '../../stores/eventStore.js'
import { LedgerError } from '../../errors.js'
import { streamExample } from '../answerExamples.js'
import { todayUtc } from '../../readModels/knownAt.js'

/**
 * `GET /changes/stream`: Server-Sent Events, one message per committed write, `id:` its last position
 * and `data:` what `GET /changes?since=<previous id>` answers for it. `Last-Event-ID` (or `?since=`)
 * resumes exactly after that position: the writes since are found from the signed checkpoints, one a
 * commit, and sent first. A comment every 15 s keeps proxies from closing the connection. A consumer
 * more than `MAX_BEHIND` messages behind is closed after a `retry:` line instead of being buffered
 * without bound, and at most `maxStreams` streams are open at once.
 */

export interface ChangeStreamDeps {
  reader: Pick<LedgerReader, 'changesSince'>
  runner: { readonly size: number; onAdvance(listener: (from: number, to: number) => void): () => void }
  /** The tree sizes of the kept checkpoints after a position: one a commit. */
  commitsAfter(position: number, limit: number): number[]
  store: Pick<EventStore, 'head'>
  clock: () => Date
  maxStreams: number
  /** How often a comment keeps an idle stream open, ms. */
  heartbeatMs?: number
  /** Messages a consumer may fall behind before it is closed. */
  maxBehind?: number
}

export const MAX_BEHIND = 1_000
const RECONNECT_MS = 5_000

export interface Message {
  id: string
  event: 'changes'
  data: unknown
}

/**
 * One stream's outbox: messages are sent one at a time, each after the last was taken by the socket
 * (send resolves on drain); a consumer that lets more than `maxBehind` pile up is told to come back
 * later (`retry:`) and closed, rather than buffered without bound.
 */
export class Outbox {
  private readonly queue: Message[] = []
  private wake: (() => void) | undefined
  private closed = false

  constructor(
    private readonly send: (message: Message) => Promise<void>,
    private readonly giveUp: (retryMs: number) => void,
    private readonly maxBehind = MAX_BEHIND,
  ) {}

  get pending(): number {
    return this.queue.length
  }

  push(message: Message): void {
    this.queue.push(message)
    this.wake?.()
  }

  close(): void {
    this.closed = true
    this.wake?.()
  }

  async run(): Promise<void> {
    while (!this.closed) {
      if (this.queue.length > this.maxBehind) {
        this.closed = true
        this.giveUp(RECONNECT_MS)
        return
      }
      const message = this.queue.shift()
      if (message === undefined) {
        await new Promise<void>((resolve) => (this.wake = resolve))
        this.wake = undefined
        continue
      }
      try {
        await this.send(message)
      } catch {
        return
      }
    }
  }
}

export function changeStreamRoutes(context: ChangeStreamDeps): FastifyPluginAsync {
  return async (fastify) => {
    await fastify.register(fastifySSE, { heartbeatInterval: context.heartbeatMs ?? 15_000 })
    let open = 0

    /** The message for the commit that took the log from `from` to `to` events. */
    const messageFor = (from: number, to: number): Message => ({
      id: String(to - 1),
      event: 'changes',
      data: { since: from - 1, knownAtPosition: to - 1, changes: context.reader.changesSince(from - 1, to - 1, todayUtc(context.clock)) },
    })

    fastify.get(
      '/changes/stream',
      {
        sse: 'only',
        config: {
          conditional: false,
          problems: ['invalid_request', 'not_yet_applied', 'overloaded'],
          answers: {
            description: 'A text/event-stream that stays open: one message a committed write. The example is what a write at position 55 sends that made Seattle welcoming.',
            examples: { 'text/event-stream': streamExample },
          },
        },
        schema: {
          operationId: 'streamChanges',
          summary: 'Server-Sent Events: what each committed write changed, live',
          description:
            'Each message is one committed write: `id` its last position, `event: changes`, `data` the JSON of `GET /changes?since=<previous id>` for it. `Last-Event-ID` or `?since=` resumes exactly after that position; without either the stream starts with the next write. A comment line every 15 s; a consumer too far behind is closed after a `retry:` line.',
          tags: ['stances'],
          querystring: z.strictObject({
            since: z.coerce.number().int().min(-1).max(Number.MAX_SAFE_INTEGER).optional().meta({ description: 'resume after this position (as Last-Event-ID does); -1 for the whole ledger', examples: [54] }),
          }),
        },
      },
      async (request, reply) => {
        const header = request.headers['last-event-id']
        const asked = typeof header === 'string' && header.trim() !== '' ? header.trim() : (request.query as { since?: number }).since
        const since = asked === undefined ? undefined : Number(asked)
        if (since !== undefined && (!Number.isSafeInteger(since) || since < -1)) {
          throw new LedgerError('invalid_request', 'Last-Event-ID: expected a position (digits), as an earlier message’s id gave it')
        }
        if (since !== undefined && since >= context.runner.size) {
          const head = await context.store.head()
          if (since < head) throw new LedgerError('not_yet_applied', `position ${since} is in the store but this replica has not applied it yet`, { retryAfter: 1 })
          throw new LedgerError('invalid_request', `Last-Event-ID ${since} is beyond the ledger's last position (${head - 1})`)
        }
        if (open >= context.maxStreams) {
          throw new LedgerError('overloaded', `at most ${context.maxStreams} change streams at once (LEDGER_MAX_STREAMS); retry shortly`, { retryAfter: 5 })
        }
        open += 1
        const maxBehind = context.maxBehind ?? MAX_BEHIND
        const outbox = new Outbox(
          (message) => reply.sse.send(message),
          (retryMs) => {
            // too far behind to catch up by buffering: it may come back with Last-Event-ID
            reply.raw.write(`retry: ${retryMs}\n\n`)
            reply.sse.close()
          },
          maxBehind,
        )
        let sentUpTo = since ?? context.runner.size - 1
        // the writes this client missed: one message a commit, from the checkpoints signed for them
        if (since !== undefined) {
          let from = since + 1
          while (from < context.runner.size && outbox.pending <= maxBehind) {
            const sizes = context.commitsAfter(from, maxBehind + 1).filter((size) => size <= context.runner.size)
            if (sizes.length === 0) break
            for (const size of sizes) {
              outbox.push(messageFor(from, size))
              from = size
            }
          }
          sentUpTo = from - 1
        }
        const stop = context.runner.onAdvance((from, to) => {
          if (to - 1 <= sentUpTo) return
          outbox.push(messageFor(Math.max(from, sentUpTo + 1), to))
          sentUpTo = to - 1
        })
        reply.sse.keepAlive()
        reply.sse.onClose(() => {
          stop()
          open -= 1
          outbox.close()
        })
        // the headers go now: a client sees the stream open before the first write
        reply.sse.sendHeaders()
        // writeHead only keeps them until the first write: flushed, EventSource fires `open` at once
        reply.raw.flushHeaders()
        void outbox.run()
      },
    )
  }
}
