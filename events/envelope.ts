import { z } from 'zod'
import { EventId } from './claimFields.js'
import { eventDataSchemas, eventTypes, type LedgerEvent } from './catalogue.js'

export const CURRENT_SCHEMA_VERSION = 1

export const Metadata = z.strictObject({
  recordedAt: z.iso.datetime(),
  recordedBy: z.string().min(1).max(200),
  schemaVersion: z.number().int().min(1),
  correlationId: z.string().min(1).max(200).optional(),
  causationId: z.string().min(1).max(200).optional(),
})
export type Metadata = z.infer<typeof Metadata>

/** An event as stored: `{ id, type, data, metadata }`. */
export type EventEnvelope = LedgerEvent & { id: string; metadata: Metadata }

/** What every projection sees: the envelope and where it sits in the ledger. */
export type RecordedEvent = EventEnvelope & {
  /** 0-based index in the ledger: the same on every store and replica, and the Merkle leaf index. */
  position: number
  stream: string
  /** 0-based index within its stream. */
  revision: number
}

/** A stored envelope of the current schema version, checked whole in one pass: shape, type and data. */
export const StoredEnvelope = z.discriminatedUnion(
  'type',
  eventTypes.map((type) =>
    z.strictObject({
      id: EventId,
      stream: z.string().min(1).max(200),
      type: z.literal(type),
      data: eventDataSchemas[type],
      metadata: Metadata,
    }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<EventEnvelope & { stream: string }>
