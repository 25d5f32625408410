import { endOf, precisionRank, startOf, type PartialDate } from '../events/index.js'

/**
 * Valid time as one integer, so that an index orders claims the way the stance semantics do: the start
 * of `on`, then coarser precision first. `key = dayNumber(startOf(on)) * 4 + precisionRank(on)`; a
 * calendar day `asOf` covers every key up to `dayNumber(asOf) * 4 + 3`.
 */

/** Days from 0001-01-01 to a `YYYY-MM-DD` (proleptic Gregorian), without Date's two-digit-year rules. */
export function dayNumber(day: string): number {
  let year = Number(day.slice(0, 4))
  const month = Number(day.slice(5, 7))
  const date = Number(day.slice(8, 10))
  // days from civil (H. Hinnant), shifted so that 0001-01-01 is day 0
  year -= month <= 2 ? 1 : 0
  const era = Math.floor(year / 400)
  const yearOfEra = year - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + date - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 306
}

/** The valid-time key of a claim dated `on`. */
export function validTimeKey(on: PartialDate): number {
  return dayNumber(startOf(on)) * 4 + precisionRank(on)
}

/** The largest key a claim starting on or before `asOf` (YYYY-MM-DD) can have. */
export function asOfKey(asOf: string): number {
  return dayNumber(asOf) * 4 + 3
}

/**
 * The keys of the reduced-precision dates whose period contains `asOf` other than on its last day: a
 * counted claim with one of them makes the answer `uncertain` (it may or may not have happened yet).
 * At most two: the year of `asOf` (unless it is 31 December) and its month (unless it is the last day).
 */
export function uncertainKeys(asOf: string): number[] {
  return [asOf.slice(0, 4), asOf.slice(0, 7)].filter((period) => endOf(period) !== asOf).map(validTimeKey)
}
