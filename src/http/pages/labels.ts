import { precisionOf } from '../../../events/index.js'
import { html, type SafeHtml } from './html.js'

/**
 * How pages word the ledger's values. Generic on purpose: the taxonomy is data, so a value or a
 * dimension is shown by turning its snake_case name into words, never by a per-topic table.
 */
const months = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
]

/** `1979` → "1979", `2016-01` → "January 2016", `2016-11-14` → "14 November 2016". */
export function partialDateText(date: string): string {
  const [year, month, day] = date.split('-')
  if (month === undefined) return year!
  const monthName = months[Number(month) - 1]!
  return day === undefined ? `${monthName} ${year}` : `${Number(day)} ${monthName} ${year}`
}

/** A partial date with its precision made explicit: "January 2016 (month)". */
export function partialDateLabel(date: string): string {
  return `${partialDateText(date)} (${precisionOf(date)})`
}

/** A partial date as a <time> element with its precision spelled out. */
export function partialDateTime(date: string): SafeHtml {
  return html`<time datetime="${date}">${partialDateText(date)}</time> <span class="precision">(${precisionOf(date)})</span>`
}

/** An RFC 3339 timestamp as "2026-11-20 12:00:00 UTC" in a <time> element. */
export function timestampTime(timestamp: string): SafeHtml {
  const ms = Date.parse(timestamp)
  const text = Number.isNaN(ms) ? timestamp : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`
  return html`<time datetime="${timestamp}">${text}</time>`
}

/** `detainer_hold` → "detainer hold". */
export function words(name: string): string {
  return name.replaceAll('_', ' ')
}

/** `PolicyEnacted` → "Policy enacted". */
export function typeLabel(type: string): string {
  const spaced = type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
  return spaced.charAt(0).toUpperCase() + spaced.slice(1)
}

/**
 * A stance value as a tag: its shade follows its place in the taxonomy's display order, and `unknown`
 * is set apart by more than colour (italic, dashed border) so it reads as "nothing recorded".
 */
/**
 * What backs a value, said in words: a value that rests on statements alone is marked, since an
 * enacted order and a mayor's words are not the same thing. Nothing for a policy or for unknown.
 */
export function supportNote(support: 'policy' | 'statement' | null | undefined): SafeHtml | null {
  return support === 'statement'
    ? html` <span class="support statement" title="statements only: no enacted policy backs this value">words only</span>`
    : null
}

export function valueTag(values: readonly string[], value: string): SafeHtml {
  const at = values.indexOf(value)
  if (at < 0) return html`<span class="value unknown" data-value="${value}">${words(value)}</span>`
  const level = values.length < 2 ? 2 : Math.round((at / (values.length - 1)) * 4)
  return html`<span class="value level-${level}" data-value="${value}">${words(value)}</span>`
}
