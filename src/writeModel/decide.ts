import { changeTypes, streamOf, UNKNOWN, type Quote } from '../../events/index.js'
import { LedgerError, type ErrorCode, type RuleCode } from '../errors.js'
import { sha256Hex } from '../sha256Hex.js'
import { locateQuote } from './locateQuote.js'
import type { ProposedEvent } from './proposedEvent.js'
import {
  contentAlongVia,
  evolveWriteState,
  policyKey,
  type ClaimFacts,
  type Lookup,
  type WriteFacts,
  type WriteState,
} from './writeState.js'

/** Consecutive events of one stream: appended atomically, at the revision they were checked against. */
export interface Run {
  stream: string
  /**
   * The stream's last revision before this run (earlier runs of the same request counted), or
   * `no_stream`: what the decision was made against, so a concurrent writer makes the append fail
   * instead of slipping in between.
   */
  expectedRevision: 'no_stream' | number
  events: ProposedEvent[]
}

export interface WriteDecision {
  runs: Run[]
  /**
   * The state with this request's events laid over it (read-through, never changing `state`): the
   * base for deciding a request that will be committed together with this one.
   */
  after: WriteState
}

export interface DecideOptions {
  /** Ids of the request's events already recorded (idempotent duplicates): judged for placement only. */
  recorded?: ReadonlySet<string>
  /** `indexes[i]` is where `events[i]` stands for error paths (default `i`): an import's line numbers. */
  indexes?: readonly number[]
}

/**
 * Decides whether a request's new events may be written; the caller has checked the schema and the
 * idempotent duplicates' content. First where each `expectedRevision` stands, on the request as sent;
 * then, for the events not yet recorded, every `expectedRevision` against the stored state, then the
 * rules, event by event in array order against the stored state plus the request's earlier events (so
 * a request may register a source and cite it). Throws a `LedgerError` naming the first event that
 * fails; `state` is never changed.
 */
export function decide(state: WriteFacts, events: readonly ProposedEvent[], options: DecideOptions = {}): WriteDecision {
  const proposals = events.map((event, i) => ({
    event,
    stream: streamOf(event),
    index: options.indexes?.[i] ?? i,
  }))
  checkPlacement(proposals)
  const recorded = options.recorded ?? new Set<string>()
  const fresh = proposals.filter(({ event }) => !recorded.has(event.id))
  checkExpectedRevisions(state, fresh)

  const next = overlay(state)
  const runs: Run[] = []
  for (const { event, stream, index } of fresh) {
    checkRules(next, event, index)
    const last = runs.at(-1)
    if (last?.stream === stream) {
      last.events.push(event)
    } else {
      runs.push({
        stream,
        expectedRevision: next.streams.get(stream) ?? 'no_stream',
        events: [event],
      })
    }
    evolveWriteState(next, { ...event, stream })
  }
  return { runs, after: next }
}

interface Proposal {
  event: ProposedEvent
  stream: string
  index: number
}

/**
 * `expectedRevision` stands on a stream's first event in the request as sent, duplicates included: the
 * one check of this rule, for every way in. A misplaced one is a malformed request (400), reported
 * before any mismatch (409) so a client never learns a revision from a request it must rewrite anyway.
 */
function checkPlacement(proposals: readonly Proposal[]): void {
  const seen = new Set<string>()
  for (const proposal of proposals) {
    const { event, stream } = proposal
    if (seen.has(stream) && event.expectedRevision !== undefined) {
      const message = `expectedRevision may only stand on the first event of stream ${stream} in a request`
      throw rejection('expected_revision_misplaced', proposal, 'expectedRevision', message)
    }
    seen.add(stream)
  }
}

/** The first new event of each stream holds its `expectedRevision` against the stored state. */
function checkExpectedRevisions(state: WriteFacts, fresh: readonly Proposal[]): void {
  const seen = new Set<string>()
  for (const proposal of fresh) {
    const { event, stream } = proposal
    if (seen.has(stream)) continue
    seen.add(stream)
    const expected = event.expectedRevision
    const current = state.streams.get(stream) ?? null
    const matches =
      expected === undefined ||
      expected === 'any' ||
      (expected === 'no_stream' ? current === null : expected === current)
    if (!matches) {
      const message = `stream ${stream} is at ${current === null ? 'no revision (it does not exist)' : `revision ${current}`}, expected ${expected}`
      throw rejection('wrong_expected_revision', proposal, 'expectedRevision', message, {
        stream,
        expectedRevision: expected,
        currentRevision: current,
      })
    }
  }
}

