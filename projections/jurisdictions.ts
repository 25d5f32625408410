import type { Projection } from './projection.js'
import type { JurisdictionRecord } from './records.js'

/** The registered jurisdictions: the first registration of an id stands (the write model refuses a second). */
export interface JurisdictionTables {
  has(jurisdictionId: string): boolean
  insert(record: JurisdictionRecord): void
}

export const jurisdictionsReadModel: Projection<JurisdictionTables> = {
  name: 'jurisdictions',
  version: 1,
  canHandle: (type) => type === 'JurisdictionRegistered',
  evolve(tables, event) {
    if (event.type !== 'JurisdictionRegistered' || tables.has(event.data.jurisdictionId)) return
    tables.insert({ ...event.data, eventId: event.id, position: event.position })
  },
}
