import { compose } from '../compose.js'
import type { Config } from '../config/config.js'
import { connectionCap } from '../http/connectionCap.js'
import { createLogger } from './logger.js'

/** Serves the API until SIGTERM or SIGINT, then finishes in-flight requests and closes the store. */
export async function serve(config: Config): Promise<number> {
  const logger = createLogger(config.logLevel)
  const ledger = await compose(config, { logger, withApp: true, access: 'serve', seed: true })
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
