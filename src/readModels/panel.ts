import { z } from 'zod'
import { endOf, JurisdictionKind, PartialDate, Slug, startOf } from '../../events/index.js'
import { panelCells, panelDates, type Every, type PanelCell } from '../../projections/index.js'
import type { LedgerReader } from './ledgerReader.js'

/**
 * The panel of stances for researchers: one row per jurisdiction and period, each dimension's value
 * (with what backs it and whether it is uncertain) at the period's end or start, as known at a fixed
 * position so that a paper can cite a panel anyone can reproduce. Made a jurisdiction at a time, so it
 * streams in memory that does not grow with its length; every cell equals the stance endpoint's.
 */

export interface PanelQuery {
  /** Partial dates, inclusive. */
  from: string
  to: string
  every: Every
  at: 'end' | 'start'
  kind?: string
  jurisdiction?: string
  dimensions: readonly string[]
  knownAtPosition: number | null
}

export interface PanelRow {
  jurisdictionId: string
  name: string
  kind: string
  date: string
  stance: Record<string, PanelCell>
}

/** Periods a panel may have: a day panel over 270 years. */
export const MAX_PERIODS = 100_000

/**
 * What a panel is asked for, read alike by `GET /panel` and `policy-ledger panel`; each adds its own
 * `dimension` and `knownAt` (the API's carry examples for its document) and checks the span with
 * `checkPanelSpan`.
 */
export const panelRequestFields = {
  from: PartialDate,
  to: PartialDate,
  every: z.enum(['day', 'month', 'quarter', 'year']),
  at: z.enum(['end', 'start']).default('end'),
  format: z.enum(['csv', 'ndjson']).default('csv'),
  kind: JurisdictionKind.optional(),
  jurisdiction: Slug.optional(),
}

/** `to` not before `from`, and a day panel of at most MAX_PERIODS days. */
export function checkPanelSpan(query: { from: string; to: string; every: Every }, ctx: z.RefinementCtx): void {
  if (startOf(query.from) > endOf(query.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to is before from' })
  else if (query.every === 'day' && (Date.parse(endOf(query.to)) - Date.parse(startOf(query.from))) / 86_400_000 >= MAX_PERIODS) {
    ctx.addIssue({ code: 'custom', path: ['every'], message: `at most ${MAX_PERIODS} periods: ask for a coarser period or a shorter span` })
  }
}

export function panelPeriods(query: Pick<PanelQuery, 'from' | 'to' | 'every' | 'at'>): string[] {
  return panelDates(startOf(query.from), endOf(query.to), query.every, query.at)
}

/** The panel's rows, a jurisdiction at a time (each batch that jurisdiction's rows, in date order). */
export function* panelRows(reader: LedgerReader, query: PanelQuery): Generator<PanelRow[]> {
  const { knownAtPosition } = query
  if (knownAtPosition === null) return
  const dates = panelPeriods(query)
  const rowsOf = (summary: { jurisdictionId: string; name: string; kind: string }): PanelRow[] => {
    const cells = query.dimensions.map((dimension) => panelCells(reader.panelEntries(summary.jurisdictionId, dimension, knownAtPosition), dates))
    return dates.map((date, index) => ({
      jurisdictionId: summary.jurisdictionId,
      name: summary.name,
      kind: summary.kind,
      date,
      stance: Object.fromEntries(query.dimensions.map((dimension, d) => [dimension, cells[d]![index]!])),
    }))
  }
  if (query.jurisdiction !== undefined) {
    const one = reader.jurisdictionOf(query.jurisdiction)
    if (one !== null && one.position <= knownAtPosition && (query.kind === undefined || one.kind === query.kind)) yield rowsOf(one)
    return
  }
  let after: string | undefined
  for (;;) {
    const jurisdictions = reader.registeredJurisdictions(query.kind, knownAtPosition, { after, limit: 200 })
    if (jurisdictions.length === 0) return
    for (const summary of jurisdictions) {
      after = summary.jurisdictionId
      yield rowsOf(summary)
    }
  }
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function csvHeader(dimensions: readonly string[]): string {
  return `${['jurisdictionId', 'name', 'kind', 'date', ...dimensions.flatMap((d) => [d, `${d}_support`, `${d}_uncertain`])].map(csvField).join(',')}\r\n`
}

export function csvRows(rows: readonly PanelRow[], dimensions: readonly string[]): string {
  return rows
    .map(
      (row) =>
        `${[
          row.jurisdictionId,
          row.name,
          row.kind,
          row.date,
          ...dimensions.flatMap((d) => {
            const cell = row.stance[d]!
            return [cell.value, cell.support ?? '', String(cell.uncertain)]
          }),
        ]
          .map(csvField)
          .join(',')}\r\n`,
    )
    .join('')
}

export function ndjsonRows(rows: readonly PanelRow[]): string {
  return rows.map((row) => `${JSON.stringify({ jurisdictionId: row.jurisdictionId, date: row.date, stance: row.stance })}\n`).join('')
}

/** The panel as text, a jurisdiction's rows a chunk: what the endpoint and the CLI stream. */
export function* panelText(reader: LedgerReader, query: PanelQuery, format: 'csv' | 'ndjson'): Generator<string> {
  if (format === 'csv') yield csvHeader(query.dimensions)
  for (const rows of panelRows(reader, query)) yield format === 'csv' ? csvRows(rows, query.dimensions) : ndjsonRows(rows)
}
