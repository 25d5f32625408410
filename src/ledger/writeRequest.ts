import { z } from 'zod'
import { EventId, eventDataSchemas, eventTypes, type LedgerEvent } from '../../events/index.js'
import { LedgerError } from '../errors.js'
import { canonicalJson, NotCanonicalisable } from '../log/canonicalJson.js'
import type { AppendedEvent } from '../stores/eventStore.js'
import { ExpectedRevision } from '../writeModel/expectedRevision.js'
import type { ProposedEvent } from '../writeModel/proposedEvent.js'

/**
 * The write contract: what a request carries (the body of `POST /events`, the event lines of
 * `import`), and what recording it answers. 1 to 1 000 events, each validated whole before anything
 * is written. Where `expectedRevision` may stand is a rule of the write model (`decide`), not of the
 * schema, so both ways in are held to it once.
 */

/** One event as a client sends it: the id may be left to the server. */
export type WriteItem = LedgerEvent & { id?: string; expectedRevision?: ExpectedRevision }

// one object schema per event type; the union's type is spelled out once, above
export const WriteItem = z.discriminatedUnion(
  'type',
  eventTypes.map((type) =>
    z.strictObject({
      id: EventId.optional(),
      type: z.literal(type),
      data: eventDataSchemas[type],
      expectedRevision: ExpectedRevision.optional(),
    }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<WriteItem>

export const MAX_EVENTS_PER_REQUEST = 1_000

export const WriteRequest = z
  .strictObject({
    events: z.array(WriteItem).min(1, 'send at least one event').max(MAX_EVENTS_PER_REQUEST, `at most ${MAX_EVENTS_PER_REQUEST} events a request`),
  })
  .superRefine((body, ctx) => {
    const seen = new Map<string, number>()
    body.events.forEach(({ id }, index) => {
      if (id === undefined) return
      const first = seen.get(id)
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['events', index, 'id'], message: `the same id as events[${first}]` })
      }
      seen.set(id, index)
    })
  })
export type WriteRequest = z.output<typeof WriteRequest>

/** An event with its id: a server-made one where the client left it out. */
export function withId(item: WriteItem, newId: () => string): ProposedEvent {
  return { ...item, id: item.id ?? newId() }
}

/** The request's events with their ids. */
export function withIds(items: readonly WriteItem[], newId: () => string): ProposedEvent[] {
  return items.map((item) => withId(item, newId))
}

export const WriteResponse = z.object({
  events: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      stream: z.string(),
      revision: z.number(),
      position: z.number(),
      recordedAt: z.string(),
    }),
  ),
})

export interface RecordOutcome {
  /** True when every event was already recorded (an idempotent retry): nothing was written. */
  allDuplicates: boolean
  /** How many of the events this call wrote (the rest were already recorded). */
  written: number
  events: AppendedEvent[]
}

export interface RecordContext {
  recordedBy: string
  correlationId?: string
}

/** A proposed event with its data in RFC 8785 canonical form, made once: its entry is built from it. */
export type CheckedEvent = ProposedEvent & { canonicalData: string }

/** Canonicalises each event's data once; strings with lone surrogates cannot be, and are a 400. */
export function checkEvents(events: readonly ProposedEvent[]): CheckedEvent[] {
  return events.map((event, index) => {
    try {
      return { ...event, canonicalData: canonicalJson(event.data) }
    } catch (error) {
      if (!(error instanceof NotCanonicalisable)) throw error
      const path = `/events/${index}/data${error.path}`
      throw new LedgerError('invalid_string', `${path}: ${error.message}`, { errors: [{ path, message: error.message }] })
    }
  })
}
