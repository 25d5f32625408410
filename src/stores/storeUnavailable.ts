/**
 * Whether an error from a store means "the store cannot be reached right now" (retry later), rather
 * than a bug. EventStoreDB's client reports it several ways: its own typed errors, raw gRPC status 14
 * (UNAVAILABLE) or 4 (DEADLINE_EXCEEDED), and a plain Error when cluster discovery finds no leader.
 */
const transientTypes = new Set(['unavailable', 'not-leader', 'deadline-exceeded'])
const transientGrpcCodes = new Set([4, 14])

export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { type, code, message } = error as { type?: unknown; code?: unknown; message?: unknown }
  if (typeof type === 'string' && transientTypes.has(type)) return true
  if (typeof code === 'number' && transientGrpcCodes.has(code) && 'metadata' in error) return true
  return typeof message === 'string' && message.startsWith('Failed to discover after')
}
