import { UNKNOWN, endOf } from '../../../events/index.js'
import { html, type SafeHtml } from './html.js'
import { partialDateLabel, partialDateText, words } from './labels.js'

/** One official claim asserting the dimension, in valid-time order (a timeline entry). */
export interface ChartPoint {
  claimId: string
  /** The claim's partial date. */
  on: string
  /** The first day of `on`, YYYY-MM-DD. */
  start: string
  value: string
}

export interface StepChartInput {
  dimension: string
  /** The dimension's values in display order; `unknown` is added below them. */
  values: readonly string[]
  /** In valid-time order, as the stance timeline keeps them: the last one starting on a day wins it. */
  points: readonly ChartPoint[]
  /** The first and last day shown, YYYY-MM-DD. */
  from: string
  to: string
  /** The day the page's stance table is for, marked on the chart when in range. */
  asOf?: string
}

/** A run of one value: from the `on` of the claim that started it to the next change (or the end). */
export interface Segment {
  value: string
  /** The partial date that starts it; null for the unknown before the first claim. */
  on: string | null
  start: string
  /** The first day of the next segment, or the end of the chart. */
  end: string
}

/** Small enough that a phone shows the chart at about 80% size, so 14-unit text stays legible. */
const WIDTH = 540
const LEFT = 168
const RIGHT = 14
const TOP = 12
const ROW = 32
const BOTTOM = 30
const FONT = 14
/** A value label longer than this wraps onto a second line. */
const LABEL_LINE = 21

function dayMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`)
}

/**
 * The points the chart can show: the plot is a few hundred pixels wide, so of the claims that fall in
 * one pixel's column only the last (the value in force at its end) is drawn. A timeline of thirty
 * thousand claims is drawn whole, at the chart's resolution, in a page of fixed size.
 */
export function atResolution(points: readonly ChartPoint[], from: string, to: string, columns = WIDTH - LEFT - RIGHT): ChartPoint[] {
  if (points.length <= columns) return [...points]
  const t0 = dayMs(from)
  const span = Math.max(dayMs(to), t0 + 86_400_000) - t0
  const column = (point: ChartPoint) => Math.min(columns - 1, Math.max(0, Math.floor(((dayMs(point.start) - t0) / span) * columns)))
  const kept: ChartPoint[] = []
  points.forEach((point, index) => {
    const next = points[index + 1]
    if (next === undefined || column(next) !== column(point)) kept.push(point)
  })
  return kept
}

/** The runs of values the chart draws; a claim repeating the value in force does not start a run. */
export function segmentsOf(points: readonly ChartPoint[], from: string, to: string): Segment[] {
  const segments: Segment[] = [{ value: UNKNOWN, on: null, start: from, end: to }]
  points.forEach((point, index) => {
    // among claims starting on the same day, the last in timeline order decides that day
    if (points[index + 1]?.start === point.start) return
    const current = segments.at(-1)!
    if (current.value === point.value) return
    if (current.start === point.start) segments.pop()
    else current.end = point.start
    segments.push({ value: point.value, on: point.on, start: point.start, end: to })
  })
  return segments
}

/** A value's label in at most two lines (the taxonomy's longest names are four or five words). */
export function labelLines(label: string): string[] {
  const lines: string[] = []
  for (const word of label.split(' ')) {
    const last = lines.at(-1)
    if (last !== undefined && (last + ' ' + word).length <= LABEL_LINE) lines[lines.length - 1] = `${last} ${word}`
    else lines.push(word)
  }
  return lines.length <= 2 ? lines : [lines[0]!, lines.slice(1).join(' ')]
}

function yearTicks(fromYear: number, toYear: number): number[] {
  const span = toYear - fromYear
  const step = [1, 2, 5, 10, 20, 25, 50, 100].find((candidate) => span / candidate <= 8) ?? Math.ceil(span / 8)
  const ticks: number[] = []
  for (let year = Math.ceil(fromYear / step) * step; year <= toYear; year += step) ticks.push(year)
  if (ticks[0] !== fromYear && (ticks[0] ?? Infinity) - fromYear >= step / 2) ticks.unshift(fromYear)
  return ticks
}

/** A sentence saying what the chart shows, for its <desc> and for readers who cannot see it. */
export function describeSegments(dimension: string, segments: readonly Segment[]): string {
  const parts = segments.map((segment, index) => {
    if (segment.on !== null) return `${words(segment.value)} from ${partialDateLabel(segment.on)}`
    const next = segments[index + 1]
    return next === undefined || next.on === null ? `${UNKNOWN} throughout` : `${UNKNOWN} before ${partialDateLabel(next.on)}`
  })
  return `${words(dimension)}: ${parts.join('; ')}.`
}

/**
 * An inline SVG step chart of one dimension's value over the years, drawn on the server: the value
 * axis is the taxonomy's display order with `unknown` at the bottom, the time axis runs from `from` to
 * `to`, each claim is a dot, and a reduced-precision date is a shaded band over the period it covers.
 */
export function stepChart(input: StepChartInput): SafeHtml {
  const { dimension, values, points, from, to, asOf } = input
  const rows = [...values, UNKNOWN]
  const height = TOP + rows.length * ROW + BOTTOM
  const plotRight = WIDTH - RIGHT
  const t0 = dayMs(from)
  const t1 = Math.max(dayMs(to), t0 + 86_400_000)
  const x = (day: string) => LEFT + ((Math.min(Math.max(dayMs(day), t0), t1) - t0) / (t1 - t0)) * (plotRight - LEFT)
  const y = (value: string) => {
    const row = rows.indexOf(value)
    return TOP + (row < 0 ? rows.length - 1 : row) * ROW + ROW / 2
  }
  const fmt = (n: number) => n.toFixed(1)
  const segments = segmentsOf(points, from, to)
  const id = `chart-${dimension}`
  const description = describeSegments(dimension, segments)

  let path = ''
  segments.forEach((segment, index) => {
    const x0 = x(segment.start)
    const x1 = x(segment.end)
    path += `${index === 0 ? 'M' : 'L'}${fmt(x0)} ${fmt(y(segment.value))} H${fmt(x1)} `
  })

  const bands = points
    .filter((point) => point.on.length < 10)
    .map((point) => {
      const x0 = x(point.start)
      const end = endOf(point.on)
      const x1 = Math.max(x(end < to ? end : to), x0 + 2)
      return html`<rect class="band" x="${fmt(x0)}" y="${TOP}" width="${fmt(x1 - x0)}" height="${rows.length * ROW}" fill="#f2c14e" fill-opacity="0.35"><title>${partialDateLabel(point.on)}: the date covers this period</title></rect>`
    })

  const fromYear = Number(from.slice(0, 4))
  const toYear = Number(to.slice(0, 4))
  const ticks = yearTicks(fromYear, toYear)

  return html`<svg class="step-chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false">
