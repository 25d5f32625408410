import { Negotiator } from '@fastify/accept-negotiator'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type { Validators } from './answerValidators.js'
import { addVary } from './vary.js'

/** A kept answer: its bytes and the headers that go with them, computed once when it was kept. */
export interface CachedAnswer {
  body: Buffer
  type: string
  etag: string | undefined
  cacheControl: string | undefined
  lastModified: string | undefined
  /** The body compressed, per coding, made the first time a client asks for it (counted in bytes). */
  encoded: { br?: Buffer; gzip?: Buffer }
}

/** As @fastify/compress does for everything else (plugins/compression.ts): br q4 or gzip, above 1 KiB. */
const COMPRESS_ABOVE = 1_024
const codings = new Negotiator<'br' | 'gzip'>({ supportedValues: ['br', 'gzip'] })
const compressors = {
  br: (body: Buffer) =>
    brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }),
  gzip: (body: Buffer) => gzipSync(body),
}

/**
 * Serialised answers of the read routes, by URL, for as long as the ledger has not moved and the day
 * (the default asOf) has not changed. A read is a pure function of (URL, applied position, today), so
 * a hit is exactly what computing the answer again would give. Bounded in entries and in bytes, least
 * recently used first out; an answer bigger than the whole budget is sent but not kept.
 */
export interface ResponseCache {
  /**
   * Answers from the cache, or computes, keeps and answers. `compute` gives a value to send as JSON,
   * or, with another media type (an Atom feed, CSV), the representation's text itself.
   */
  send(
    request: FastifyRequest,
    reply: FastifyReply,
    compute: () => unknown | Promise<unknown>,
    type?: string,
  ): Promise<FastifyReply>
  /** The kept answer for this URL, if the ledger and the day are unchanged since it was kept. */
  lookup(url: string): CachedAnswer | undefined
  /** Sends a kept answer with its headers, compressed as the request accepts. */
  sendAnswer(request: FastifyRequest, reply: FastifyReply, answer: CachedAnswer): FastifyReply
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
  return reply.type(answer.type)
}

/**
 * The bytes to send for this request: compressed once per coding and kept with the answer, so a hit
 * stays a lookup (@fastify/compress passes a body that already has a Content-Encoding through; the
 * validators plugin adds the coding to the ETag). `made` is set when it was compressed just now.
 */
function encodedFor(
  request: FastifyRequest,
  reply: FastifyReply,
  answer: CachedAnswer,
): { payload: Buffer; made?: 'br' | 'gzip' } {
  const accept = request.headers['accept-encoding']
  if (answer.body.length < COMPRESS_ABOVE || accept === undefined) return { payload: answer.body }
  const coding = codings.negotiate(accept)
  if (coding === null) return { payload: answer.body }
  reply.header('Content-Encoding', coding)
  addVary(reply, 'Accept-Encoding')
  const kept = answer.encoded[coding]
  if (kept !== undefined) return { payload: kept }
  return { payload: compressors[coding](answer.body), made: coding }
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
  const sizeOf = (answer: CachedAnswer): number =>
    answer.body.length + (answer.encoded.br?.length ?? 0) + (answer.encoded.gzip?.length ?? 0)
  const evict = (url: string): void => {
    const answer = entries.get(url)
    if (answer === undefined) return
    entries.delete(url)
    bytes -= sizeOf(answer)
  }
  /** Makes room for `more` bytes (and an entry), least recently used first, never evicting `keep`. */
  const fit = (more: number, keep: string, newEntry: boolean): boolean => {
    for (const url of entries.keys()) {
      if (bytes + more <= maxBytes && (!newEntry || entries.size < maxEntries)) break
      if (url !== keep) evict(url)
    }
    return bytes + more <= maxBytes
  }
  const sendAnswer = (
    request: FastifyRequest,
    reply: FastifyReply,
    answer: CachedAnswer,
  ): FastifyReply => {
    const { payload, made } = encodedFor(request, reply, answer)
    if (
      made !== undefined &&
      entries.get(request.url) === answer &&
      fit(payload.length, request.url, false)
    ) {
      answer.encoded[made] = payload
      bytes += payload.length
    }
    return answerHeaders(reply, answer).send(payload)
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
    sendAnswer,
    async send(request, reply, compute, type = JSON_TYPE) {
      current()
      const kept = entries.get(request.url)
      if (kept !== undefined) {
        // refresh its place: the map's order is the eviction order
        entries.delete(request.url)
        entries.set(request.url, kept)
        return sendAnswer(request, reply, kept)
      }
      const started = generation
      const validators = options.validators?.(request)
      const result = await compute()
      const answer: CachedAnswer = {
        body: Buffer.from(type === JSON_TYPE ? JSON.stringify(result) : String(result)),
        type,
        etag: validators?.etag,
        cacheControl: validators?.cacheControl,
        lastModified: await lastModifiedOf(result),
        encoded: {},
      }
      if (generationOf() === started && answer.body.length <= maxBytes) {
        evict(request.url)
        fit(answer.body.length, request.url, true)
        entries.set(request.url, answer)
        bytes += answer.body.length
      }
      return sendAnswer(request, reply, answer)
    },
  }
}
