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

/** Requests and events one group commit takes at most. */
const MAX_GROUP_REQUESTS = 256
const MAX_GROUP_EVENTS = 5_000

export function createRecordEvents(deps: RecordEventsDeps) {
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

  function metadataFor(context: RecordContext, recordedAt: string): Metadata {
    return {
      recordedAt,
      recordedBy: context.recordedBy,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      ...(context.correlationId === undefined ? {} : { correlationId: context.correlationId }),
    }
  }

  function outcome(events: ProposedEvent[], existing: Map<string, StoredEvent>, written: Map<string, StoredEvent>): RecordOutcome {
    const writtenHere = events.filter((event) => !existing.has(event.id) && written.has(event.id)).length
    return {
      allDuplicates: writtenHere === 0,
      written: writtenHere,
      events: events.map((event) => resultOf(existing.get(event.id) ?? written.get(event.id)!)),
    }
  }

  /** What one request would write, decided on `state`; undefined when every event is already recorded. */
  async function prepare(request: Pending, state: WriteState) {
    const existing = await classify(request.events)
    const freshIndexes = request.events.flatMap((event, index) => (existing.has(event.id) ? [] : [index]))
    if (freshIndexes.length === 0) return { existing, decision: undefined }
    const fresh = freshIndexes.map((index) => request.events[index]!)
    return { existing, decision: decide(state, fresh, freshIndexes) }
  }

  /** One request on its own; a racing writer that stored one of its ids first makes it look again. */
  async function commitAlone(request: Pending): Promise<RecordOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        // decide on everything the store holds (another replica may have written since we last looked)
        await deps.runner.waitFor(await deps.store.head())
        const { existing, decision } = await prepare(request, deps.writeState())
        if (decision === undefined) return outcome(request.events, existing, new Map())
        const stored = await deps.store.append(toAppend(decision.runs, metadataFor(request.context, recordedAtNow())))
        await deps.runner.waitFor(stored[stored.length - 1]!.position + 1)
        return outcome(request.events, existing, new Map(stored.map((event) => [event.id, event])))
      } catch (error) {
        if (!(error instanceof DuplicateEventId) || attempt >= 3) throw translate(error)
      }
    }
  }

  /**
   * Group commit: requests that arrived while the last commit was being made are decided one after
   * another, each on the state the ones before it leave, and written in ONE transaction, so concurrent
   * single-event writers share an fsync. Each request stays all or nothing: one that breaks a rule is
   * refused alone and the others go on.
   */
  async function commitGroup(group: Pending[]): Promise<void> {
    await deps.runner.waitFor(await deps.store.head())
    let state = deps.writeState()
    const ids = new Set<string>()
    const accepted: Array<{ request: Pending; existing: Map<string, StoredEvent>; runs: StreamAppend[] }> = []
    const recordedAt = recordedAtNow()
    const later: Pending[] = []
    for (const request of group) {
      if (request.events.some((event) => ids.has(event.id))) {
        later.push(request) // it reuses an id of this group: decide it once that one is stored
        continue
      }
      try {
        const { existing, decision } = await prepare(request, state)
        if (decision === undefined) {
          request.resolve(outcome(request.events, existing, new Map()))
          continue
        }
        state = decision.after
        for (const event of request.events) ids.add(event.id)
        accepted.push({ request, existing, runs: toAppend(decision.runs, metadataFor(request.context, recordedAt)) })
      } catch (error) {
        request.reject(translate(error))
      }
    }
    queue.unshift(...later)
    if (accepted.length === 0) return
    let stored: StoredEvent[]
    try {
      stored = await deps.store.append(accepted.flatMap(({ runs }) => runs))
    } catch {
      // a writer outside this process got in between: decide each request again, alone
      for (const { request } of accepted) await commitAlone(request).then(request.resolve, request.reject)
      return
    }
    await deps.runner.waitFor(stored[stored.length - 1]!.position + 1)
    const written = new Map(stored.map((event) => [event.id, event]))
    for (const { request, existing } of accepted) request.resolve(outcome(request.events, existing, written))
  }

  interface Pending {
    events: ProposedEvent[]
    context: RecordContext
    resolve(outcome: RecordOutcome): void
    reject(error: unknown): void
  }

  const queue: Pending[] = []
  let draining = false
  // EventStoreDB appends run by run, not as one transaction: there a request is committed alone
  const grouping = deps.store.kind === 'sqlite'

  function takeGroup(): Pending[] {
    const group = [queue.shift()!]
    let events = group[0]!.events.length
    while (grouping && queue.length > 0 && group.length < MAX_GROUP_REQUESTS) {
      const next = queue[0]!
      if (events + next.events.length > MAX_GROUP_EVENTS) break
      group.push(queue.shift()!)
      events += next.events.length
    }
    return group
  }

  async function drain(): Promise<void> {
    draining = true
    try {
      while (queue.length > 0) {
        // let requests that arrived during the last commit (its fsync blocks the event loop) join this one
        if (grouping) await new Promise((resolve) => setImmediate(resolve))
        const group = takeGroup()
        if (group.length === 1) await commitAlone(group[0]!).then(group[0]!.resolve, group[0]!.reject)
        else await commitGroup(group).catch((error: unknown) => group.forEach((request) => request.reject(translate(error))))
      }
    } finally {
      draining = false
    }
  }

  return function recordEvents(events: ProposedEvent[], context: RecordContext): Promise<RecordOutcome> {
    try {
      assertCanonicalisable(events)
    } catch (error) {
      return Promise.reject(error)
    }
    return new Promise((resolve, reject) => {
      queue.push({ events, context, resolve, reject })
      if (!draining) void drain()
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
