import compress from '@fastify/compress'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * JSON (problem+json too), NDJSON, Atom, CSV, HTML and the metrics' text; never an event stream, which
 * a compressor would hold back until a block fills.
 */
const compressible =
  /^(?:application\/(?:json|problem\+json|x-ndjson|atom\+xml|javascript)|text\/(?:html|csv|plain|css|javascript))(?:;|$)/

/**
 * br or gzip, as the client prefers, for answers above 1 KiB (smaller ones gain less than the headers
 * cost). Request bodies are not inflated: a write is the JSON it says it is.
 */
export const compression = fp(
  async (app: FastifyInstance) => {
    await app.register(compress, {
      encodings: ['br', 'gzip'],
      threshold: 1_024,
      customTypes: compressible,
      globalDecompression: false,
    })
  },
  { name: 'compression' },
)