<title id="${id}-title">${words(dimension)} from ${fromYear} to ${partialDateText(to)}</title>
<desc id="${id}-desc">${description}</desc>
${rows.map((value) => {
  const lines = labelLines(words(value))
  const unknown = value === UNKNOWN
  return html`<g class="row"><line x1="${LEFT}" x2="${plotRight}" y1="${fmt(y(value))}" y2="${fmt(y(value))}" stroke="${unknown ? '#9a9a9a' : '#dcdcdc'}" stroke-dasharray="${unknown ? '4 3' : 'none'}"/><text x="${LEFT - 8}" y="${fmt(y(value) + (lines.length === 1 ? 5 : -2))}" text-anchor="end" font-size="${FONT}" fill="${unknown ? '#555' : '#1b1b1b'}" font-style="${unknown ? 'italic' : 'normal'}">${lines.map((line, index) => html`<tspan x="${LEFT - 8}" dy="${index === 0 ? 0 : 14}">${line}</tspan>`)}</text></g>`
})}
${bands}
${ticks.map((year) => {
  const tx = x(`${year}-01-01`)
  return html`<g class="tick"><line x1="${fmt(tx)}" x2="${fmt(tx)}" y1="${TOP}" y2="${TOP + rows.length * ROW + 4}" stroke="#e4e4e4"/><text x="${fmt(tx)}" y="${height - 10}" text-anchor="middle" font-size="${FONT}" fill="#1b1b1b">${year}</text></g>`
})}
${asOf !== undefined && asOf >= from && asOf <= to && html`<g class="as-of"><line x1="${fmt(x(asOf))}" x2="${fmt(x(asOf))}" y1="${TOP - 4}" y2="${TOP + rows.length * ROW}" stroke="#a1121b" stroke-width="2" stroke-dasharray="5 3"/><title>as of ${partialDateText(asOf)}</title></g>`}
<path d="${path.trim()}" fill="none" stroke="#0b3d91" stroke-width="3" stroke-linejoin="round"/>
${points.map(
  (point) => html`<circle cx="${fmt(x(point.start))}" cy="${fmt(y(point.value))}" r="5" fill="#fff" stroke="#0b3d91" stroke-width="2.5"><title>${partialDateLabel(point.on)}: ${words(point.value)}</title></circle>`,
)}
</svg>`
}

/** The chart with its caption and the same data as a table, for readers who cannot see the chart. */
export function stepChartFigure(whole: StepChartInput): SafeHtml {
  const input = { ...whole, points: atResolution(whole.points, whole.from, whole.to) }
  const segments = segmentsOf(input.points, input.from, input.to)
  return html`<figure class="chart" id="dimension-${input.dimension}">
<figcaption id="dimension-${input.dimension}-caption">${words(input.dimension)}</figcaption>
<div class="scroll" tabindex="0" role="group" aria-labelledby="dimension-${input.dimension}-caption">${stepChart(input)}</div>
<details>
<summary>The ${words(input.dimension)} chart as a table</summary>
<table>
<thead><tr><th scope="col">From</th><th scope="col">Until</th><th scope="col">Value</th></tr></thead>
<tbody>
${segments.map((segment, index) => {
  const next = segments[index + 1]
  return html`<tr><td>${segment.on === null ? 'the start of the record' : partialDateLabel(segment.on)}</td><td>${next?.on ? partialDateLabel(next.on) : 'today'}</td><td>${words(segment.value)}</td></tr>`
})}
</tbody>
</table>
<p class="muted">${whole.points.length} official ${whole.points.length === 1 ? 'claim asserts' : 'claims assert'} this dimension (each a dot on the chart${input.points.length < whole.points.length ? `; ${input.points.length} of them drawn, the last in each pixel of the chart` : ''}); shading marks a date known only to the month or year.</p>
</details>
</figure>`
}
