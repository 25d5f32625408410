import { UNKNOWN } from '../events/index.js'

/**
 * A change: a point in valid time where the answer of stance(j, d, ·, knownAt) takes another value.
 * Among the counted claims starting on one day the last (coarser precision first, then position) wins
 * that day; the day is a change when its winner's value differs from the value in force the day
 * before (the winner of the latest earlier day, or unknown). A reaffirmation of the value in force is
 * no change; a retraction, or a correction that moves a date, can make, move or remove one. Only the
 * winner of a day and the next day's "before" can change when a claim is added to or taken from a day.
 */

export interface ChangeWinner {
  key: number
  claimPosition: number
  value: string
  on: string
  sourceId: string
  policy: boolean
}

export interface ChangePoint extends ChangeWinner {
  before: string
}

/** The change on a day, from the day's winner and the value in force before it; null when there is none. */
export function changeOn(winner: ChangeWinner | undefined, before: string | undefined): ChangePoint | null {
  if (winner === undefined) return null
  const previous = before ?? UNKNOWN
  return previous === winner.value ? null : { ...winner, before: previous }
}

/** Whether two descriptions of a day's change are the same change (a row need not be replaced). */
export function sameChange(a: ChangePoint | null, b: ChangePoint | null): boolean {
  if (a === null || b === null) return a === b
  return (
    a.key === b.key &&
    a.claimPosition === b.claimPosition &&
    a.value === b.value &&
    a.before === b.before &&
    a.on === b.on &&
    a.sourceId === b.sourceId &&
    a.policy === b.policy
  )
}
