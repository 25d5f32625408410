import { z } from 'zod'
import type { ErrorCode } from '../errors.js'
import { problemCatalogue } from './problems.js'
import { Problem } from './schemas.js'

/** A 200 whose body is text in other media types than JSON: what it is, and an example of each. */
export interface TextAnswers {
  description: string
  examples: Readonly<Record<string, string>>
}

/** What the document needs to know of a route beyond its schema (its `config`). */
export interface RouteNotes {
  problems?: readonly ErrorCode[]
  answers?: TextAnswers
  cacheable?: boolean
  conditional?: false
  validatesInput: boolean
}

/** Routes a client reaches without a token whatever the configuration (readAuth.ts). */
const openPaths = new Set(['/health', '/ready', '/problems', '/problems/{type}'])

/** Problems any route can answer: a failure of ours, overload, or a shutdown in progress. */
const everywhere: ErrorCode[] = ['internal', 'overloaded', 'not_ready']

type Operation = {
  parameters?: unknown[]
  responses: Record<string, unknown>
  security?: unknown[]
}
type Document = {
  paths?: Record<string, Record<string, Operation>>
  components?: Record<string, Record<string, unknown>>
  [key: string]: unknown
}

const header = (description: string, schema: object = { type: 'string' }) => ({
  description,
  schema,
})

const components = {
  schemas: { Problem: z.toJSONSchema(Problem, { target: 'draft-2020-12' }) },
  headers: {
    ETag: header('A strong entity tag of this answer: send it back in If-None-Match to revalidate'),
    CacheControl: header(
      '`public, max-age=31536000, immutable` (`private` with read tokens) when the request pins every clock its answer depends on; otherwise `no-cache`: revalidate with the ETag',
    ),
    LastModified: header('When the event at the answer’s knownAtPosition was recorded'),
    RetryAfter: header('Seconds to wait before retrying', { type: 'integer' }),
    WWWAuthenticate: header('`Bearer realm="policy-ledger"`'),
  },
  parameters: {
    IfNoneMatch: {
      name: 'If-None-Match',
      in: 'header',
      required: false,
      description: 'The ETag of an answer you hold: a 304 with no body if it is still current',
      schema: { type: 'string' },
    },
  },
  responses: {
    NotModified: {
      description: 'Not Modified: the answer is the one whose ETag was sent in If-None-Match',
      headers: {
        ETag: { $ref: '#/components/headers/ETag' },
        'Cache-Control': { $ref: '#/components/headers/CacheControl' },
      },
    },
  },
}

function problemResponses(codes: Iterable<ErrorCode>): Record<string, unknown> {
  const catalogue = new Map(problemCatalogue().map((entry) => [entry.code, entry]))
  const byStatus = new Map<number, string[]>()
  for (const code of new Set(codes)) {
    const entry = catalogue.get(code)!
    byStatus.set(entry.status, [
      ...(byStatus.get(entry.status) ?? []),
      `\`${entry.type}\`: ${entry.title}`,
    ])
  }
  const responses: Record<string, unknown> = {}
  for (const [status, types] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: Record<string, unknown> = {}
    if (status === 401)
      headers['WWW-Authenticate'] = { $ref: '#/components/headers/WWWAuthenticate' }
    if (status === 429 || status === 503)
      headers['Retry-After'] = { $ref: '#/components/headers/RetryAfter' }
    responses[String(status)] = {
      description: `RFC 9457 problem details; \`type\` is one of: ${types.join('; ')}`,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    }
  }
  return responses
}

/**
 * Completes the generated document for client generators: who needs a token, every problem each
 * operation can answer (one problem+json schema), the validators and 304s of GETs, servers, license.
 */
export function completeDocument<D extends object>(
  generated: D,
  notes: ReadonlyMap<string, RouteNotes>,
  options: { readsArePrivate: boolean },
): D {
  // the generator's types describe every OpenAPI shape; this one is ours (3.1, as generated)
  const document = generated as Document
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const note = notes.get(`${method.toUpperCase()} ${path}`)
      if (note === undefined) continue
      const open = openPaths.has(path)
      const write = method !== 'get'
      operation.security ??= write || (options.readsArePrivate && !open) ? [{ bearer: [] }] : []
      const codes: ErrorCode[] = [...(note.problems ?? []), ...everywhere]
      if (note.validatesInput) codes.push('invalid_request')
      if (options.readsArePrivate && !open && !write) codes.push('unauthorized')
      Object.assign(operation.responses, problemResponses(codes))
      if (note.answers !== undefined) {
        const { description, examples } = note.answers
        operation.responses['200'] = {
          description,
          content: Object.fromEntries(Object.entries(examples).map(([type, example]) => [type, { schema: { type: 'string' }, example }])),
        }
      }
      if (write || note.conditional === false) continue
      operation.parameters = [
        ...(operation.parameters ?? []),
        { $ref: '#/components/parameters/IfNoneMatch' },
      ]
      operation.responses['304'] = { $ref: '#/components/responses/NotModified' }
      const ok = operation.responses['200'] as { headers?: Record<string, unknown> } | undefined
      if (ok !== undefined) {
        ok.headers = {
          ...ok.headers,
          ETag: { $ref: '#/components/headers/ETag' },
          'Cache-Control': { $ref: '#/components/headers/CacheControl' },
          ...(note.cacheable === true
            ? { 'Last-Modified': { $ref: '#/components/headers/LastModified' } }
            : {}),
        }
      }
    }
  }
  const merged: Record<string, Record<string, unknown>> = { ...document.components }
  for (const [kind, entries] of Object.entries(components))
    merged[kind] = { ...merged[kind], ...entries }
  return { ...document, components: merged } as D
}

/** `/jurisdictions/:id` as OpenAPI writes it: `/jurisdictions/{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}
