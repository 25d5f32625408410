import type { LedgerEvent } from '../../events/index.js'
import type { ExpectedRevision } from './expectedRevision.js'

/** One event of a write request after schema validation, with its id assigned. */
export type ProposedEvent = LedgerEvent & {
  id: string
  /** As sent; only allowed on a stream's first event in the request. Omitted means `any`. */
  expectedRevision?: ExpectedRevision
}
