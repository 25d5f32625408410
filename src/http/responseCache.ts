import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Validators } from './answerValidators.js'

/** A kept answer: its bytes and the headers that go with them, computed once when it was kept. */
export interface CachedAnswer {
  body: Buffer
  etag: string | undefined
  cacheControl: string | undefined
  lastModified: string | undefined
}

/**
 * Serialised answers of the read routes, by URL, for as long as the ledger has not moved and the day
 * (the default asOf) has not changed. A read is a pure function of (URL, applied position, today), so
 * a hit is exactly what computing the answer again would give. Bounded in entries and in bytes, least
 * recently used first out; an answer bigger than the whole budget is sent but not kept.
 */
export interface ResponseCache {
  /** Answers from the cache, or computes, keeps and answers. */
  send(request: FastifyRequest, reply: FastifyReply, compute: () => unknown | Promise<unknown>): Promise<FastifyReply>
  /** The kept answer for this URL, if the ledger and the day are unchanged since it was kept. */
  lookup(url: string): CachedAnswer | undefined
  /** Bytes of the bodies kept now. */
  readonly bytes: number
}

export const JSON_TYPE = 'application/json; charset=utf-8'

export interface ResponseCacheOptions {
  /** Changes whenever any kept answer could: the applied position and today. */
  generation: () => string
  /** The answer's ETag and Cache-Control (answerValidators.ts); none in a bare unit test. */
  validators?: (request: FastifyRequest) => Validators
  /** Last-Modified of an answer computed at this ledger position: when it was recorded. */
  recordedAt?: (position: number) => Promise<string | undefined>
  maxEntries?: number
  maxBytes?: number
}

/** Sets the headers a kept answer carries, on a hit and on the answer that filled it. */
export function answerHeaders(reply: FastifyReply, answer: CachedAnswer): FastifyReply {
  if (answer.etag !== undefined) reply.header('ETag', answer.etag)
  if (answer.cacheControl !== undefined) reply.header('Cache-Control', answer.cacheControl)
  if (answer.lastModified !== undefined) reply.header('Last-Modified', answer.lastModified)
  return reply.type(JSON_TYPE)
}

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { generation: generationOf, maxEntries = 2_000, maxBytes = 67_108_864 } = options
  const entries = new Map<string, CachedAnswer>()
  let bytes = 0
  let generation = ''
  const current = (): void => {
    const now = generationOf()
    if (now !== generation) {
      entries.clear()
      bytes = 0
      generation = now
    }
  }
  const evict = (url: string): void => {
    const answer = entries.get(url)
    if (answer === undefined) return
    entries.delete(url)
    bytes -= answer.body.length
  }
  const lastModifiedOf = async (answer: unknown): Promise<string | undefined> => {
    const position = (answer as { knownAtPosition?: unknown } | null)?.knownAtPosition
    if (typeof position !== 'number' || options.recordedAt === undefined) return undefined
    const recordedAt = await options.recordedAt(position)
    return recordedAt === undefined ? undefined : new Date(recordedAt).toUTCString()
  }
  return {
    get bytes() {
      return bytes
    },
    lookup(url) {
      current()
      return entries.get(url)
    },
    async send(request, reply, compute) {
      current()
      const kept = entries.get(request.url)
      if (kept !== undefined) {
        // refresh its place: the map's order is the eviction order
        entries.delete(request.url)
        entries.set(request.url, kept)
        return answerHeaders(reply, kept).send(kept.body)
      }
      const started = generation
      const validators = options.validators?.(request)
      const result = await compute()
      const answer: CachedAnswer = {
        body: Buffer.from(JSON.stringify(result)),
        etag: validators?.etag,
        cacheControl: validators?.cacheControl,
        lastModified: await lastModifiedOf(result),
      }
      if (generationOf() === started && answer.body.length <= maxBytes) {
        evict(request.url)
        while (entries.size >= maxEntries || (entries.size > 0 && bytes + answer.body.length > maxBytes)) {
          evict(entries.keys().next().value!)
        }
        entries.set(request.url, answer)
        bytes += answer.body.length
      }
      return answerHeaders(reply, answer).send(answer.body)
    },
  }
}
