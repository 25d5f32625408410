import { z } from 'zod'

/**
 * A write's stream precondition: `no_stream`, `any`, or a number, the stream's last revision before
 * the write. The write model owns it (only a stream's first event in a request may carry one); the
 * stores take the same values for each run they append.
 */
export const ExpectedRevision = z.union([z.literal('no_stream'), z.literal('any'), z.number().int().min(0)])
export type ExpectedRevision = z.infer<typeof ExpectedRevision>
