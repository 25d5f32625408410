import { endOf, UNKNOWN } from '../events/index.js'
import { asOfKey } from './validTime.js'

/**
 * The panel: a dimension's value at each of a series of dates, as the stance semantics give it. One
 * pass over the timeline's counted entries in valid-time order against the dates in order, so a panel
 * of any length costs the timeline once, not a stance query a cell.
 */

export interface PanelEntry {
  key: number
  value: string
  on: string
  policy: boolean
}

export interface PanelCell {
  value: string
  support: 'policy' | 'statement' | null
  uncertain: boolean
}

export type Every = 'day' | 'month' | 'quarter' | 'year'

/** The dates of the panel's periods overlapping [from, to] (days): each period's last day (`end`) or first. */
export function panelDates(from: string, to: string, every: Every, at: 'end' | 'start'): string[] {
  const dates: string[] = []
  if (every === 'day') {
    for (let day = new Date(`${from}T00:00:00Z`); day.toISOString().slice(0, 10) <= to; day.setUTCDate(day.getUTCDate() + 1)) {
      dates.push(day.toISOString().slice(0, 10))
    }
    return dates
  }
  const span = every === 'month' ? 1 : every === 'quarter' ? 3 : 12
  const month = (year: number, index: number) => `${String(year).padStart(4, '0')}-${String(index + 1).padStart(2, '0')}`
  let year = Number(from.slice(0, 4))
  let index = Math.floor((Number(from.slice(5, 7)) - 1) / span) * span
  for (;;) {
    const start = `${month(year, index)}-01`
    if (start > to) return dates
    dates.push(at === 'start' ? start : endOf(month(year, index + span - 1)))
    index += span
    if (index >= 12) {
      index -= 12
      year += 1
    }
  }
}

/**
 * The cells of one dimension at `dates` (ascending) from its counted entries known at a position, in
 * valid-time order: the winner is the last entry starting on or before the date; it is backed by a
 * policy when one is in its run; uncertain when a counted reduced-precision date covers the date
 * other than on its last day.
 */
export function panelCells(entries: Iterable<PanelEntry>, dates: readonly string[]): PanelCell[] {
  const cells: PanelCell[] = []
  const iterator = entries[Symbol.iterator]()
  let pending = iterator.next()
  let value: string | undefined
  let policy = false
  let reducedEnd = ''
  for (const date of dates) {
    const key = asOfKey(date)
    while (!pending.done && pending.value.key <= key) {
      const entry = pending.value
      if (entry.value !== value) policy = false
      value = entry.value
      policy ||= entry.policy
      if (entry.on.length < 10) {
        const end = endOf(entry.on)
        if (end > reducedEnd) reducedEnd = end
      }
      pending = iterator.next()
    }
    cells.push(
      value === undefined
        ? { value: UNKNOWN, support: null, uncertain: false }
        : { value, support: policy ? 'policy' : 'statement', uncertain: reducedEnd > date },
    )
  }
  iterator.return?.()
  return cells
}
