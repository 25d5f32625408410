import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { LedgerError, type ErrorCode, type ErrorDetail } from '../errors.js'
import { isDamaged } from '../stores/openSqliteFile.js'
import { isStoreUnavailable } from '../stores/storeUnavailable.js'

/**
 * The one table from a domain error's code to its HTTP status and title. Answers are RFC 9457 problem
 * details; `type` is a stable URI per code.
 */
const table: Record<ErrorCode, { status: number; title: string }> = {
  invalid_request: { status: 400, title: 'The request is not valid' },
  expected_revision_misplaced: { status: 400, title: 'expectedRevision may stand only on a stream’s first event' },
  invalid_string: { status: 400, title: 'A string is not valid Unicode' },
  body_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The request body must be application/json' },
  invalid_known_at: { status: 400, title: 'knownAt names a position no store has' },
  invalid_tree_size: { status: 400, title: 'The tree size is not possible' },
  invalid_cursor: { status: 400, title: 'The cursor is not one of this list' },
  request_timeout: { status: 408, title: 'Request Timeout' },
  headers_too_large: { status: 431, title: 'Request Header Fields Too Large' },
  unauthorized: { status: 401, title: 'A valid bearer token is required' },
  forbidden: { status: 403, title: 'This token may not do that' },
  writes_disabled: { status: 403, title: 'Writes are disabled' },
  rate_limited: { status: 429, title: 'Too many write requests' },
  not_found: { status: 404, title: 'Not found' },
  wrong_expected_revision: { status: 409, title: 'The stream is not at the expected revision' },
  idempotency_conflict: { status: 409, title: 'The event id is already used for other content' },
  partial_append: { status: 503, title: 'The request was only partly written: retry it with the same ids' },
  duplicate_event_id: { status: 409, title: 'A concurrent write stored one of these event ids first' },
  jurisdiction_not_registered: { status: 422, title: 'The jurisdiction is not registered' },
  source_not_registered: { status: 422, title: 'The source is not registered' },
  parent_not_registered: { status: 422, title: 'The parent jurisdiction is not registered' },
  via_not_registered: { status: 422, title: 'The reporting source (via) is not registered' },
  evidence_source_not_registered: { status: 422, title: 'The evidence source is not registered' },
  already_registered: { status: 422, title: 'Already registered' },
  policy_already_enacted: { status: 422, title: 'The policy is already enacted' },
  policy_not_enacted: { status: 422, title: 'The policy is not enacted' },
  claim_not_found: { status: 422, title: 'The claim does not exist' },
  claim_jurisdiction_mismatch: { status: 422, title: 'The claim belongs to another jurisdiction' },
  claim_retracted: { status: 422, title: 'The claim is retracted' },
  quote_not_found: { status: 422, title: 'The quote is not in the archived source' },
  content_hash_mismatch: { status: 422, title: 'contentSha256 does not match the content' },
  unknown_not_allowed: { status: 422, title: '"unknown" is not allowed here' },
  not_ready: { status: 503, title: 'Not ready' },
  overloaded: { status: 503, title: 'The service is overloaded' },
  not_yet_applied: { status: 503, title: 'This replica has not applied that position yet' },
  store_locked: { status: 503, title: 'The store is locked by another process' },
  store_unavailable: { status: 503, title: 'The event store cannot be reached' },
  store_full: { status: 507, title: 'The store has no space left' },
  read_models_stale: { status: 503, title: 'The read models are being rebuilt' },
  store_damaged: { status: 503, title: 'The store file is damaged' },
  store_not_a_ledger: { status: 503, title: 'The store file is not a policy-ledger store' },
  store_inaccessible: { status: 503, title: 'The store file cannot be opened' },
  store_durability: { status: 503, title: 'The store is not set up to keep acknowledged writes' },
  foreign_store_file: { status: 503, title: 'The store file was written by a newer policy-ledger' },
  corrupt_event: { status: 503, title: 'A stored event cannot be read' },
  corrupt_ledger_event: { status: 503, title: 'The store holds an event the ledger did not write' },
  internal: { status: 500, title: 'Internal error' },
}

export function statusOf(code: ErrorCode): number {
  return table[code].status
}

/** A relative URI (RFC 9457 §3.1.1) that this service resolves: GET /problems/<code> describes it. */
export function problemType(code: string): string {
  return `/problems/${code.replaceAll('_', '-')}`
}

/** Every problem type this service answers with, for GET /problems/:type. */
export function problemCatalogue(): Array<{ type: string; code: ErrorCode; title: string; status: number }> {
  return (Object.keys(table) as ErrorCode[]).map((code) => ({ type: problemType(code), code, ...table[code] }))
}

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  errors?: ErrorDetail[]
  [extra: string]: unknown
}

export function problemOf(error: LedgerError): Problem {
  const { status, title } = table[error.code]
  const detail = status >= 500 && error.code === 'internal' ? 'the server failed; the error is logged' : error.message
  return { type: problemType(error.code), title, status, detail, ...error.extra }
}

export function sendProblem(reply: FastifyReply, error: LedgerError): FastifyReply {
  const problem = problemOf(error)
  if (problem.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="policy-ledger"')
  return reply.code(problem.status).type('application/problem+json').send(problem)
}

/** JSON Pointer into the body; `?name` for a query parameter; `:name` for a path parameter. */
function pathIn(context: string | undefined, instancePath: string): string {
  if (context === 'querystring') return `?${instancePath.replace(/^\//, '').replaceAll('/', '.')}`
  if (context === 'params') return `:${instancePath.replace(/^\//, '')}`
  return instancePath === '/' ? '' : instancePath
}

/** Maps anything a handler or fastify throws to a LedgerError; unknown errors become `internal`. */
export function toLedgerError(error: FastifyError | Error, request: FastifyRequest): LedgerError {
  if (error instanceof LedgerError) return error
  const fastifyError = error as FastifyError & { validationContext?: string }
  if (hasZodFastifySchemaValidationErrors(fastifyError)) {
    const errors = fastifyError.validation.map((issue) => ({
      path: pathIn(fastifyError.validationContext, issue.instancePath),
      message: issue.message ?? 'is not valid',
    }))
    const first = errors[0]!
    const detail = `${first.path || 'the request'}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`
    return new LedgerError('invalid_request', detail, { errors })
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new LedgerError('body_too_large', `the body is over the limit of ${request.routeOptions.bodyLimit ?? 'the configured'} bytes (LEDGER_BODY_LIMIT)`)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new LedgerError('unsupported_media_type', 'send the body as application/json')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new LedgerError('invalid_request', fastifyError.message)
    case 'FST_ERR_RATE_LIMIT_EXCEEDED':
      return new LedgerError('rate_limited', fastifyError.message)
  }
  // the cluster is down or has no leader: the client may retry
  if (isStoreUnavailable(error)) {
    return new LedgerError('store_unavailable', 'the event store cannot be reached; retry shortly', { retryAfter: 2 })
  }
  // a damaged page of a store too large to read whole at start (src/stores/openSqliteFile.ts), met now
  if (isDamaged(error)) {
    return new LedgerError('store_damaged', 'the store file is damaged where this request read it; nothing was written, and the operator is told what to do in the log')
  }
  if (fastifyError.statusCode === 429) return new LedgerError('rate_limited', fastifyError.message)
  if (fastifyError instanceof SyntaxError || fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new LedgerError('invalid_request', `the body is not valid JSON: ${fastifyError.message}`)
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new LedgerError('invalid_request', fastifyError.message)
  }
  return new LedgerError('internal', 'the server failed')
}
