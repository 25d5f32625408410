import { createHash, timingSafeEqual } from 'node:crypto'
import { LedgerError } from '../errors.js'

/**
 * Bearer tokens from LEDGER_TOKENS (write) and LEDGER_READ_TOKENS (read). Tokens are compared as
 * SHA-256 digests with timingSafeEqual, so neither the comparison nor the digest length leaks anything.
 */

export interface NamedToken {
  name: string
  token: string
}

export type Access = { name: string; canWrite: boolean }

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

export function createAuth(options: { writeTokens: NamedToken[]; readTokens: NamedToken[] }) {
  const known = [
    ...options.writeTokens.map(({ name, token }) => ({ name, digest: digest(token), canWrite: true })),
    ...options.readTokens.map(({ name, token }) => ({ name, digest: digest(token), canWrite: false })),
  ]

  function identify(authorization: string | undefined): Access | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
    if (match === null) return undefined
    const presented = digest(match[1]!)
    let found: Access | undefined
    // compare against every token, so the time taken does not say which one matched
    for (const candidate of known) {
      if (timingSafeEqual(candidate.digest, presented) && found === undefined) {
        found = { name: candidate.name, canWrite: candidate.canWrite }
      }
    }
    return found
  }

  return {
    readsArePrivate: options.readTokens.length > 0,
    /** Who may write; throws the LedgerError the design names for each refusal. */
    writer(authorization: string | undefined): Access {
      if (options.writeTokens.length === 0) {
        throw new LedgerError(
          'writes_disabled',
          'this ledger takes no writes: start it with LEDGER_TOKENS=name:token (a token of at least 16 characters) to enable them',
        )
      }
      const access = identify(authorization)
      if (access === undefined) throw new LedgerError('unauthorized', 'send Authorization: Bearer <token> with a write token')
      if (!access.canWrite) throw new LedgerError('forbidden', `token "${access.name}" may read but not write`)
      return access
    },
    reader(authorization: string | undefined): Access | undefined {
      if (options.readTokens.length === 0) return undefined
      const access = identify(authorization)
      if (access === undefined) throw new LedgerError('unauthorized', 'reads need Authorization: Bearer <token> with a read or write token')
      return access
    },
  }
}

export type Auth = ReturnType<typeof createAuth>
