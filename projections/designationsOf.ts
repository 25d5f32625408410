import { roleOf, type Actor, type Stance } from '../events/index.js'
import { byValidTime, claimAt, type ClaimAt } from './claimAt.js'
import type { LedgerView } from './ledgerView.js'

export interface Designation {
  eventId: string
  actor: Actor
  on: string
  stances: Stance[]
  sourceId: string
}

/** The active third-party claims about a jurisdiction known at a position, corrected, in valid-time order. */
export function designationsOf(
  state: LedgerView,
  jurisdictionId: string,
  knownAtPosition: number | null,
): Designation[] {
  const claims = state.byJurisdiction.get(jurisdictionId)
  if (knownAtPosition === null || claims === undefined) return []
  const designations: ClaimAt[] = []
  for (const claimId of claims.designationCandidates) {
    const record = state.claims.get(claimId)!
    if (record.position > knownAtPosition) continue
    const claim = claimAt(record, knownAtPosition)
    if (claim.status !== 'retracted' && roleOf(claim.data.actor) === 'third-party')
      designations.push(claim)
  }
  return designations.sort(byValidTime).map(({ record, data }) => ({
    eventId: record.eventId,
    actor: data.actor,
    on: data.on,
    stances: data.stances,
    sourceId: data.sourceId,
  }))
}
