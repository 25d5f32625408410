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
