import { CURRENT_SCHEMA_VERSION, type Metadata } from '../../events/index.js'
import { LedgerError } from '../errors.js'
import { canonicalJson } from '../log/canonicalJson.js'
import { entryFromCanonical, leafHash } from '../log/entry.js'
import { appendedEvent, type EventToAppend, type StoredEvent, type StreamAppend } from '../stores/eventStore.js'
import { decide, type Run } from '../writeModel/decide.js'
import type { WriteFacts } from '../writeModel/writeState.js'
import type { CheckedEvent, RecordContext, RecordOutcome } from './writeRequest.js'

/**
 * The command handler: one write request, start to end. Read what the store holds, set aside events
 * already recorded (idempotency, one query), decide the rest on the write model's facts, stamp their
 * metadata, append, and answer with where they landed. How appends of concurrent requests share a
 * transaction is the scheduler's business (groupCommit.ts), behind `append`.
 */

export interface WriteDeps {
  /** Resolves once this instance has applied everything the store holds. */
  caughtUp(): Promise<void>
  /** The stored events among these ids. */
  recorded(ids: readonly string[]): Promise<StoredEvent[]>
  /** The facts to decide on: the store's, plus whatever requests go in the same commit before this one. */
  facts(): WriteFacts
  /** recordedAt for this commit: now, and never before the last one applied. */
  recordedAt(): string
  /** Appends the runs (with the facts they leave) and resolves once they are applied and signed. */
  append(runs: StreamAppend[], after: WriteFacts): Promise<StoredEvent[]>
}

export async function handleWrite(events: readonly CheckedEvent[], context: RecordContext, deps: WriteDeps): Promise<RecordOutcome> {
  await deps.caughtUp()
  const existing = idempotent(events, await deps.recorded(events.map((event) => event.id)))
  const decision = decide(deps.facts(), events, { recorded: new Set(existing.keys()) })
  if (decision.runs.length === 0) return outcome(events, existing, [])
  const metadata = metadataFor(context, deps.recordedAt())
  const stored = await deps.append(toAppend(decision.runs, metadata, events), decision.after)
  return outcome(events, existing, stored)
}

/** The events already recorded, by id; the same id with other content is a conflict. */
function idempotent(events: readonly CheckedEvent[], stored: readonly StoredEvent[]): Map<string, StoredEvent> {
  const byId = new Map(stored.map((event) => [event.id, event]))
  const existing = new Map<string, StoredEvent>()
  events.forEach((event, index) => {
    const found = byId.get(event.id)
    if (found === undefined) return
    if (found.type !== event.type || canonicalJson(found.data) !== event.canonicalData) {
      throw new LedgerError(
        'idempotency_conflict',
        `event ${event.id} is already recorded with other content; an id names one event forever`,
        { errors: [{ path: `/events/${index}/id`, message: 'already recorded with a different type or data' }] },
      )
    }
    existing.set(event.id, found)
  })
  return existing
}

export function metadataFor(context: RecordContext, recordedAt: string): Metadata {
  return {
    recordedAt,
    recordedBy: context.recordedBy,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    ...(context.correlationId === undefined ? {} : { correlationId: context.correlationId }),
  }
}

/** Each entry made once, from the data canonicalised when the request was checked. */
function toAppend(runs: readonly Run[], metadata: Metadata, events: readonly CheckedEvent[]): StreamAppend[] {
  const canonicalMetadata = canonicalJson(metadata)
  const checked = new Map(events.map((event) => [event.id, event]))
  return runs.map((run) => ({
    stream: run.stream,
    expectedRevision: run.expectedRevision,
    events: run.events.map((proposed): EventToAppend => {
      const event = checked.get(proposed.id)!
      const entry = entryFromCanonical({ id: event.id, stream: run.stream, type: event.type, canonicalData: event.canonicalData, canonicalMetadata })
      return { id: event.id, stream: run.stream, type: event.type, data: event.data, metadata, entry, leafHash: leafHash(entry) }
    }),
  }))
}

function outcome(events: readonly CheckedEvent[], existing: Map<string, StoredEvent>, stored: readonly StoredEvent[]): RecordOutcome {
  const written = new Map(stored.map((event) => [event.id, event]))
  return {
    allDuplicates: stored.length === 0,
    written: stored.length,
    events: events.map((event) => appendedEvent(existing.get(event.id) ?? written.get(event.id)!)),
  }
}