/** The error for the event at `index`, with `path` a JSON Pointer below `/events/<index>/`. */
function rejection(
  code: ErrorCode,
  { event, index }: Pick<Proposal, 'event' | 'index'>,
  path: string,
  message: string,
  extra: Record<string, unknown> = {},
): LedgerError {
  return new LedgerError(code, `event ${index} (${event.type}): ${message}`, {
    ...extra,
    index,
    errors: [{ path: `/events/${index}/${path}`, message }],
  })
}

function checkRules(state: WriteState, event: ProposedEvent, index: number): void {
  const fail = (code: RuleCode, field: string, message: string): never => {
    throw rejection(code, { event, index }, `data/${field}`, message)
  }
  const requireSource = (
    code: RuleCode,
    field: string,
    sourceId: string | undefined,
    what: string,
  ): void => {
    if (sourceId !== undefined && !state.sources.has(sourceId)) {
      fail(code, field, `${what} "${sourceId}" is not registered`)
    }
  }
  const requireQuote = (field: string, sourceId: string, quote: Quote | undefined): void => {
    if (quote === undefined) return
    const checked = contentAlongVia(state, sourceId)
    // No content anywhere on the chain: the quote cannot be verified, which is not the same as wrong.
    if (checked === undefined) return
    const location = locateQuote(checked.content, quote)
    if (!location.found) {
      const where =
        checked.sourceId === sourceId
          ? `source "${sourceId}"`
          : `source "${checked.sourceId}" (reached from "${sourceId}" by via: ${checked.chain.join(' -> ')})`
      fail(
        'quote_not_found',
        field,
        `quote not found in the content of ${where}: ${location.reason}`,
      )
    }
  }

  switch (event.type) {
    case 'JurisdictionRegistered': {
      const { jurisdictionId, parentId } = event.data
      const registeredBy = state.jurisdictions.get(jurisdictionId)
      if (registeredBy !== undefined) {
        fail(
          'already_registered',
          'jurisdictionId',
          `jurisdiction "${jurisdictionId}" is already registered (event ${registeredBy})`,
        )
      }
      if (parentId !== undefined && !state.jurisdictions.has(parentId)) {
        fail(
          'parent_not_registered',
          'parentId',
          `parent jurisdiction "${parentId}" is not registered`,
        )
      }
      return
    }
    case 'SourceRegistered': {
      const { sourceId, via, content, contentSha256: declared } = event.data
      const registered = state.sources.get(sourceId)
      if (registered !== undefined) {
        fail(
          'already_registered',
          'sourceId',
          `source "${sourceId}" is already registered (event ${registered.registeredBy})`,
        )
      }
      requireSource('via_not_registered', 'via', via, 'via source')
      if (content !== undefined && declared !== undefined) {
        const actual = sha256Hex(content)
        if (actual !== declared) {
          fail(
            'content_hash_mismatch',
            'contentSha256',
            `contentSha256 is ${declared}, but the SHA-256 of content's UTF-8 bytes is ${actual}`,
          )
        }
      }
      return
    }
    case 'StatementMade':
    case 'PolicyEnacted':
    case 'PolicyReaffirmed':
    case 'PolicyAmended':
    case 'PolicyRescinded':
    case 'PolicyEnjoined': {
      const { jurisdictionId, sourceId, quote } = event.data
      if (!state.jurisdictions.has(jurisdictionId)) {
        fail(
          'jurisdiction_not_registered',
          'jurisdictionId',
          `jurisdiction "${jurisdictionId}" is not registered`,
        )
      }
      requireSource('source_not_registered', 'sourceId', sourceId, 'source')
      const policyId = 'policyId' in event.data ? event.data.policyId : undefined
      if (policyId !== undefined) {
        const enactedBy = state.policies.get(policyKey(jurisdictionId, policyId))
        if (event.type === 'PolicyEnacted' && enactedBy !== undefined) {
          fail(
            'policy_already_enacted',
            'policyId',
            `policy "${policyId}" of "${jurisdictionId}" is already enacted (event ${enactedBy})`,
          )
        }
        if (event.type !== 'PolicyEnacted' && enactedBy === undefined) {
          fail(
            'policy_not_enacted',
            'policyId',
            `policy "${policyId}" of "${jurisdictionId}" has not been enacted`,
          )
        }
      }
      requireQuote('quote', sourceId, quote)
      return
    }
    case 'ClaimCorrected': {
      const { correctsEventId, changes, evidenceSourceId } = event.data
      const claim = target(
        state,
        event.data.jurisdictionId,
        correctsEventId,
        'correctsEventId',
        fail,
      )
      requireSource(
        'evidence_source_not_registered',
        'evidenceSourceId',
        evidenceSourceId,
        'evidence source',
      )
      requireSource('source_not_registered', 'changes/sourceId', changes.sourceId, 'source')
      if (changes.sourceId !== undefined || changes.quote !== undefined) {
        requireQuote(
          changes.quote === undefined ? 'changes/sourceId' : 'changes/quote',
          changes.sourceId ?? claim.sourceId,
          changes.quote ?? claim.quote,
        )
      }
      if (!changeTypes.includes(claim.type)) {
        const at = changes.stances?.findIndex((stance) => stance.value === UNKNOWN) ?? -1
        if (at !== -1) {
          fail(
            'unknown_not_allowed',
            `changes/stances/${at}/value`,
            `"${UNKNOWN}" is only allowed in stances of ${changeTypes.join(', ')}; claim ${correctsEventId} is a ${claim.type}`,
          )
        }
      }
      return
    }
    case 'ClaimRetracted': {
      target(state, event.data.jurisdictionId, event.data.retractsEventId, 'retractsEventId', fail)
      requireSource(
        'evidence_source_not_registered',
        'evidenceSourceId',
        event.data.evidenceSourceId,
        'evidence source',
      )
      return
    }
  }
}

