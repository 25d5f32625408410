import { UNKNOWN } from '../events/index.js'

/** A dimension's stance as DESIGN.md ("Stance semantics") defines it. */
export interface DimensionStance {
  value: string
  since: string | null
  lastAffirmedOn: string | null
  basis: string[]
  basisCount: number
  sources: string[]
  uncertain: boolean
  /** `policy` when a policy backs a claim of the run (see `isPolicyBacked`), `statement` when only words do, null for unknown. */
  support: 'policy' | 'statement' | null
}

export const MAX_BASIS = 100

export function unknownStance(): DimensionStance {
  return {
    value: UNKNOWN,
    since: null,
    lastAffirmedOn: null,
    basis: [],
    basisCount: 0,
    sources: [],
    uncertain: false,
    support: null,
  }
}

/** A counted timeline entry as the stance reads it, walking back in valid time from `asOf`. */
export interface RunEntry {
  claimId: string
  value: string
  on: string
  sourceId: string
  policy: boolean
}

/**
 * The stance from the counted entries that start on or before `asOf`, newest first: the first is the
 * winner, and the unbroken run of its value is read until the value changes (the iterator is left
 * there). `uncertain` is asked only when something is known.
 */
export function dimensionStance(newestFirst: Iterable<RunEntry>, uncertain: () => boolean): DimensionStance {
  let winner: RunEntry | undefined
  let first: RunEntry | undefined
  const basis: string[] = []
  const sources = new Set<string>()
  let basisCount = 0
  let policy = false
  for (const entry of newestFirst) {
    if (winner === undefined) winner = entry
    else if (entry.value !== winner.value) break
    first = entry
    basisCount += 1
    if (basis.length < MAX_BASIS) basis.push(entry.claimId)
    sources.add(entry.sourceId)
    policy ||= entry.policy
  }
  if (winner === undefined || first === undefined) return unknownStance()
  return {
    value: winner.value,
    since: first.on,
    lastAffirmedOn: winner.on,
    basis,
    basisCount,
    sources: [...sources],
    uncertain: uncertain(),
    support: policy ? 'policy' : 'statement',
  }
}
