import type { Quote } from '../../events/index.js'
import type { SourceRecord } from '../../projections/index.js'
import { sha256Hex } from '../sha256Hex.js'
import { locateQuote } from '../writeModel/locateQuote.js'

/**
 * Re-checks a quote against the archived text it was pinned in: the first source with content along the
 * `via` chain, whose content must still hash to its recorded contentSha256.
 */

export interface SourceLookup {
  sourceOf(sourceId: string): SourceRecord | null
  sourceContent(sourceId: string): string | undefined
}

export interface QuoteCheck {
  /** null when no source on the chain has archived content (nothing to check against). */
  verified: boolean | null
  /** The source whose content was checked. */
  checkedAgainst: string | null
  reason?: string
}

export function checkQuote(sources: SourceLookup, sourceId: string, quote: Quote): QuoteCheck {
  const seen = new Set<string>()
  let current: string | undefined = sourceId
  while (current !== undefined && !seen.has(current)) {
    seen.add(current)
    const source = sources.sourceOf(current)
    const content = source?.hasContent === true ? sources.sourceContent(current) : undefined
    if (source !== null && content !== undefined) {
      if (sha256Hex(content) !== source.contentSha256) {
        return { verified: false, checkedAgainst: current, reason: 'the archived content no longer matches its contentSha256' }
      }
      const location = locateQuote(content, quote)
      return location.found
        ? { verified: true, checkedAgainst: current }
        : { verified: false, checkedAgainst: current, reason: location.reason }
    }
    current = source?.via
  }
  return { verified: null, checkedAgainst: null }
}
