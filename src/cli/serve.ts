import type { Logger } from 'pino'
import { compose, type Ledger } from '../compose.js'
import type { Config } from '../config/config.js'
import { LedgerError } from '../errors.js'
import { connectionCap } from '../http/connectionCap.js'
import { createLogger } from './logger.js'

/** Serves the API until SIGTERM or SIGINT, then finishes in-flight requests and closes the store. */
export async function serve(config: Config): Promise<number> {
  const logger = createLogger(config.logLevel)
  const ledger = await untilSpace(() => compose(config, { logger, withApp: true, access: 'serve', seed: true }), logger, pauseUnlessSignalled)
  if (ledger === undefined) return 0
  const app = ledger.app!
  // a bounded number of connections, below the open-file limit (src/http/connectionCap.ts)
  app.server.maxConnections = connectionCap()
  await app.listen({ port: config.port, host: config.host })
  logger.info({ maxConnections: app.server.maxConnections }, 'connections capped')
  return new Promise((resolve) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      logger.info({ signal }, 'shutting down: finishing in-flight requests')
      ledger.close().then(
        () => {
          logger.info('stopped')
          logger.flush()
          resolve(0)
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed')
          resolve(1)
        },
      )
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
}

/**
 * Waits `ms`, unless SIGTERM or SIGINT comes first. It listens only while it waits: during a start
 * itself a signal ends the process as it always does.
 */
function pauseUnlessSignalled(ms: number): Promise<'again' | 'stopped'> {
  return new Promise((resolve) => {
    const end = (outcome: 'again' | 'stopped') => {
      clearTimeout(timer)
      process.removeListener('SIGTERM', stop)
      process.removeListener('SIGINT', stop)
      resolve(outcome)
    }
    const stop = () => end('stopped')
    const timer = setTimeout(() => end('again'), ms)
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
}

export interface SpaceRetry {
  initialDelayMs: number
  maxDelayMs: number
}

/**
 * Starts the ledger; while its disk is full, says so and tries again (doubling the wait up to
 * `maxDelayMs`), so that a container restarted on a full volume waits for space instead of exiting
 * into a restart loop, and comes up by itself once there is room. Each try resumes what the last one
 * committed (a rebuild commits as it goes). A pause that is stopped ends it: undefined. Any other
 * failure stops the start as before.
 */
export async function untilSpace(
  start: () => Promise<Ledger>,
  logger: Logger,
  pause: (ms: number) => Promise<'again' | 'stopped'>,
  retry: SpaceRetry = { initialDelayMs: 1_000, maxDelayMs: 10_000 },
): Promise<Ledger | undefined> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await start()
    } catch (error) {
      if (!(error instanceof LedgerError) || error.code !== 'store_full') throw error
      const delayMs = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** attempt)
      logger.error(
        { code: error.code, attempt: attempt + 1, retryInMs: delayMs },
        `cannot start: ${error.message} Trying again in ${delayMs / 1000} s (SIGTERM stops).`,
      )
      if ((await pause(delayMs)) === 'stopped') {
        logger.info('stopped while waiting for space on the store')
        logger.flush()
        return undefined
      }
    }
  }
}
