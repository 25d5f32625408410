import type { Projection } from './projection.js'
import type { SourceRecord } from './records.js'

/**
 * The registered sources, the first registration of an id standing. The archived text is kept beside
 * the record (quotes are checked against it), never in the record the API lists.
 */

export interface SourceTables {
  has(sourceId: string): boolean
  insert(record: SourceRecord, content: string | undefined): void
}

export const sourcesReadModel: Projection<SourceTables> = {
  name: 'sources',
  version: 1,
  canHandle: (type) => type === 'SourceRegistered',
  evolve(tables, event) {
    if (event.type !== 'SourceRegistered' || tables.has(event.data.sourceId)) return
    const { content, ...fields } = event.data
    tables.insert({ ...fields, hasContent: content !== undefined, eventId: event.id, position: event.position }, content)
  },
}
