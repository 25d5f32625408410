import { isDeepStrictEqual } from 'node:util'
import type { Test } from 'tap'
import {
  streamOf,
  type ClaimChanges,
  type ClaimCorrected,
  type ClaimRetracted,
  type JurisdictionRegistered,
  type LedgerEvent,
  type PolicyEnacted,
  type Quote,
  type SourceRegistered,
  type StatementMade,
} from '../../events/index.js'
import { LedgerError, type ErrorCode } from '../../src/errors.js'
import { sha256Hex } from '../../src/sha256Hex.js'
import { decide, type DecideOptions, type Run } from '../../src/writeModel/decide.js'
import type { ProposedEvent } from '../../src/writeModel/proposedEvent.js'
import type { ExpectedRevision } from '../../src/writeModel/expectedRevision.js'
import {
  evolveWriteState,
  initialWriteState,
  type WriteState,
} from '../../src/writeModel/writeState.js'

export type StoredEvent = LedgerEvent & { id: string }

/** Folds stored events (in ledger order) into the write model's state. */
export function writeStateOf(history: readonly StoredEvent[]): WriteState {
  const state = initialWriteState()
  for (const event of history) evolveWriteState(state, { ...event, stream: streamOf(event) })
  return state
}

export interface ExpectedFailure {
  /** `errors[0].path`. */
  path?: string
  message?: RegExp
  /** Further fields of `extra`, matched loosely (e.g. `{ currentRevision: null }`). */
  [extra: string]: unknown
}

/**
 * `given(t, [stored events]).when([proposed events]).then([expected runs])`, or `.thenFails(code, …)`.
 * Every spec also checks that `decide` left the given state as it was.
 */
export function given(t: Test, history: readonly StoredEvent[]) {
  const state = writeStateOf(history)
  return {
    state,
    when(events: readonly ProposedEvent[], options?: DecideOptions) {
      const before = structuredClone(state)
      const run = () => decide(state, events, options)
      const untouched = () =>
        t.ok(isDeepStrictEqual(state, before), 'decide leaves the given state as it was')
      return {
        then(expected: readonly Run[]): void {
          t.strictSame(run().runs, expected)
          untouched()
        },
        thenFails(code: ErrorCode, expected: ExpectedFailure = {}): LedgerError | undefined {
          let error: unknown
          try {
            run()
            t.fail(`expected ${code}, but decide accepted the request`)
            return undefined
          } catch (thrown) {
            error = thrown
          }
          untouched()
          if (!(error instanceof LedgerError)) {
            t.fail(`expected a LedgerError ${code}, got ${String(error)}`)
            return undefined
          }
          const { path, message, ...extra } = expected
          t.equal(error.code, code, 'code')
          const { index, errors } = error.extra
          t.equal(errors?.length, 1, 'one error detail')
          t.ok(
            errors?.[0]?.path.startsWith(`/events/${String(index)}/`),
            'the path names extra.index',
          )
          t.ok(
            error.message.includes(errors?.[0]?.message ?? '\0'),
            'the message repeats the detail',
          )
          if (path !== undefined) t.equal(errors?.[0]?.path, path, 'path')
          if (message !== undefined) t.match(error.message, message, 'message')
          if (Object.keys(extra).length > 0) t.match(error.extra, extra, 'extra')
          return error
        },
      }
    },
  }
}

// --- builders of valid events --------------------------------------------------------------------

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
  return `00000000-0000-4000-8000-${String(lastId).padStart(12, '0')}`
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
  return {
    id: nextId(),
    type: 'JurisdictionRegistered',
    data: {
      jurisdictionId,
      name: jurisdictionId,
      kind: 'city',
      ocdId: `ocd-division/country:us/place:${jurisdictionId.replaceAll('-', '_')}`,
      ...data,
    },
  }
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
