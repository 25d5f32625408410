import { readFileSync } from 'node:fs'

/**
 * How many connections `serve` holds at once (`server.maxConnections`); beyond it a new connection is
 * closed as soon as it is accepted.
 *
 * Each connection is a file descriptor. When the process runs out of them, accepting fails (EMFILE)
 * and the store cannot open a file either; so the cap stays below the open-file limit, keeping
 * RESERVED descriptors for the store, its WAL, the lock and the logs. Below that, 16 384: ten thousand
 * idle sockets (the slowest of which are dropped after the header timeout) still leave room for
 * everyone else, and an idle connection costs the server about 8 KiB (measured: 10 000 took 78 MiB). Node raises its soft open-file
 * limit to the hard one at start, so the limit read here is the hard one the process was given.
 */
export const MAX_CONNECTIONS = 16_384
const RESERVED = 512
const FLOOR = 64

/** The soft limit on open files from /proc/self/limits (Linux); undefined elsewhere or if unlimited. */
export function openFileLimit(limits?: string): number | undefined {
  let text = limits
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8')
    } catch {
      return undefined
    }
  }
  const soft = /^Max open files\s+(\d+|unlimited)\s/m.exec(text)?.[1]
  return soft === undefined || soft === 'unlimited' ? undefined : Number(soft)
}

export function connectionCap(openFiles: number | undefined = openFileLimit()): number {
  if (openFiles === undefined) return MAX_CONNECTIONS
  return Math.max(FLOOR, Math.min(MAX_CONNECTIONS, openFiles - RESERVED))
}
