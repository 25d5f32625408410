import type { Quote } from '../../events/index.js'
import { sourceStream } from '../../events/index.js'
import type { EventStore } from '../stores/eventStore.js'
import { contentSha256 } from '../writeModel/contentSha256.js'
import { locateQuote } from '../writeModel/locateQuote.js'

/**
 * Re-checks a quote against the archived text it was pinned in: the first source with content along the
 * `via` chain, read from the store, whose content must still hash to its recorded contentSha256.
 */
export interface ViaLink {
  sourceId: string
  via?: string
  content?: string
  contentSha256?: string
}

export interface QuoteCheck {
  /** null when no source on the chain has archived content (nothing to check against). */
  verified: boolean | null
  /** The source whose content was checked. */
  checkedAgainst: string | null
  reason?: string
}

export async function registeredSource(store: EventStore, sourceId: string): Promise<ViaLink | undefined> {
  const [registration] = await store.readStream(sourceStream(sourceId))
  return registration === undefined ? undefined : (registration.data as ViaLink)
}

export async function checkQuote(store: EventStore, sourceId: string, quote: Quote): Promise<QuoteCheck> {
  const seen = new Set<string>()
  let current: string | undefined = sourceId
  while (current !== undefined && !seen.has(current)) {
    seen.add(current)
    const source = await registeredSource(store, current)
    if (source?.content !== undefined) {
      if (contentSha256(source.content) !== source.contentSha256) {
        return { verified: false, checkedAgainst: current, reason: 'the archived content no longer matches its contentSha256' }
      }
      const location = locateQuote(source.content, quote)
      return location.found
        ? { verified: true, checkedAgainst: current }
        : { verified: false, checkedAgainst: current, reason: location.reason }
    }
    current = source?.via
  }
  return { verified: null, checkedAgainst: null }
}
