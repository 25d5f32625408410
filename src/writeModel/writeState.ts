import type { ClaimType, LedgerEvent, Quote } from '../../events/index.js'

/**
 * What the write model must know about the ledger to decide a write: the facts its rules look at and
 * nothing else (no stances, no summaries). The stored facts are read from the store's tables
 * (`WriteFacts`, lookups only); a request's own events are folded into maps laid over them
 * (`WriteState`).
 *
 * `evolveWriteState` only ever `set`s entries and never changes a value in place: `decide` lays a
 * request's tentative events over the stored facts with maps that read through to them, and relies on
 * that to leave the stored facts untouched.
 */

export interface Lookup<K, V> {
  get(key: K): V | undefined
  has(key: K): boolean
}

export interface WriteFacts {
  /** jurisdictionId -> id of the event that registered it. */
  jurisdictions: Lookup<string, string>
  sources: Lookup<string, SourceFacts>
  /** `policyKey(jurisdictionId, policyId)` -> id of the event that enacted it. */
  policies: Lookup<string, string>
  /** claim event id -> the claim as currently corrected. */
  claims: Lookup<string, ClaimFacts>
  /** stream -> its last revision (0-based: the number of its events minus one). */
  streams: Lookup<string, number>
}

/** Facts held in maps: a request's own events over the stored ones, or a whole history in a test. */
export interface WriteState extends WriteFacts {
  jurisdictions: Map<string, string>
  sources: Map<string, SourceFacts>
  policies: Map<string, string>
  claims: Map<string, ClaimFacts>
  streams: Map<string, number>
}

export interface SourceFacts {
  registeredBy: string
  via?: string
  /** The archived text, kept because quotes are checked against it. */
  content?: string
}

export interface ClaimFacts {
  type: ClaimType
  jurisdictionId: string
  /** As currently corrected. */
  sourceId: string
  /** As currently corrected. */
  quote?: Quote
  /** The id of the retraction, null while the claim stands. */
  retractedBy: string | null
}

/** What `evolveWriteState` reads from an event: a recorded event qualifies. */
export type WriteStateEvent = LedgerEvent & { id: string; stream: string }

export function initialWriteState(): WriteState {
  return {
    jurisdictions: new Map(),
    sources: new Map(),
    policies: new Map(),
    claims: new Map(),
    streams: new Map(),
  }
}

/** Slugs have no `/`, so the key is unambiguous. */
export function policyKey(jurisdictionId: string, policyId: string): string {
  return `${jurisdictionId}/${policyId}`
}

/**
 * Folds one event into the state, in place. Stored events are taken as valid: a correction of an
 * unknown claim (which `decide` never lets through) changes nothing.
 */
export function evolveWriteState(state: WriteState, event: WriteStateEvent): WriteState {
  state.streams.set(event.stream, (state.streams.get(event.stream) ?? -1) + 1)
  switch (event.type) {
    case 'JurisdictionRegistered':
      state.jurisdictions.set(event.data.jurisdictionId, event.id)
      return state
    case 'SourceRegistered': {
      const { via, content } = event.data
      state.sources.set(event.data.sourceId, {
        registeredBy: event.id,
        ...(via === undefined ? {} : { via }),
        ...(content === undefined ? {} : { content }),
      })
      return state
    }
    case 'PolicyEnacted':
      state.policies.set(policyKey(event.data.jurisdictionId, event.data.policyId), event.id)
      recordClaim(state, event)
      return state
    case 'StatementMade':
    case 'PolicyReaffirmed':
    case 'PolicyAmended':
    case 'PolicyRescinded':
    case 'PolicyEnjoined':
      recordClaim(state, event)
      return state
    case 'ClaimCorrected': {
      const claim = state.claims.get(event.data.correctsEventId)
      if (claim === undefined) return state
      const { sourceId, quote } = event.data.changes
      state.claims.set(event.data.correctsEventId, {
        ...claim,
        ...(sourceId === undefined ? {} : { sourceId }),
        ...(quote === undefined ? {} : { quote }),
      })
      return state
    }
    case 'ClaimRetracted': {
      const claim = state.claims.get(event.data.retractsEventId)
      if (claim === undefined) return state
      state.claims.set(event.data.retractsEventId, { ...claim, retractedBy: event.id })
      return state
    }
  }
}

function recordClaim(state: WriteState, event: WriteStateEvent & { type: ClaimType }): void {
  const { jurisdictionId, sourceId, quote } = event.data
  state.claims.set(event.id, {
    type: event.type,
    jurisdictionId,
    sourceId,
    ...(quote === undefined ? {} : { quote }),
    retractedBy: null,
  })
}

/** The first source with archived content along the `via` chain starting at `sourceId`. */
export interface ContentSource {
  sourceId: string
  content: string
  /** The sources walked, from `sourceId` to the one with content. */
  chain: string[]
}

/**
 * Where a quote citing `sourceId` is checked: the first source with content along its `via` chain, or
 * undefined when none on the chain has content (the quote is then unverifiable, not wrong).
 */
export function contentAlongVia(state: WriteFacts, sourceId: string): ContentSource | undefined {
  const chain: string[] = []
  let current: string | undefined = sourceId
  // `via` must be registered before the source that names it, so a chain cannot loop; the guard keeps
  // a hand-built or imported state from hanging the writer anyway.
  while (current !== undefined && !chain.includes(current)) {
    chain.push(current)
    const source = state.sources.get(current)
    if (source?.content !== undefined) return { sourceId: current, content: source.content, chain }
    current = source?.via
  }
  return undefined
}
