import { canonicalJson, NotCanonicalisable } from '../log/canonicalJson.js'
import { entryOf, leafHash } from '../log/entry.js'
import { LedgerError } from '../errors.js'
import { CURRENT_SCHEMA_VERSION, streamOf, type Metadata } from '../../events/index.js'
import {
  DuplicateEventId,
  PartialAppend,
  WrongExpectedRevision,
  type EventStore,
  type EventToAppend,
  type StoredEvent,
  type StreamAppend,
} from '../stores/eventStore.js'
import { decide } from '../writeModel/decide.js'
import type { WriteState } from '../writeModel/writeState.js'
import type { ProposedEvent } from '../writeModel/proposedEvent.js'
import type { ProjectionRunner } from '../runner/projectionRunner.js'
import { serialised } from './serialised.js'

/**
 * The write path: idempotency, then the write model's decision, then one append, then wait until this
 * instance has applied the events (and signed their checkpoint) before answering.
 */
export interface RecordedResult {
  id: string
  type: string
  stream: string
  revision: number
  position: number
  recordedAt: string
}

export interface RecordOutcome {
  /** True when every event was already recorded (an idempotent retry): nothing was written. */
  allDuplicates: boolean
  /** How many of the events this call wrote (the rest were already recorded). */
  written: number
  events: RecordedResult[]
}

export interface RecordContext {
  recordedBy: string
  correlationId?: string
}

export interface RecordEventsDeps {
  store: EventStore
  runner: ProjectionRunner
  writeState: () => WriteState
  clock: () => Date
}

function resultOf(stored: StoredEvent): RecordedResult {
  const metadata = stored.metadata as Metadata
  return {
    id: stored.id,
    type: stored.type,
    stream: stored.stream,
    revision: stored.revision,
    position: stored.position,
    recordedAt: metadata.recordedAt,
  }
}

/** Strings with lone surrogates cannot be canonicalised; they are a 400 at the schema stage. */
export function assertCanonicalisable(events: ProposedEvent[]): void {
  events.forEach((event, index) => {
    try {
      canonicalJson(event.data)
    } catch (error) {
      if (!(error instanceof NotCanonicalisable)) throw error
      const path = `/events/${index}/data${error.path}`
      throw new LedgerError('invalid_string', `${path}: ${error.message}`, { errors: [{ path, message: error.message }] })
    }
  })
}

export function createRecordEvents(deps: RecordEventsDeps) {
  const exclusive = serialised()

  async function classify(events: ProposedEvent[]): Promise<Map<string, StoredEvent>> {
    const existing = new Map<string, StoredEvent>()
    for (const [index, event] of events.entries()) {
      const stored = await deps.store.eventById(event.id)
      if (stored === undefined) continue
      if (stored.type !== event.type || canonicalJson(stored.data) !== canonicalJson(event.data)) {
        throw new LedgerError(
          'idempotency_conflict',
          `event ${event.id} is already recorded with other content; an id names one event forever`,
          { errors: [{ path: `/events/${index}/id`, message: 'already recorded with a different type or data' }] },
        )
      }
      existing.set(event.id, stored)
    }
    return existing
  }

  function toAppend(runs: ReturnType<typeof decide>['runs'], metadata: Metadata): StreamAppend[] {
    return runs.map((run) => ({
      stream: run.stream,
      expectedRevision: run.expectedRevision,
      events: run.events.map((event): EventToAppend => {
        const stream = streamOf(event)
        const entry = entryOf({ id: event.id, stream, type: event.type, data: event.data, metadata })
        return { id: event.id, stream, type: event.type, data: event.data, metadata, entry, leafHash: leafHash(entry) }
      }),
    }))
  }

  /** Writers stamp recordedAt no earlier than the last one applied, so record time never goes back. */
  function recordedAtNow(): string {
    const now = deps.clock().getTime()
    return new Date(Math.max(now, deps.runner.lastRecordedAt)).toISOString()
  }

  async function attempt(events: ProposedEvent[], context: RecordContext): Promise<RecordOutcome> {
    const existing = await classify(events)
    const freshIndexes = events.flatMap((event, index) => (existing.has(event.id) ? [] : [index]))
    const fresh = freshIndexes.map((index) => events[index]!)
    if (fresh.length === 0) {
      return { allDuplicates: true, written: 0, events: events.map((event) => resultOf(existing.get(event.id)!)) }
    }
    // decide on everything the store holds (another replica may have written since we last looked)
    await deps.runner.waitFor(await deps.store.head())
    const decision = decide(deps.writeState(), fresh, freshIndexes)
    const metadata: Metadata = {
      recordedAt: recordedAtNow(),
      recordedBy: context.recordedBy,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      ...(context.correlationId === undefined ? {} : { correlationId: context.correlationId }),
    }
    const stored = await deps.store.append(toAppend(decision.runs, metadata))
    await deps.runner.waitFor(stored[stored.length - 1]!.position + 1)
    const written = new Map(stored.map((event) => [event.id, event]))
    return {
      allDuplicates: false,
      written: stored.length,
      events: events.map((event) => resultOf(existing.get(event.id) ?? written.get(event.id)!)),
    }
  }

  return async function recordEvents(events: ProposedEvent[], context: RecordContext): Promise<RecordOutcome> {
    assertCanonicalisable(events)
    return exclusive(async () => {
      try {
        return await attempt(events, context)
      } catch (error) {
        if (error instanceof DuplicateEventId) {
          // another writer stored one of these ids between our check and our append: decide again
          return attempt(events, context)
        }
        throw translate(error)
      }
    }).catch((error: unknown) => {
      throw translate(error)
    })
  }
}

function translate(error: unknown): unknown {
  if (error instanceof WrongExpectedRevision) {
    return new LedgerError('wrong_expected_revision', error.message, {
      stream: error.stream,
      expectedRevision: error.expectedRevision,
      currentRevision: error.currentRevision,
    })
  }
  if (error instanceof PartialAppend) {
    return new LedgerError(
      'partial_append',
      `${error.message}; retry the same request with the same ids to complete it`,
      { written: error.written.map(resultOf) },
    )
  }
  return error
}

export type RecordEvents = ReturnType<typeof createRecordEvents>
