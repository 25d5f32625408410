import { dimensions } from '../events/index.js'
import type { LedgerView } from './ledgerView.js'
import { UNKNOWN_VALUE, valueAt } from './timeline.js'
import { timelinesAt } from './timelinesAt.js'

export interface JurisdictionListQuery {
  kind?: string
  /** Filters only together with `value`: the jurisdictions whose `dimension` is `value` on `asOf`. */
  dimension?: string
  value?: string
  asOf: string
  knownAtPosition: number | null
}

export interface JurisdictionSummary {
  jurisdictionId: string
  name: string
  kind: string
  ocdId: string
  stance: Record<string, string>
}

export interface JurisdictionList {
  asOf: string
  knownAtPosition: number | null
  jurisdictions: JurisdictionSummary[]
}

/** The jurisdictions registered at `knownAtPosition`, each with its value per dimension on `asOf`. */
export function listJurisdictions(
  state: LedgerView,
  query: JurisdictionListQuery,
): JurisdictionList {
  const { kind, dimension, value, asOf, knownAtPosition } = query
  const jurisdictions: JurisdictionSummary[] = []
  if (knownAtPosition !== null) {
    for (const jurisdiction of state.jurisdictions.values()) {
      if (jurisdiction.position > knownAtPosition) continue
      if (kind !== undefined && jurisdiction.kind !== kind) continue
      const timelines = timelinesAt(state, jurisdiction.jurisdictionId, knownAtPosition)
      const stance: Record<string, string> = {}
      for (const name of dimensions) {
        const timeline = timelines.get(name)
        stance[name] = timeline === undefined ? UNKNOWN_VALUE : valueAt(timeline, asOf)
      }
      if (dimension !== undefined && value !== undefined && stance[dimension] !== value) continue
      jurisdictions.push({
        jurisdictionId: jurisdiction.jurisdictionId,
        name: jurisdiction.name,
        kind: jurisdiction.kind,
        ocdId: jurisdiction.ocdId,
        stance,
      })
    }
  }
  jurisdictions.sort((a, b) => (a.jurisdictionId < b.jurisdictionId ? -1 : 1))
  return { asOf, knownAtPosition, jurisdictions }
}
