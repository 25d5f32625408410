import type { Projection } from './projection.js'

/**
 * Record time: `knownAt` as a timestamp means the longest prefix of the ledger whose `recordedAt` are
 * all at or before it. Only the positions where the running maximum of `recordedAt` rises are kept;
 * the prefix ends just before the first of them that is later than the timestamp.
 */

export interface RecordTimeTables {
  /** The running maximum so far, epoch ms; undefined on an empty ledger. */
  latest(): number | undefined
  /** From `position` on, the running maximum is `maxMs`. */
  rise(maxMs: number, position: number): void
}

export const recordTimeReadModel: Projection<RecordTimeTables> = {
  name: 'recordTime',
  version: 1,
  canHandle: () => true,
  evolve(tables, event) {
    const ms = Date.parse(event.metadata.recordedAt)
    const latest = tables.latest()
    if (latest === undefined || ms > latest) tables.rise(ms, event.position)
  },
}
