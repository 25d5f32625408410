import { z } from 'zod'
import { dimensions, Slug } from '../../events/index.js'
import { AsOf, KnownAt } from '../readModels/knownAt.js'

/**
 * Documented shapes shared by the routes: parameters with examples from the seed, and the response
 * schemas of the headline answers. They feed both validation and the OpenAPI document.
 */

export const JurisdictionIdParams = z.strictObject({
  id: Slug.meta({ description: 'a jurisdiction id (slug)', examples: ['us-pa-philadelphia'] }),
})

export const AsOfQuery = AsOf.meta({ examples: ['2016-03-01'] })
export const KnownAtQuery = KnownAt.meta({ examples: ['54', '2026-11-20T12:00:00Z', '2026-11-20'] })

/** What backs a value: a policy event, or only statements (see DESIGN, "Stance semantics"). */
export const Support = z.enum(['policy', 'statement']).meta({ examples: ['policy'] })
export const NullableSupport = Support.nullable().meta({
  description: 'policy: an enacted policy (or a reaffirmation naming one) is in the run; statement: only words are; null for unknown',
})

/** Where a list continues: pass it as `cursor` for the next page; null on the last. */
export const NextCursor = z
  .string()
  .nullable()
  .meta({ description: 'the next page: repeat the request with cursor=<it> (it pins knownAt, and asOf where the answer has one); null on the last page' })

export const Dimension = z
  .enum(dimensions as [string, ...string[]])
  .meta({ examples: ['detainer_hold'] })

export const DimensionStance = z.object({
  value: z
    .string()
    .meta({
      description: 'a value of the dimension, or unknown',
      examples: ['serious_crimes_only'],
    }),
  since: z
    .string()
    .nullable()
    .meta({
      description: 'the on of the first claim of the unbroken run of this value (a partial date)',
    }),
  lastAffirmedOn: z.string().nullable().meta({ description: 'the on of the winning claim' }),
  basis: z
    .array(z.string())
    .meta({ description: 'claim ids of the run, newest first, at most 100' }),
  basisCount: z.number().int(),
  sources: z.array(z.string()).meta({ description: 'the distinct sources of the run' }),
  uncertain: z
    .boolean()
    .meta({
      description:
        'a counted claim has a reduced-precision date whose period contains asOf (not its last day)',
    }),
  support: NullableSupport,
})

export const StanceAnswer = z.object({
  jurisdictionId: z.string(),
  asOf: z.string(),
  knownAtPosition: z
    .number()
    .int()
    .nullable()
    .meta({
      description:
        'the highest position considered; repeat with knownAt=<it> for the same answer forever',
    }),
  stance: z
    .record(z.string(), DimensionStance)
    .meta({ description: 'every dimension of the taxonomy' }),
})

export const JurisdictionList = z.object({
  asOf: z.string(),
  knownAtPosition: z.number().int().nullable(),
  jurisdictions: z.array(
    z.object({
      jurisdictionId: z.string(),
      name: z.string(),
      kind: z.string(),
      ocdId: z.string(),
      stance: z.record(z.string(), z.string()),
      support: z.record(z.string(), NullableSupport).meta({ description: 'what backs each value: policy, statement, or null for unknown' }),
    }),
  ),
  total: z
    .number()
    .int()
    .optional()
    .meta({ description: 'how many jurisdictions the list has over all its pages (absent with a value filter, which depends on the day)' }),
  nextCursor: NextCursor,
})

export const Checkpoint = z.object({
  origin: z.string(),
  treeSize: z.number().int(),
  rootHash: z.string().meta({ description: 'hex' }),
  note: z.string().meta({ description: 'the C2SP signed note' }),
  publicKey: z
    .string()
    .meta({
      description: 'the C2SP verifier key <origin>+<key hash>+<base64(0x01 || Ed25519 public key)>',
    }),
})

export const InclusionProof = z.object({
  leafIndex: z.number().int(),
  treeSize: z.number().int(),
  auditPath: z.array(z.string()),
})
export const ConsistencyProof = z.object({
  first: z.number().int(),
  second: z.number().int(),
  proof: z.array(z.string()),
})

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose()
  .meta({ description: 'RFC 9457 problem details (application/problem+json)' })

const Position = z.number().int()

export const ValidTimeChange = z.object({
  jurisdictionId: z.string(),
  dimension: z.string(),
  on: z.string().meta({ description: 'the on of the claim that made the change (a partial date)', examples: ['2016-01'] }),
  before: z.string().meta({ examples: ['unknown'] }),
  after: z.string().meta({ examples: ['serious_crimes_only'] }),
  eventId: z.string().meta({ description: 'the claim that made the change', examples: ['0a50ea08-bdc9-51eb-a25a-fd52a3241795'] }),
  sourceId: z.string().meta({ examples: ['kenney-executive-order-2016-01'] }),
  uncertain: z.boolean().meta({ description: 'the claim’s date is known only to the month or year: the change happened at some point in it' }),
  support: Support.meta({ description: 'what backs the claim that made the change' }),
})

export const RecordTimeChange = z.object({
  jurisdictionId: z.string(),
  dimension: z.string(),
  before: z.string().meta({ description: 'today’s value as known at since' }),
  after: z.string().meta({ description: 'today’s value as known at knownAtPosition' }),
  causedBy: z.array(z.string()).meta({ description: 'the events after since (claims, corrections, retractions) that made the difference, by position' }),
})

/** `GET /changes?from=&to=` and `GET /changes?since=`: one schema, two shapes. */
export const Changes = z.union([
  z
    .object({
      from: z.string(),
      to: z.string(),
      knownAtPosition: Position.nullable(),
      changes: z.array(ValidTimeChange),
      nextCursor: NextCursor,
    })
    .meta({ title: 'ValidTimeChanges', description: 'with from and to: the points where a value changed, ordered by on then position' }),
  z
    .object({
      since: Position,
      knownAtPosition: Position.nullable(),
      changes: z.array(RecordTimeChange),
      nextCursor: NextCursor,
    })
    .meta({ title: 'RecordTimeChanges', description: 'with since: what a client that last looked at since must update; ask next with since=<knownAtPosition>' }),
])
