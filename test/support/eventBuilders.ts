import {
  LedgerEvent,
  streamOf,
  type Actor,
  type ClaimChanges,
  type ClaimCorrected,
  type ClaimRetracted,
  type ClaimType,
  type JurisdictionRegistered,
  type PolicyEnacted,
  type Quote,
  type RecordedEvent,
  type SourceRegistered,
  type Stance,
  type StatementMade,
} from '../../events/index.js'
import { sha256Hex } from '../../src/sha256Hex.js'
import type { ExpectedRevision } from '../../src/writeModel/expectedRevision.js'
import type { ProposedEvent } from '../../src/writeModel/proposedEvent.js'

/**
 * The tests' one set of event builders. `eventLog` builds a ledger of `RecordedEvent`s for the read
 * side: positions, stream revisions, deterministic uuids and a `recordedAt` clock that advances
 * `stepMs` per event; every event's data is parsed with its schema, so a test cannot build an event the
 * ledger would refuse to store. Below it, the proposed events a write request carries (with an id),
 * for the write model's specs and the HTTP specs.
 */

export interface EventLogOptions {
  /** `recordedAt` of the first event; default 2024-01-01T00:00:00.000Z. */
  start?: string
  /** How far the clock moves after each event; default 1000 ms. */
  stepMs?: number
  recordedBy?: string
}

/** Per-event envelope overrides. `recordedAt` also resets the clock: later events follow it. */
export interface Meta {
  id?: string
  recordedAt?: string
  recordedBy?: string
}

/** `{ dimension: value }` is shorthand for `[{ dimension, value }]`. */
export type StancesInput = readonly Stance[] | Readonly<Record<string, string>>

export interface ClaimInput {
  /** Default `StatementMade`. */
  type?: ClaimType
  /** Default: the jurisdiction registered last. */
  jurisdictionId?: string
  on: string
  /** Default: none. */
  stances?: StancesInput
  /** Default `{ id: 'mayor', name: 'The Mayor' }` (official by default). */
  actor?: Actor
  /** Default: the source registered last. */
  sourceId?: string
  summary?: string
  dateBasis?: string
  quote?: { exact: string; prefix?: string; suffix?: string; start?: number; end?: number }
  /** Default `policy-1` for every policy type but `PolicyReaffirmed`. */
  policyId?: string
  /** `PolicyEnacted` only; defaults `executive-order` and `A policy`. */
  instrument?: string
  title?: string
}

export interface EventLog {
  readonly events: RecordedEvent[]
  jurisdiction(
    jurisdictionId: string,
    data?: Partial<JurisdictionRegistered>,
    meta?: Meta,
  ): RecordedEvent
  source(sourceId: string, data?: Partial<SourceRegistered>, meta?: Meta): RecordedEvent
  claim(input: ClaimInput, meta?: Meta): RecordedEvent
  correct(
    target: RecordedEvent | string,
    changes: Omit<ClaimChanges, 'stances'> & { stances?: StancesInput },
    extra?: { reason?: string; evidenceSourceId?: string; jurisdictionId?: string },
    meta?: Meta,
  ): RecordedEvent
  retract(
    target: RecordedEvent | string,
    extra?: { reason?: string; evidenceSourceId?: string; jurisdictionId?: string },
    meta?: Meta,
  ): RecordedEvent
  /** Any event, parsed and stamped like the others. */
  append(event: LedgerEvent, meta?: Meta): RecordedEvent
}

/** A city registered under `jurisdictionId`, its name and Open Civic Data id made from it. */
export function jurisdictionData(jurisdictionId: string, data: Partial<JurisdictionRegistered> = {}): JurisdictionRegistered {
  return {
    jurisdictionId,
    name: jurisdictionId,
    kind: 'city',
    ocdId: `ocd-division/country:us/place:${jurisdictionId.replaceAll('-', '_')}`,
    ...data,
  }
}

