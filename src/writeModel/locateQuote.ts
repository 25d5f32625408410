import type { Quote } from '../../events/index.js'

/**
 * Where a quote sits in an archived text (W3C TextQuoteSelector plus TextPositionSelector, UTF-16
 * offsets), or why it cannot be pinned there. The write model refuses a quote that is not found; the
 * auditor's `verify` and a claim's provenance ask the same question.
 */
export type QuoteLocation =
  { found: true; start: number; end: number } | { found: false; reason: string }

/** How many positions a message lists before it says "…". */
const LISTED = 5

export function locateQuote(content: string, quote: Quote): QuoteLocation {
  return quote.start === undefined
    ? bySelector(content, quote)
    : atOffsets(content, quote, quote.start)
}

function atOffsets(content: string, quote: Quote, start: number): QuoteLocation {
  const { exact, prefix, suffix } = quote
  // The schema makes `end - start` the length of `exact`.
  const end = start + exact.length
  if (end > content.length) {
    return notFound(`${start}..${end} runs past the end of the text (${content.length} code units)`)
  }
  const there = content.slice(start, end)
  if (there !== exact) {
    const elsewhere = occurrences(content, exact)
    const hint =
      elsewhere.length === 0
        ? 'exact does not occur anywhere in the text'
        : `exact occurs at start ${listed(elsewhere)}`
    return notFound(
      `the text at ${start}..${end} is ${excerpt(there)}, not ${excerpt(exact)}; ${hint}`,
    )
  }
  if (prefix !== undefined && content.slice(Math.max(0, start - prefix.length), start) !== prefix) {
    return notFound(
      `exact is at ${start}..${end}, but the text before it does not end with prefix ${excerpt(prefix)}`,
    )
  }
  if (suffix !== undefined && content.slice(end, end + suffix.length) !== suffix) {
    return notFound(
      `exact is at ${start}..${end}, but the text after it does not start with suffix ${excerpt(suffix)}`,
    )
  }
  return { found: true, start, end }
}

function bySelector(content: string, quote: Quote): QuoteLocation {
  const { exact, prefix = '', suffix = '' } = quote
  const matches = occurrences(content, prefix + exact + suffix).map((at) => at + prefix.length)
  const [start] = matches
  if (start === undefined) {
    const alone = prefix === '' && suffix === '' ? [] : occurrences(content, exact)
    return notFound(
      alone.length === 0
        ? `${excerpt(exact)} does not occur in the text`
        : `${excerpt(exact)} occurs at start ${listed(alone)}, but not with the given prefix and suffix`,
    )
  }
  if (matches.length > 1) {
    return notFound(
      `the quote is ambiguous: it occurs ${matches.length} times (at start ${listed(matches)}); ` +
        'pin it with start and end, or a longer prefix or suffix',
    )
  }
  return { found: true, start, end: start + exact.length }
}

/** Every start of `needle` in `text`, overlapping ones included. */
function occurrences(text: string, needle: string): number[] {
  const found: number[] = []
  if (needle === '') return found
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) found.push(at)
  return found
}

function listed(positions: number[]): string {
  const shown = positions.slice(0, LISTED).join(', ')
  return positions.length > LISTED ? `${shown}, …` : shown
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}…` : text)
}

function notFound(reason: string): QuoteLocation {
  return { found: false, reason }
}
