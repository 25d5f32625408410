import type { z } from 'zod'
import { LedgerError } from '../errors.js'

/** A command's options parsed with zod; the first issue becomes an error naming the flag (`--known-at: …`). */
export function parseOptions<T extends z.ZodType>(schema: T, options: Record<string, unknown>): z.output<T> {
  const parsed = schema.safeParse(options)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const flag = String(issue.path[0] ?? 'options').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
  throw new LedgerError('invalid_request', `--${flag}: ${issue.message}`)
}
