import { z } from 'zod'
import { PartialDate } from './partialDate.js'
import { allowedValues, isDimension, UNKNOWN } from './taxonomy.js'

/** Lower-case words joined by hyphens: jurisdiction, source, actor and policy ids. */
export const Slug = z
  .string()
  .max(120)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a slug: lower-case letters, digits and single hyphens')

/** Free text that is not blank. */
export function text(max: number) {
  return z
    .string()
    .max(max)
    .refine((value) => value.trim().length > 0, { message: 'must not be blank' })
}

export const EventId = z.uuid()

export const Role = z.enum(['official', 'third-party'])
export type Role = z.infer<typeof Role>

export const Actor = z.strictObject({
  id: Slug,
  name: text(300),
  office: text(300).optional(),
  role: Role.optional(),
})
export type Actor = z.infer<typeof Actor>

/** The role an actor has when it is not stated: applied on read, never written in. */
export function roleOf(actor: Actor): Role {
  return actor.role ?? 'official'
}

export const Stance = z.strictObject({ dimension: z.string().max(100), value: z.string().max(100) })
export type Stance = z.infer<typeof Stance>

/**
 * A list of stances checked against the taxonomy, each dimension at most once. `unknown` is allowed
 * only where a claim says a value stopped being in force (amended, rescinded, enjoined policies).
 */
function stancesSchema(allowUnknown: boolean) {
  return z
    .array(Stance)
    .max(100)
    .superRefine((stances, ctx) => {
      const seen = new Set<string>()
      stances.forEach(({ dimension, value }, index) => {
        if (!isDimension(dimension)) {
          ctx.addIssue({ code: 'custom', path: [index, 'dimension'], message: `unknown dimension "${dimension}"` })
          return
        }
        if (seen.has(dimension)) {
          ctx.addIssue({ code: 'custom', path: [index, 'dimension'], message: `dimension "${dimension}" appears twice` })
        }
        seen.add(dimension)
        const allowed = allowedValues(dimension)
        if (!allowed.includes(value) && !(allowUnknown && value === UNKNOWN)) {
          const choices = allowUnknown ? [...allowed, UNKNOWN] : allowed
          ctx.addIssue({
            code: 'custom',
            path: [index, 'value'],
            message: `"${value}" is not a value of ${dimension}; expected one of ${choices.join(', ')}`,
          })
        }
      })
    })
}

export const Stances = stancesSchema(false)
export const StancesAfterChange = stancesSchema(true)

/**
 * W3C Web Annotation TextQuoteSelector plus TextPositionSelector: `start`/`end` are UTF-16 code-unit
 * offsets into the archived content and come together.
 */
export const Quote = z
  .strictObject({
    exact: z.string().min(1).max(20_000),
    prefix: z.string().max(2_000).optional(),
    suffix: z.string().max(2_000).optional(),
    start: z.number().int().min(0).optional(),
    end: z.number().int().min(0).optional(),
  })
  .superRefine((quote, ctx) => {
    if ((quote.start === undefined) !== (quote.end === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'start and end must be given together' })
    } else if (quote.start !== undefined && quote.end !== undefined && quote.end - quote.start !== quote.exact.length) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'end - start must equal the length of exact' })
    }
  })
export type Quote = z.infer<typeof Quote>

export const claimFields = {
  jurisdictionId: Slug,
  actor: Actor,
  on: PartialDate,
  dateBasis: text(2_000).optional(),
  summary: text(4_000),
  quote: Quote.optional(),
  sourceId: Slug,
  stances: Stances,
}
