import { endOf, precisionRank, roleOf, startOf, type Claim } from '../events/index.js'

/** One official claim asserting one dimension, as the timeline orders it. */
export interface TimelineEntry {
  readonly claimId: string
  readonly dimension: string
  readonly position: number
  readonly on: string
  /** `startOf(on)`, `YYYY-MM-DD`: compared as a string. */
  readonly start: string
  /** `precisionRank(on)`: coarser first among equal starts. */
  readonly rank: number
  readonly value: string
  readonly sourceId: string
}

/**
 * The currently effective official claims of one jurisdiction asserting one dimension, in valid-time
 * order: start of `on`, coarser precision first, position. Changes are buffered and merged by the first
 * read after them, so catching up over many events costs one merge rather than one shift per event.
 * A claim has at most one entry per timeline, so its position is the entry's identity.
 */
export interface Timeline {
  /** Sorted, as of the last read: read through `sortedEntries`. */
  entries: TimelineEntry[]
  /** Entries added since, by position. */
  readonly added: Map<number, TimelineEntry>
  /** Positions of `entries` removed since. */
  readonly removed: Set<number>
  /**
   * Derived from the sorted entries. Entries appended after the last one (the usual case: news comes
   * in valid-time order) extend it at the next read; any other change drops it for a rebuild.
   */
  index: TimelineIndex | null
}

interface TimelineIndex {
  /** How many of the sorted entries it covers. */
  count: number
  /** `runStart[i]`: the first index of the unbroken run of `entries[i].value` that ends at `i`. */
  runStart: Int32Array
  /** The latest end (`YYYY-MM-DD`) of a reduced-precision `on` among `entries[0..i]`; '' when none. */
  readonly uncertainUntil: string[]
  /** Max-tree over "index of the next entry with the same source" (NONE when none; -1 past the end). */
  nextSameSource: Int32Array
  /** Leaf capacity: a power of two above `count`, so appends have room. */
  leaves: number
  /** The index of each source's last entry, to link an appended entry to it. */
  readonly lastOfSource: Map<string, number>
}

/** "No later entry with this source": larger than any index. */
const NONE = 0x7fffffff

/** A dimension's stance as the design defines it. */
export interface DimensionStance {
  value: string
  since: string | null
  lastAffirmedOn: string | null
  basis: string[]
  basisCount: number
  sources: string[]
  uncertain: boolean
}

export const MAX_BASIS = 100

export const UNKNOWN_VALUE = 'unknown'

export function unknownStance(): DimensionStance {
  return {
    value: UNKNOWN_VALUE,
    since: null,
    lastAffirmedOn: null,
    basis: [],
    basisCount: 0,
    sources: [],
    uncertain: false,
  }
}

/** A timeline of `entries`, which must already be sorted by `compareEntries`. */
export function newTimeline(entries: TimelineEntry[] = []): Timeline {
  return { entries, added: new Map(), removed: new Set(), index: null }
}

/** The timeline entries a claim contributes in the given (corrected) shape: none unless official. */
export function entriesOf(claimId: string, position: number, data: Claim['data']): TimelineEntry[] {
  if (roleOf(data.actor) !== 'official') return []
  const start = startOf(data.on)
  const rank = precisionRank(data.on)
  return data.stances.map((stance) => ({
    claimId,
    dimension: stance.dimension,
    position,
    on: data.on,
    start,
    rank,
    value: stance.value,
    sourceId: data.sourceId,
  }))
}

export function compareEntries(a: TimelineEntry, b: TimelineEntry): number {
  if (a.start !== b.start) return a.start < b.start ? -1 : 1
  return a.rank - b.rank || a.position - b.position
}

export function insertEntry(timeline: Timeline, entry: TimelineEntry): void {
  timeline.added.set(entry.position, entry)
}

/** Removes the claim's entry, whether it was merged already or is still buffered. */
export function removeEntry(timeline: Timeline, entry: TimelineEntry): void {
  if (!timeline.added.delete(entry.position)) timeline.removed.add(entry.position)
  timeline.index = null
}

function merge(kept: TimelineEntry[], added: TimelineEntry[]): TimelineEntry[] {
  const last = kept.at(-1)
  if (last === undefined || compareEntries(last, added[0]!) < 0) return kept.concat(added)
  const merged: TimelineEntry[] = []
  let i = 0
  let j = 0
  while (i < kept.length && j < added.length) {
    merged.push(compareEntries(kept[i]!, added[j]!) < 0 ? kept[i++]! : added[j++]!)
  }
  while (i < kept.length) merged.push(kept[i++]!)
  while (j < added.length) merged.push(added[j++]!)
  return merged
}

