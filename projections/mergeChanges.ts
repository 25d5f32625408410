import type { Claim, ClaimChanges } from '../events/index.js'

/** A correction merges into its claim field by field; `changes.stances` replaces the whole list. */
export function mergeChanges(data: Claim['data'], changes: ClaimChanges): Claim['data'] {
  const merged: Record<string, unknown> = { ...data }
  for (const [field, value] of Object.entries(changes)) {
    if (value !== undefined) merged[field] = value
  }
  return merged as Claim['data']
}
