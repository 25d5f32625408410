import { z } from 'zod'
import { claimFields, EventId, Quote, Slug, Actor, StancesAfterChange, text } from './claimFields.js'
import { PartialDate } from './partialDate.js'

/** The persisted contract: every event type's data. Never break a stored shape; add a version and upcast. */

export const JurisdictionKind = z.enum(['city', 'county', 'state', 'district', 'federal'])

export const JurisdictionRegistered = z.strictObject({
  jurisdictionId: Slug,
  name: text(300),
  kind: JurisdictionKind,
  ocdId: z
    .string()
    .max(300)
    .regex(/^ocd-division\/country:[a-z]{2}(?:\/[a-z_]+:[^/\s]+)*$/, 'expected an Open Civic Data division id'),
  parentId: Slug.optional(),
})
export type JurisdictionRegistered = z.infer<typeof JurisdictionRegistered>

export const SourceKind = z.enum([
  'news-article',
  'press-release',
  'executive-order',
  'ordinance',
  'statute',
  'court-ruling',
  'social-post',
  'interview',
  'broadcast',
  'other',
])

export const SourceRegistered = z
  .strictObject({
    sourceId: Slug,
    kind: SourceKind,
    title: text(1_000),
    publisher: text(300),
    url: z.url({ protocol: /^https?$/ }).max(2_000).optional(),
    publishedOn: PartialDate,
    retrievedAt: z.iso.datetime({ offset: true }).optional(),
    content: z.string().min(1).max(3_000_000).optional(),
    contentSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits')
      .optional(),
    via: Slug.optional(),
  })
  .superRefine((source, ctx) => {
    if (source.content !== undefined && source.contentSha256 === undefined) {
      ctx.addIssue({ code: 'custom', path: ['contentSha256'], message: 'required when content is given' })
    }
    if (source.via !== undefined && source.via === source.sourceId) {
      ctx.addIssue({ code: 'custom', path: ['via'], message: 'a source cannot be reported by itself' })
    }
  })
export type SourceRegistered = z.infer<typeof SourceRegistered>

export const StatementMade = z.strictObject({ ...claimFields })
export type StatementMade = z.infer<typeof StatementMade>

export const Instrument = z.enum([
  'executive-order',
  'ordinance',
  'statute',
  'directive',
  'special-order',
  'resolution',
  'court-order',
  'program',
])

export const PolicyEnacted = z.strictObject({
  ...claimFields,
  policyId: Slug,
  instrument: Instrument,
  title: text(1_000),
})
export type PolicyEnacted = z.infer<typeof PolicyEnacted>

export const PolicyReaffirmed = z.strictObject({ ...claimFields, policyId: Slug.optional() })
export type PolicyReaffirmed = z.infer<typeof PolicyReaffirmed>

const policyChange = z.strictObject({ ...claimFields, stances: StancesAfterChange, policyId: Slug })
export const PolicyAmended = policyChange
export type PolicyAmended = z.infer<typeof PolicyAmended>
export const PolicyRescinded = policyChange
export type PolicyRescinded = z.infer<typeof PolicyRescinded>
export const PolicyEnjoined = policyChange
export type PolicyEnjoined = z.infer<typeof PolicyEnjoined>

export const ClaimChanges = z
  .strictObject({
    on: PartialDate.optional(),
    dateBasis: text(2_000).optional(),
    stances: StancesAfterChange.optional(),
    quote: Quote.optional(),
    actor: Actor.optional(),
    summary: text(4_000).optional(),
    sourceId: Slug.optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, { message: 'changes must name at least one field' })
export type ClaimChanges = z.infer<typeof ClaimChanges>

export const ClaimCorrected = z.strictObject({
  jurisdictionId: Slug,
  correctsEventId: EventId,
  changes: ClaimChanges,
  reason: text(4_000),
  evidenceSourceId: Slug.optional(),
})
export type ClaimCorrected = z.infer<typeof ClaimCorrected>

export const ClaimRetracted = z.strictObject({
  jurisdictionId: Slug,
  retractsEventId: EventId,
  reason: text(4_000),
  evidenceSourceId: Slug.optional(),
})
export type ClaimRetracted = z.infer<typeof ClaimRetracted>

/** Every event type and its data schema. */
export const eventDataSchemas = {
  JurisdictionRegistered,
  SourceRegistered,
  StatementMade,
  PolicyEnacted,
  PolicyReaffirmed,
  PolicyAmended,
  PolicyRescinded,
  PolicyEnjoined,
  ClaimCorrected,
  ClaimRetracted,
} as const

export type EventType = keyof typeof eventDataSchemas
export const eventTypes = Object.keys(eventDataSchemas) as EventType[]
export const EventTypeName = z.enum(eventTypes as [EventType, ...EventType[]])

/** `{ type, data }` for every event type, discriminated on `type`. */
export type LedgerEvent = {
  [T in EventType]: { type: T; data: z.infer<(typeof eventDataSchemas)[T]> }
}[EventType]

export const LedgerEvent = z.discriminatedUnion(
  'type',
  eventTypes.map((type) => z.strictObject({ type: z.literal(type), data: eventDataSchemas[type] })) as unknown as [
    z.ZodObject<{ type: z.ZodLiteral<EventType>; data: z.ZodType }>,
  ],
) as unknown as z.ZodType<LedgerEvent>

export const claimTypes = [
  'StatementMade',
  'PolicyEnacted',
  'PolicyReaffirmed',
  'PolicyAmended',
  'PolicyRescinded',
  'PolicyEnjoined',
] as const satisfies readonly EventType[]
export type ClaimType = (typeof claimTypes)[number]
export type Claim = Extract<LedgerEvent, { type: ClaimType }>

export function isClaim(event: LedgerEvent): event is Claim {
  return (claimTypes as readonly string[]).includes(event.type)
}

/** Claim types whose stances may say `unknown`: a value stopped being in force. */
export const changeTypes: readonly ClaimType[] = ['PolicyAmended', 'PolicyRescinded', 'PolicyEnjoined']
