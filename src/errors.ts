/**
 * Every error the ledger raises on purpose, declared once with a stable code: the domain's, the
 * transport's and the stores'. No HTTP status here: the HTTP layer's one table (src/http/problems.ts)
 * maps code -> status and problem type, and the CLI prints the message.
 */

/** The write model's rules (422), each with its own code: what `decide` refuses. */
export const ruleCodes = [
  'jurisdiction_not_registered',
  'source_not_registered',
  'parent_not_registered',
  'via_not_registered',
  'evidence_source_not_registered',
  'already_registered',
  'policy_already_enacted',
  'policy_not_enacted',
  'claim_not_found',
  'claim_jurisdiction_mismatch',
  'claim_retracted',
  'quote_not_found',
  'content_hash_mismatch',
  'unknown_not_allowed',
] as const

export type RuleCode = (typeof ruleCodes)[number]

export const errorCodes = [
  // the request itself
  'invalid_request',
  'expected_revision_misplaced',
  'invalid_string',
  'body_too_large',
  'unsupported_media_type',
  'invalid_known_at',
  'invalid_tree_size',
  'invalid_cursor',
  'request_timeout',
  'headers_too_large',
  // authentication
  'unauthorized',
  'forbidden',
  'writes_disabled',
  'rate_limited',
  // lookups
  'not_found',
  // concurrency and idempotency
  'wrong_expected_revision',
  'idempotency_conflict',
  'partial_append',
  'duplicate_event_id',
  ...ruleCodes,
  // the service
  'not_ready',
  'overloaded',
  'not_yet_applied',
  'store_locked',
  'store_unavailable',
  'store_full',
  'read_models_stale',
  // the store's file, found at start (src/stores/openSqliteFile.ts, src/stores/sqlite/ledgerFile.ts)
  'store_damaged',
  'store_not_a_ledger',
  'store_inaccessible',
  'store_durability',
  'foreign_store_file',
  // what the store holds cannot be read as the ledger's (src/runner, src/stores/esdb)
  'corrupt_event',
  'corrupt_ledger_event',
  'internal',
] as const

export type ErrorCode = (typeof errorCodes)[number]

export interface ErrorDetail {
  /** JSON Pointer into the request, e.g. `/events/2/data/quote`. */
  path: string
  message: string
}

export class LedgerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Where in the request, and further fields the answer carries (e.g. currentRevision). */
    readonly extra: { errors?: ErrorDetail[]; [key: string]: unknown } = {},
  ) {
    super(message)
    this.name = 'LedgerError'
  }
}