/** A correction or retraction targets a recorded claim of its own jurisdiction that stands. */
function target(
  state: WriteState,
  jurisdictionId: string,
  claimId: string,
  field: string,
  fail: (code: RuleCode, field: string, message: string) => never,
): ClaimFacts {
  const claim = state.claims.get(claimId)
  if (claim === undefined) {
    return fail('claim_not_found', field, `no claim with id ${claimId} is recorded`)
  }
  if (claim.jurisdictionId !== jurisdictionId) {
    return fail(
      'claim_jurisdiction_mismatch',
      'jurisdictionId',
      `claim ${claimId} belongs to jurisdiction "${claim.jurisdictionId}", not "${jurisdictionId}"`,
    )
  }
  if (claim.retractedBy !== null) {
    return fail(
      'claim_retracted',
      field,
      `claim ${claimId} was retracted by event ${claim.retractedBy}`,
    )
  }
  return claim
}

/**
 * The request's tentative state: maps that read through to the stored facts and keep their own
 * writes. Sound because `evolveWriteState` only `set`s and never changes a value in place.
 */
function overlay(state: WriteFacts): WriteState {
  return {
    jurisdictions: new OverlayMap(state.jurisdictions),
    sources: new OverlayMap(state.sources),
    policies: new OverlayMap(state.policies),
    claims: new OverlayMap(state.claims),
    streams: new OverlayMap(state.streams),
  }
}

/** Only `get`, `has` and `set` read through; iteration and `size` see this layer's writes alone. */
class OverlayMap<K, V> extends Map<K, V> {
  readonly #base: Lookup<K, V>

  constructor(base: Lookup<K, V>) {
    super()
    this.#base = base
  }

  override get(key: K): V | undefined {
    return super.has(key) ? super.get(key) : this.#base.get(key)
  }

  override has(key: K): boolean {
    return super.has(key) || this.#base.has(key)
  }
}
