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

/** A day's change as kept in record time: it holds from position `from` until another replaces it. */
export interface OpenChange extends ChangePoint {
  from: number
}

/**
 * One timeline's open counted entries and its open changes, as `refreshAround` reads and writes them:
 * the read model's tables while the ledger is live, memory while a rebuild works a timeline's history
 * out (`changeHistory`). Keys are `validTimeKey`s; a day's keys are `day * 4` to `day * 4 + 3`.
 */
export interface ChangeTimeline {
  /** The last open counted entry (by key, then claim position) with a key from `from` to `to`. */
  winner(from: number, to: number): ChangeWinner | undefined
  /** The value of the last open counted entry with a key below `key`. */
  valueBefore(key: number): string | undefined
  /** The key of the first open counted entry at or after `key`. */
  nextKey(key: number): number | undefined
  openChange(day: number): OpenChange | undefined
  /** The open change of `day`, held since `from`, stops holding at `position`. */
  closeChange(day: number, from: number, position: number): void
  /** The open change of `day` was opened by the event at `from`, which now replaces it: it was never visible. */
  dropChange(day: number, from: number): void
  insertChange(day: number, position: number, change: ChangePoint): void
}

/**
 * A counted entry at `key` came to the timeline or left it at `position`: that day's change and the
 * next day's (whose "before" it may be) are worked out again from the open entries, and a change that
 * no longer holds is closed at `position`, its successor opened there.
 */
export function refreshAround(timeline: ChangeTimeline, key: number, position: number): void {
  const day = Math.floor(key / 4)
  refreshDay(timeline, day, position)
  const next = timeline.nextKey((day + 1) * 4)
  if (next !== undefined) refreshDay(timeline, Math.floor(next / 4), position)
}

function refreshDay(timeline: ChangeTimeline, day: number, position: number): void {
  const wanted = changeOn(timeline.winner(day * 4, day * 4 + 3), timeline.valueBefore(day * 4))
  const open = timeline.openChange(day) ?? null
  if (sameChange(open, wanted)) return
  if (open !== null) {
    if (open.from === position) timeline.dropChange(day, position)
    else timeline.closeChange(day, open.from, position)
  }
  if (wanted !== null) timeline.insertChange(day, position, wanted)
}

/** A counted entry of one timeline, open in record time from position `from` until `to` (null: still open). */
export interface CountedEntry extends ChangeWinner {
  from: number
  to: number | null
}

/** A change of one timeline, held in record time from position `from` until `to` (null: still holds). */
export interface ChangeSpan extends OpenChange {
  day: number
  to: number | null
}

/**
 * Every change one timeline has had in record time, from the history of its counted entries: exactly
 * what `refreshAround` makes of them as the ledger folds them one by one (at a position, the entry
 * that leaves goes before the one that comes, as a correction closes a claim's version before opening
 * the next), worked out in memory. Ordered by day, then `from`.
 */
export function changeHistory(entries: readonly CountedEntry[]): ChangeSpan[] {
  const steps: Array<{ position: number; opens: boolean; entry: CountedEntry }> = []
  for (const entry of entries) {
    steps.push({ position: entry.from, opens: true, entry })
    if (entry.to !== null) steps.push({ position: entry.to, opens: false, entry })
  }
  steps.sort((a, b) => a.position - b.position || Number(a.opens) - Number(b.opens))
  const timeline = new MemoryTimeline()
  for (const { position, opens, entry } of steps) {
    if (opens) timeline.add(entry)
    else timeline.remove(entry)
    refreshAround(timeline, entry.key, position)
  }
  return timeline.spans()
}

/** A timeline in memory: its open counted entries in (key, claim position) order, and its changes so far. */
class MemoryTimeline implements ChangeTimeline {
  private readonly entries: ChangeWinner[] = []
  private readonly open = new Map<number, ChangeSpan>()
  private readonly made = new Set<ChangeSpan>()

  add(entry: ChangeWinner): void {
    this.entries.splice(this.firstAtOrAfter(entry.key, entry.claimPosition), 0, entry)
  }

  remove(entry: ChangeWinner): void {
    const at = this.firstAtOrAfter(entry.key, entry.claimPosition)
    const found = this.entries[at]
    if (found?.key !== entry.key || found.claimPosition !== entry.claimPosition) {
      throw new Error(`no open entry at key ${entry.key} of the claim at ${entry.claimPosition} to close`)
    }
    this.entries.splice(at, 1)
  }

  /** The index of the first entry at or after (key, claim position). */
  private firstAtOrAfter(key: number, claimPosition: number): number {
    let low = 0
    let high = this.entries.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const entry = this.entries[middle]!
      if (entry.key < key || (entry.key === key && entry.claimPosition < claimPosition)) low = middle + 1
      else high = middle
    }
    return low
  }

  winner(from: number, to: number): ChangeWinner | undefined {
    const last = this.entries[this.firstAtOrAfter(to + 1, -Infinity) - 1]
    return last !== undefined && last.key >= from ? last : undefined
  }

  valueBefore(key: number): string | undefined {
    return this.entries[this.firstAtOrAfter(key, -Infinity) - 1]?.value
  }

  nextKey(key: number): number | undefined {
    return this.entries[this.firstAtOrAfter(key, -Infinity)]?.key
  }

  openChange(day: number): OpenChange | undefined {
    return this.open.get(day)
  }

  closeChange(day: number, _from: number, position: number): void {
    this.open.get(day)!.to = position
    this.open.delete(day)
  }

  dropChange(day: number): void {
    this.made.delete(this.open.get(day)!)
    this.open.delete(day)
  }

  insertChange(day: number, position: number, change: ChangePoint): void {
    const { key, claimPosition, value, before, on, sourceId, policy } = change
    const span: ChangeSpan = { key, claimPosition, value, before, on, sourceId, policy, day, from: position, to: null }
    this.open.set(day, span)
    this.made.add(span)
  }

  spans(): ChangeSpan[] {
    return [...this.made].sort((a, b) => a.day - b.day || a.from - b.from)
  }
}
