import type { ClaimView } from './claimView.js'
import { latestClaimViews } from './latestClaimViews.js'
import type { LedgerView } from './ledgerView.js'

export interface ActorView {
  actorId: string
  /** The latest name seen in ledger order. */
  name: string
  /** The latest office seen in ledger order; a mention without one does not erase it. */
  office?: string
  /** Claims by the actor as recorded or after a correction, as known now, in position order. */
  claims: ClaimView[]
}

export function actorView(state: LedgerView, actorId: string): ActorView | null {
  const actor = state.actors.get(actorId)
  if (actor === undefined) return null
  return {
    actorId,
    name: actor.name,
    ...(actor.office !== undefined && { office: actor.office }),
    claims: latestClaimViews(state, actor.claimIds),
  }
}