/** The n-th deterministic event id: a valid version-4 uuid. */
export function eventId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`
}

export function stancesOf(input: StancesInput | undefined): Stance[] {
  if (input === undefined) return []
  if (Array.isArray(input)) return [...(input as readonly Stance[])]
  return Object.entries(input).map(([dimension, value]) => ({ dimension, value }))
}

const policyTypes: readonly ClaimType[] = [
  'PolicyEnacted',
  'PolicyAmended',
  'PolicyRescinded',
  'PolicyEnjoined',
]

export function eventLog(options: EventLogOptions = {}): EventLog {
  const events: RecordedEvent[] = []
  const revisions = new Map<string, number>()
  let clock = Date.parse(options.start ?? '2024-01-01T00:00:00.000Z')
  const stepMs = options.stepMs ?? 1_000
  let lastJurisdiction: string | undefined
  let lastSource: string | undefined

  function append(event: LedgerEvent, meta: Meta = {}): RecordedEvent {
    const parsed = LedgerEvent.parse(event)
    const stream = streamOf(parsed)
    const revision = (revisions.get(stream) ?? -1) + 1
    revisions.set(stream, revision)
    const recordedAt = meta.recordedAt ?? new Date(clock).toISOString()
    clock = Date.parse(recordedAt) + stepMs
    const recorded = {
      ...parsed,
      id: meta.id ?? eventId(events.length + 1),
      metadata: {
        recordedAt,
        recordedBy: meta.recordedBy ?? options.recordedBy ?? 'test',
        schemaVersion: 1,
      },
      position: events.length,
      stream,
      revision,
    } as RecordedEvent
    events.push(recorded)
    return recorded
  }

  function targetOf(target: RecordedEvent | string): { id: string; jurisdictionId: string } {
    const event =
      typeof target === 'string' ? events.find((candidate) => candidate.id === target) : target
    if (event === undefined) throw new Error(`no event ${String(target)} in this log`)
    return {
      id: event.id,
      jurisdictionId: (event.data as { jurisdictionId: string }).jurisdictionId,
    }
  }

  function required(value: string | undefined, what: string): string {
    if (value === undefined) throw new Error(`register a ${what} first, or name one`)
    return value
  }

  return {
    events,
    append,
    jurisdiction(jurisdictionId, data = {}, meta) {
      lastJurisdiction = jurisdictionId
      return append({ type: 'JurisdictionRegistered', data: jurisdictionData(jurisdictionId, data) }, meta)
    },
    source(sourceId, data = {}, meta) {
      lastSource = sourceId
      return append(
        {
          type: 'SourceRegistered',
          data: {
            sourceId,
            kind: 'news-article',
            title: sourceId,
            publisher: 'Test',
            publishedOn: '2016',
            ...data,
          },
        },
        meta,
      )
    },
    claim(input, meta) {
      const type = input.type ?? 'StatementMade'
      const data: Record<string, unknown> = {
        jurisdictionId: input.jurisdictionId ?? required(lastJurisdiction, 'jurisdiction'),
        actor: input.actor ?? { id: 'mayor', name: 'The Mayor' },
        on: input.on,
        summary: input.summary ?? `claim on ${input.on}`,
        sourceId: input.sourceId ?? required(lastSource, 'source'),
        stances: stancesOf(input.stances),
      }
      if (input.dateBasis !== undefined) data.dateBasis = input.dateBasis
      if (input.quote !== undefined) data.quote = input.quote
      const policyId = input.policyId ?? (policyTypes.includes(type) ? 'policy-1' : undefined)
      if (policyId !== undefined) data.policyId = policyId
      if (type === 'PolicyEnacted') {
        data.instrument = input.instrument ?? 'executive-order'
        data.title = input.title ?? 'A policy'
      }
      return append({ type, data } as LedgerEvent, meta)
    },
    correct(target, changes, extra = {}, meta) {
      const { id, jurisdictionId } = targetOf(target)
      const { stances, ...rest } = changes
      return append(
        {
          type: 'ClaimCorrected',
          data: {
            jurisdictionId: extra.jurisdictionId ?? jurisdictionId,
            correctsEventId: id,
            changes: { ...rest, ...(stances !== undefined && { stances: stancesOf(stances) }) },
            reason: extra.reason ?? 'corrected',
            ...(extra.evidenceSourceId !== undefined && {
              evidenceSourceId: extra.evidenceSourceId,
            }),
          },
        },
        meta,
      )
    },
    retract(target, extra = {}, meta) {
      const { id, jurisdictionId } = targetOf(target)
      return append(
        {
          type: 'ClaimRetracted',
          data: {
            jurisdictionId: extra.jurisdictionId ?? jurisdictionId,
            retractsEventId: id,
            reason: extra.reason ?? 'retracted',
            ...(extra.evidenceSourceId !== undefined && {
              evidenceSourceId: extra.evidenceSourceId,
            }),
          },
        },
        meta,
      )
    },
  }
}

// --- proposed events: what a write request carries, for the write model's specs and HTTP specs ---

/**
 * An archived text with a repeated sentence (for ambiguous quotes) and a character outside the BMP
 * (so UTF-16 offsets differ from code points).
 */
export const ARTICLE =
  'The mayor said the city will remain a sanctuary city. ' +
  'The chief said officers will not ask anyone about their status. ' +
  'The council said the city will remain a sanctuary city. ' +
  'A tweet 🗽 said: "We stand with our immigrant neighbors."'

/** A quote that occurs once in ARTICLE. */
export const CHIEF_QUOTE: Quote = { exact: 'officers will not ask anyone about their status' }

let lastId = 0
/** Valid, distinct, readable uuids: …-000000000001, …-000000000002, … */
export function nextId(): string {
  lastId += 1
  return eventId(lastId)
}

export function withRevision<E extends ProposedEvent>(
  event: E,
  expectedRevision: ExpectedRevision,
): E {
  return { ...event, expectedRevision }
}

export function jurisdictionRegistered(
  jurisdictionId: string,
  data: Partial<JurisdictionRegistered> = {},
): ProposedEvent {
  return { id: nextId(), type: 'JurisdictionRegistered', data: jurisdictionData(jurisdictionId, data) }
}

/** A source archiving ARTICLE (or `data.content`) with its correct hash. */
export function sourceRegistered(
  sourceId: string,
  data: Partial<SourceRegistered> = {},
): ProposedEvent {
  const content = data.content ?? ARTICLE
  return sourceWithoutContent(sourceId, { content, contentSha256: sha256Hex(content), ...data })
}

export function sourceWithoutContent(
  sourceId: string,
  data: Partial<SourceRegistered> = {},
): ProposedEvent {
  return {
    id: nextId(),
    type: 'SourceRegistered',
    data: {
      sourceId,
      kind: 'news-article',
      title: `The ${sourceId}`,
      publisher: 'A Publisher',
      publishedOn: '2016-11-17',
      ...data,
    },
  }
}

function claimFields(jurisdictionId: string, sourceId: string) {
  return {
    jurisdictionId,
    actor: { id: 'chief', name: 'The Chief', office: 'Chief of Police' },
    on: '2016-11-14',
    summary: 'The chief says officers will not ask about status.',
    quote: CHIEF_QUOTE,
    sourceId,
    stances: [{ dimension: 'status_inquiry', value: 'prohibited' }],
  }
}

/** A statement quoting CHIEF_QUOTE from `sourceId`. */
export function statementMade(
  jurisdictionId: string,
  sourceId: string,
  data: Partial<StatementMade> = {},
): ProposedEvent {
  return {
    id: nextId(),
    type: 'StatementMade',
    data: { ...claimFields(jurisdictionId, sourceId), ...data },
  }
}

export function policyEnacted(
  jurisdictionId: string,
  sourceId: string,
  policyId: string,
  data: Partial<PolicyEnacted> = {},
): ProposedEvent {
  return {
    id: nextId(),
    type: 'PolicyEnacted',
    data: {
      ...claimFields(jurisdictionId, sourceId),
      policyId,
      instrument: 'executive-order',
      title: `Order ${policyId}`,
      ...data,
    },
  }
}

/** PolicyReaffirmed, PolicyAmended, PolicyRescinded or PolicyEnjoined of `policyId`. */
export function policyAction(
  type: 'PolicyReaffirmed' | 'PolicyAmended' | 'PolicyRescinded' | 'PolicyEnjoined',
  jurisdictionId: string,
  sourceId: string,
  policyId: string | undefined,
): ProposedEvent {
  const data = {
    ...claimFields(jurisdictionId, sourceId),
    ...(policyId === undefined ? {} : { policyId }),
  }
  // The builder's callers pick the type; the data fits all four.
  return { id: nextId(), type, data } as ProposedEvent
}

export function claimCorrected(
  jurisdictionId: string,
  correctsEventId: string,
  changes: ClaimChanges,
  data: Partial<ClaimCorrected> = {},
): ProposedEvent {
  return {
    id: nextId(),
    type: 'ClaimCorrected',
    data: { jurisdictionId, correctsEventId, changes, reason: 'A better reading.', ...data },
  }
}

export function claimRetracted(
  jurisdictionId: string,
  retractsEventId: string,
  data: Partial<ClaimRetracted> = {},
): ProposedEvent {
  return {
    id: nextId(),
    type: 'ClaimRetracted',
    data: { jurisdictionId, retractsEventId, reason: 'Misattributed.', ...data },
  }
}

/**
 * A write request's event: the press office says a seed jurisdiction's declared status is `value`
 * on `on`, citing the seed's article (a ledger seeded with it). The smallest claim that changes a stance.
 */
export function pressStatement(jurisdictionId: string, on: string, value: string) {
  return seedStatement({
    jurisdictionId,
    actor: { id: 'press-office', name: 'Press Office' },
    on,
    summary: `The press office said the city is ${value}.`,
    stances: [{ dimension: 'declared_status', value }],
  })
}

/**
 * A write request's statement citing the seed's article (a ledger seeded with it): the mayor of
 * Chicago on 2016-11-20, no stances, unless `data` says otherwise.
 */
export function seedStatement(data: Record<string, unknown> = {}) {
  return {
    type: 'StatementMade',
    data: {
      jurisdictionId: 'us-il-chicago',
      actor: { id: 'rahm-emanuel', name: 'Rahm Emanuel' },
      on: '2016-11-20',
      summary: 'The mayor made a statement.',
      sourceId: 'abcnews-2016-11-17-cities-push-back',
      stances: [],
      ...data,
    },
  }
}
