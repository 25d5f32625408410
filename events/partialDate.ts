import { z } from 'zod'

/**
 * A date known to a year, a month or a day (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`). It covers a period and is
 * ordered at its start; coarser precision sorts first among equal starts.
 */

export type Precision = 'year' | 'month' | 'day'

const shape = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

export function isPartialDate(text: string): boolean {
  const match = shape.exec(text)
  if (match === null) return false
  const year = Number(match[1])
  if (year < 1) return false
  if (match[2] === undefined) return true
  const month = Number(match[2])
  if (month < 1 || month > 12) return false
  if (match[3] === undefined) return true
  const day = Number(match[3])
  return day >= 1 && day <= daysInMonth(year, month)
}

export const PartialDate = z
  .string()
  .refine(isPartialDate, { message: 'expected a real date as YYYY, YYYY-MM or YYYY-MM-DD' })
export type PartialDate = z.infer<typeof PartialDate>

/** A full calendar day, `YYYY-MM-DD`. */
export const CalendarDate = z
  .string()
  .refine((text) => text.length === 10 && isPartialDate(text), {
    message: 'expected a real date as YYYY-MM-DD',
  })
export type CalendarDate = z.infer<typeof CalendarDate>

export function precisionOf(date: PartialDate): Precision {
  return date.length === 4 ? 'year' : date.length === 7 ? 'month' : 'day'
}

/** 0 for a year, 1 for a month, 2 for a day: the tie-break order among equal starts. */
export function precisionRank(date: PartialDate): number {
  return date.length === 4 ? 0 : date.length === 7 ? 1 : 2
}

/** The first day of the period, `YYYY-MM-DD`. */
export function startOf(date: PartialDate): string {
  return date.length === 4 ? `${date}-01-01` : date.length === 7 ? `${date}-01` : date
}

/** The last day of the period, `YYYY-MM-DD`. */
export function endOf(date: PartialDate): string {
  if (date.length === 10) return date
  if (date.length === 4) return `${date}-12-31`
  const [year, month] = date.split('-').map(Number) as [number, number]
  return `${date}-${String(daysInMonth(year, month)).padStart(2, '0')}`
}

/** Valid-time order: start of the period, then coarser precision first. */
export function comparePartialDates(a: PartialDate, b: PartialDate): number {
  const byStart = startOf(a) < startOf(b) ? -1 : startOf(a) > startOf(b) ? 1 : 0
  return byStart !== 0 ? byStart : precisionRank(a) - precisionRank(b)
}
