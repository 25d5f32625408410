import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * Serialised answers of the read routes, by URL, for as long as the ledger has not moved and the day
 * (the default asOf) has not changed. A read is a pure function of (URL, applied position, today), so
 * a hit is exactly what computing the answer again would give. Bounded, least recently used first out.
 */
export interface ResponseCache {
  /** Answers from the cache, or computes, keeps and answers. */
  send(
    request: FastifyRequest,
    reply: FastifyReply,
    compute: () => unknown | Promise<unknown>,
  ): Promise<FastifyReply>
  /** The kept answer for this URL, if the ledger and the day are unchanged since it was kept. */
  lookup(url: string): string | undefined
}

export const JSON_TYPE = 'application/json; charset=utf-8'

export function createResponseCache(generationOf: () => string, maxEntries = 2_000): ResponseCache {
  const entries = new Map<string, string>()
  let generation = ''
  const current = (): void => {
    const now = generationOf()
    if (now !== generation) {
      entries.clear()
      generation = now
    }
  }
  return {
    lookup(url) {
      current()
      return entries.get(url)
    },
    async send(request, reply, compute) {
      current()
      let body = entries.get(request.url)
      if (body === undefined) {
        body = JSON.stringify(await compute())
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!)
        if (generationOf() === generation) entries.set(request.url, body)
      } else {
        // refresh its place: the map's order is the eviction order
        entries.delete(request.url)
        entries.set(request.url, body)
      }
      return reply.type(JSON_TYPE).send(body)
    },
  }
}
