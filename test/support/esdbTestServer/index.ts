/**
 * A TEST DOUBLE of EventStoreDB, not a server: an in-process gRPC endpoint speaking the subset of the
 * EventStoreDB v1 client protocol that `@eventstore/db-client` v6 uses against a single node, built on
 * `@grpc/grpc-js` and the service definitions shipped inside the client (`generated/*_grpc_pb.js`).
 * Everything lives in memory and is lost on `stop()`. EventStoreDB cannot run on the CI machine (no Docker
 * engine, no server package), so this is what the store contract suite runs against there; `ESDB_URL`
 * points the same suite at a real server.
 *
 * Implemented, following the server's source (EventStore/EventStore, src/EventStore.Core/Services/
 * Transport/Grpc): ServerFeatures.GetSupportedMethods; Streams.BatchAppend (errors as google.rpc.Status
 * with packed details: WrongExpectedVersion, MaximumAppendSizeExceeded, BadRequest, Timeout); Streams.Append
 * (WrongExpectedVersion in the response, other failures as RPC errors); Streams.Read for a stream forwards
 * and backwards (StreamNotFound when it does not exist), `$all` forwards and backwards with or without a
 * filter (stream-name or event-type, prefixes or regex), and subscriptions to a stream or to `$all`
 * (confirmation, catch-up, `caught_up`, then live; filtered `$all` subscriptions send checkpoints).
 * Expected versions and idempotency follow the writer (see memoryLog.ts).
 *
 * Not implemented: TLS and authentication (the connection string must say `tls=false`), Delete and
 * Tombstone, stream metadata and its ACLs, `$maxAge`/`$maxCount`, link events and `resolveLinkTos`,
 * persistent subscriptions, projections, gossip and clusters, operations, and the server's slow-consumer
 * handling (a subscription is paced by gRPC flow control instead of being dropped).
 *
 * One file per RPC family: serverFeatures.ts, and the Streams service (streams.ts) as append.ts,
 * batchAppend.ts and read.ts with subscriptions.ts; their wire codecs in codecs.ts; the data in
 * memoryLog.ts. This file starts and stops the endpoint.
 */

import { randomUUID } from 'node:crypto'
import type { Http2Session } from 'node:http2'
import grpc from '@grpc/grpc-js'
import serverFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js'
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js'
import { ANY, MemoryLog } from './memoryLog.js'
import { serverFeatures } from './serverFeatures.js'
import { streams } from './streams.js'

export { MemoryLog, type LogRecord } from './memoryLog.js'

export interface EsdbTestServerOptions {
  /** 0 or omitted: any free port. */
  port?: number
  /** Advertise BatchAppend (every real server since 21.10 does); false makes the client use Append. */
  batchAppend?: boolean
  /**
   * Send `caught_up` on subscriptions (servers since 23.10 do; since 24.2 also on a stream that does
   * not exist yet, as here).
   */
  caughtUp?: boolean
  /** Reported by GetSupportedMethods. */
  serverVersion?: string
  maxAppendSize?: number
  /** Write the system events a fresh node has in `$all` before any client write (default true). */
  seedSystemEvents?: boolean
}

export interface EsdbTestServer {
  /** `esdb://127.0.0.1:PORT?tls=false` */
  readonly url: string
  readonly port: number
  /** The data: survives `dropConnections()`. */
  readonly log: MemoryLog
  /**
   * Simulates a server failure: every connection, call and subscription is cut, then (after `downMs`)
   * the server listens again on the same port with the same data.
   */
  dropConnections(options?: { downMs?: number }): Promise<void>
  /** Writes an event as the server itself would (a `$stats` event, say), waking subscriptions. */
  appendSystemEvent(stream: string, type: string, data?: unknown): void
  /**
   * How often each RPC was called, e.g. `Streams.BatchAppend`, `Streams.Read $all subscription
   * filtered`, `Streams.Read stream count`: which paths a client actually took.
   */
  readonly rpcCounts: ReadonlyMap<string, number>
  /** How many events the Read RPCs (reads and subscriptions) have sent, by stream: what clients read. */
  readonly eventsSent: ReadonlyMap<string, number>
  stop(): Promise<void>
}

export async function startEsdbTestServer(
  options: EsdbTestServerOptions = {},
): Promise<EsdbTestServer> {
  const log = new MemoryLog({ maxAppendSize: options.maxAppendSize })
  const settings = {
    batchAppend: options.batchAppend ?? true,
    caughtUp: options.caughtUp ?? true,
    serverVersion: options.serverVersion ?? '24.10.0',
  }
  const appendSystemEvent = (stream: string, type: string, data: unknown = {}): void => {
    log.append(stream, ANY, [
      {
        id: randomUUID(),
        type,
        isJson: true,
        data: Buffer.from(JSON.stringify(data)),
        metadata: new Uint8Array(),
      },
    ])
  }
  if (options.seedSystemEvents ?? true) {
    appendSystemEvent('$$$scavenges', '$metadata', { $maxAge: 2_592_000 })
    appendSystemEvent('$$$stats-127.0.0.1:2113', '$metadata', { $maxAge: 86_400 })
    appendSystemEvent('$settings', '$settings', { $userStreamAcl: {}, $systemStreamAcl: {} })
  }

  let server: grpc.Server | undefined
  let port = options.port ?? 0
  const calls = new Set<() => void>()
  const rpcCounts = new Map<string, number>()
  const count = (rpc: string): void => {
    rpcCounts.set(rpc, (rpcCounts.get(rpc) ?? 0) + 1)
  }
  const eventsSent = new Map<string, number>()
  const sent = (stream: string): void => {
    eventsSent.set(stream, (eventsSent.get(stream) ?? 0) + 1)
  }

  const listen = async (): Promise<void> => {
    const next = new grpc.Server()
    next.addService(serverFeaturesGrpc.ServerFeaturesService, serverFeatures(settings, count))
    next.addService(streamsGrpc.StreamsService, streams(log, settings, calls, count, sent))
    port = await bind(next, port)
    server = next
  }
  const shutdown = (): void => {
    if (server !== undefined) cutConnections(server)
    server?.forceShutdown()
    server = undefined
    for (const cleanUp of [...calls]) cleanUp()
  }

  await listen()
  return {
    get url() {
      return `esdb://127.0.0.1:${port}?tls=false`
    },
    get port() {
      return port
    },
    log,
    async dropConnections({ downMs = 0 } = {}) {
      shutdown()
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs))
      await listen()
    },
    appendSystemEvent,
    rpcCounts,
    eventsSent,
    async stop() {
      shutdown()
    },
  }
}

/**
 * A crashed server's connections end without a goodbye, which clients see as UNAVAILABLE; grpc-js's
 * forceShutdown() alone cancels each call instead (CANCELLED). So end the HTTP/2 sessions first. This
 * reaches into grpc-js's private session table: a test double may; if it moves, forceShutdown() remains.
 */
function cutConnections(server: grpc.Server): void {
  const sessions = (server as unknown as { sessions?: Map<Http2Session, unknown> }).sessions
  for (const session of sessions?.keys() ?? []) session.destroy()
}

async function bind(server: grpc.Server, port: number): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await new Promise<number>((resolve, reject) => {
        server.bindAsync(
          `127.0.0.1:${port}`,
          grpc.ServerCredentials.createInsecure(),
          (error, bound) => (error ? reject(error) : resolve(bound)),
        )
      })
    } catch (error) {
      // the previous listener on this port may still be closing after a forced shutdown
      if (attempt >= 20 || port === 0) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}
