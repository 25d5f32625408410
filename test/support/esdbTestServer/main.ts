/**
 * Starts the EventStoreDB test double (a test double, not a server: see index.ts) and prints its URL:
 * `npm run esdb:test-server -- --port 2113`. Stops on SIGINT or SIGTERM; the data lives in memory only.
 */
import { parseArgs } from 'node:util'
import { startEsdbTestServer } from './index.js'

const { values } = parseArgs({ options: { port: { type: 'string', default: '2113' } } })
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got ${values.port}`)
  process.exit(2)
}

const server = await startEsdbTestServer({ port })
console.log(server.url)
console.error('EventStoreDB test double (in memory, not a real server); Ctrl-C to stop')
const stop = (): void => {
  void server.stop().then(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