/** The entries in valid-time order, with the changes since the last read merged in. */
export function sortedEntries(timeline: Timeline): readonly TimelineEntry[] {
  const { added, removed } = timeline
  if (added.size === 0 && removed.size === 0) return timeline.entries
  const kept =
    removed.size === 0
      ? timeline.entries
      : timeline.entries.filter((entry) => !removed.has(entry.position))
  if (added.size > 0) {
    const sorted = [...added.values()].sort(compareEntries)
    const last = kept.at(-1)
    // only entries appended after the last one leave the index valid for the entries it covers
    if (last !== undefined && compareEntries(last, sorted[0]!) > 0) timeline.index = null
    timeline.entries = merge(kept, sorted)
  } else {
    timeline.entries = kept
  }
  added.clear()
  removed.clear()
  return timeline.entries
}

/** The index of the last entry whose `on` starts on or before `asOf` (-1 when none). */
function lastStartingBy(entries: readonly TimelineEntry[], asOf: string): number {
  let low = 0
  let high = entries.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (entries[mid]!.start <= asOf) low = mid + 1
    else high = mid
  }
  return low - 1
}

function buildIndex(entries: readonly TimelineEntry[]): TimelineIndex {
  let leaves = 1
  while (leaves <= entries.length) leaves *= 2
  const index: TimelineIndex = {
    count: 0,
    runStart: new Int32Array(leaves),
    uncertainUntil: [],
    nextSameSource: new Int32Array(2 * leaves).fill(-1),
    leaves,
    lastOfSource: new Map(),
  }
  return extendIndex(index, entries)
}

function setLeaf(index: TimelineIndex, i: number, value: number): void {
  const tree = index.nextSameSource
  let node = index.leaves + i
  tree[node] = value
  for (node >>= 1; node >= 1; node >>= 1)
    tree[node] = Math.max(tree[2 * node]!, tree[2 * node + 1]!)
}

/** Covers the entries appended since the index was last brought up to date: O(log n) each. */
function extendIndex(index: TimelineIndex, entries: readonly TimelineEntry[]): TimelineIndex {
  // out of leaf room: build afresh with twice the capacity (amortised O(1) an append)
  if (entries.length >= index.leaves) return buildIndex(entries)
  for (let i = index.count; i < entries.length; i++) {
    const entry = entries[i]!
    index.runStart[i] = i > 0 && entries[i - 1]!.value === entry.value ? index.runStart[i - 1]! : i
    const previousEnd = i > 0 ? index.uncertainUntil[i - 1]! : ''
    const end = entry.rank < 2 ? endOf(entry.on) : ''
    index.uncertainUntil[i] = end > previousEnd ? end : previousEnd
    setLeaf(index, i, NONE)
    const previous = index.lastOfSource.get(entry.sourceId)
    if (previous !== undefined) setLeaf(index, previous, i)
    index.lastOfSource.set(entry.sourceId, i)
  }
  index.count = entries.length
  return index
}

function indexOf(timeline: Timeline): TimelineIndex {
  const entries = sortedEntries(timeline)
  timeline.index =
    timeline.index === null
      ? buildIndex(entries)
      : timeline.index.count < entries.length
        ? extendIndex(timeline.index, entries)
        : timeline.index
  return timeline.index
}

/**
 * The distinct sources of `entries[from..to]`, newest first: the entries whose source does not occur
 * again up to `to`, found through the max-tree in time proportional to how many there are.
 */
function distinctSources(
  entries: readonly TimelineEntry[],
  index: TimelineIndex,
  from: number,
  to: number,
): string[] {
  const sources: string[] = []
  const tree = index.nextSameSource
  const visit = (node: number, low: number, high: number): void => {
    if (high < from || low > to || tree[node]! <= to) return
    if (low === high) {
      sources.push(entries[low]!.sourceId)
      return
    }
    const mid = (low + high) >>> 1
    visit(2 * node + 1, mid + 1, high)
    visit(2 * node, low, mid)
  }
  visit(1, 0, index.leaves - 1)
  return sources
}

/** The value in force on `asOf`: a binary search, nothing more. */
export function valueAt(timeline: Timeline, asOf: string): string {
  const entries = sortedEntries(timeline)
  const winner = lastStartingBy(entries, asOf)
  return winner < 0 ? UNKNOWN_VALUE : entries[winner]!.value
}

/** The full stance on `asOf`: O(log n) plus the size of the answer (basis, sources). */
export function stanceAt(timeline: Timeline, asOf: string): DimensionStance {
  const entries = sortedEntries(timeline)
  const winner = lastStartingBy(entries, asOf)
  if (winner < 0) return unknownStance()
  const index = indexOf(timeline)
  const runStart = index.runStart[winner]!
  const basis: string[] = []
  for (let i = winner; i >= runStart && basis.length < MAX_BASIS; i--)
    basis.push(entries[i]!.claimId)
  return {
    value: entries[winner]!.value,
    since: entries[runStart]!.on,
    lastAffirmedOn: entries[winner]!.on,
    basis,
    basisCount: winner - runStart + 1,
    sources: distinctSources(entries, index, runStart, winner),
    uncertain: index.uncertainUntil[winner]! > asOf,
  }
}
