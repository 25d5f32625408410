import type { FastifyRequest } from 'fastify'
import { createHash } from 'node:crypto'
import type { KnownAt } from '../readModels/knownAt.js'
import { prefersHtml } from './pages/prefersHtml.js'

/** How a GET answer may be kept and revalidated. */
export interface Validators {
  /** A strong entity tag, quoted. */
  etag: string
  cacheControl: string
}

export const NO_CACHE = 'no-cache'

/**
 * The validators of a GET answer, from what determines it and nothing else, so they are known before
 * the answer is computed (and If-None-Match can skip computing it): the URL (route and query), the
 * representation (only `GET /` negotiates HTML), and, unless the request pins every clock the answer
 * depends on, the generation (the applied position, the latest checkpoint, today: the default asOf).
 * A pinned answer is the same forever, so its tag is too, and it may be kept for a year.
 */
export function answerValidators(options: { generation: () => string; readsArePrivate: boolean }) {
  // with read tokens, a shared cache must not hand one reader's copy to someone without a token
  const immutable = `${options.readsArePrivate ? 'private' : 'public'}, max-age=31536000, immutable`
  return (request: FastifyRequest): Validators => {
    const config = request.routeOptions.config
    const pinned = config.pinned?.(request) === true
    const representation =
      config.negotiatesHtml === true && prefersHtml(request.headers.accept) ? 'html' : ''
    const determinants = `${pinned ? 'pinned' : options.generation()}\n${representation}\n${request.url}`
    return {
      etag: `"${createHash('sha256').update(determinants).digest('base64url').slice(0, 27)}"`,
      cacheControl: pinned ? immutable : NO_CACHE,
    }
  }
}

export type AnswerValidators = ReturnType<typeof answerValidators>

/**
 * The tag in If-None-Match that matches `etag`, as the client sent it (weak comparison, RFC 9110
 * §13.1.2: a `W/` prefix and a content-coding suffix such as `-br` do not matter), or undefined.
 */
export function matchingTag(ifNoneMatch: string | undefined, etag: string): string | undefined {
  if (ifNoneMatch === undefined) return undefined
  if (ifNoneMatch.trim() === '*') return etag
  const opaque = etag.slice(1, -1)
  for (const item of ifNoneMatch.split(',')) {
    const tag = item.trim().replace(/^W\//, '')
    if (tag === etag || tag === `"${opaque}-br"` || tag === `"${opaque}-gzip"`) return tag
  }
  return undefined
}

/** A compressed body is another representation: its strong tag says which coding (RFC 9110 §8.8.3). */
export function encodedTag(etag: string, encoding: string): string {
  return `${etag.slice(0, -1)}-${encoding}"`
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The request pins every clock its answer depends on: the answer never changes (immutable). */
    pinned?: (request: FastifyRequest) => boolean
    /** The answer depends on Accept (HTML for a browser, JSON otherwise). */
    negotiatesHtml?: boolean
    /** Answers that change without the ledger moving (metrics, streams): no ETag, never kept. */
    conditional?: false
  }
}

/**
 * Whether a read names both clocks exactly: `knownAt` as a position and an explicit `asOf`. Its answer
 * is then the same forever, on any replica, so its validators make it immutable. A `knownAt`
 * timestamp is not enough: a later write may still be recorded before it.
 */
export function pinsBothClocks(request: { query: unknown }): boolean {
  const query = request.query as { asOf?: string; knownAt?: KnownAt }
  return query.asOf !== undefined && query.knownAt !== undefined && 'position' in query.knownAt
}
