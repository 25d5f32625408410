import type { KeyObject } from 'node:crypto'
import { pino, type Logger } from 'pino'
import type { Config } from './config/config.js'
import { LedgerError } from './errors.js'
import { buildApp, type App } from './http/app.js'
import { createRecordEvents, type RecordEvents } from './ledger/groupCommit.js'
import type { ImportEntriesDeps } from './ledger/importEntries.js'
import { loadSeed } from './ledger/loadSeed.js'
import { LedgerLog } from './log/ledgerLog.js'
import { PersistedTree } from './log/persistedTree.js'
import { createLedgerMetrics, type LedgerMetrics } from './metrics/ledgerMetrics.js'
import { latestKeptCheckpoint, openSigningKey } from './log/openSigningKey.js'
import { generateSigningKey } from './log/signingKey.js'
import { seedPath } from './paths.js'
import { LedgerReader } from './readModels/ledgerReader.js'
import { projectionReadModels, ReadModelStore, type LoggedEvent } from './readModels/readModelStore.js'
import { sqliteWriteFacts } from './readModels/writeFacts.js'
import { parseStoredEvent } from './runner/parseStoredEvent.js'
import { ProjectionRunner } from './runner/projectionRunner.js'
import type { EventStore, InlineFold, StoredEvent } from './stores/eventStore.js'
import { EventRows } from './stores/sqlite/eventRows.js'
import { upgradeLedgerFile } from './stores/sqlite/ledgerFile.js'
import { openSqliteEventStore } from './stores/sqlite/sqliteEventStore.js'
import { isOutOfSpace, storeFull } from './stores/outOfSpace.js'
import { acquireStoreLock, type StoreLock } from './stores/storeLock.js'
import type { RecordedEvent } from '../events/index.js'

/**
 * The one composition root: every CLI command and every test that needs the whole ledger gets it
 * from here, so the architecture is visible in one place.
 */

export interface ComposeOptions {
  logger?: Logger
  clock?: () => Date
  /** Build the HTTP app (serve, tests). */
  withApp?: boolean
  /**
   * What the caller does to an embedded store: `serve` holds the lock; `write` needs it free (and takes
   * it); `read` runs beside a server.
   */
  access?: 'serve' | 'write' | 'read'
  /** Load the seed as LEDGER_SEED says (serve does; other commands do not). */
  seed?: boolean
  /** Rebuild these read models from the log even when their version has not changed. */
  rebuild?: readonly string[]
}

export interface Ledger {
  config: Config
  logger: Logger
  store: EventStore
  runner: ProjectionRunner
  log: LedgerLog
  reader: LedgerReader
  readModels: ReadModelStore
  recordEvents: RecordEvents
  /** What importing entry lines verbatim needs (the seed, `import`). */
  importDeps: ImportEntriesDeps
  /** Prometheus metrics: /metrics serves them; the write path and runner feed the core's figures. */
  metrics: LedgerMetrics
  app: App | undefined
  close(): Promise<void>
}

/** The store alone, for commands that only read entries (export, verify). */
export async function openStoreOnly(config: Config, logger: Logger): Promise<EventStore> {
  return openStore(config, logger, true)
}

/**
 * `readonly`: a command that runs beside a server. It reads the embedded store's file as it is; on
 * EventStoreDB it reads the log into a copy of its own in memory, leaving the server's replica file alone.
 */
async function openStore(config: Config, logger: Logger, readonly: boolean): Promise<EventStore> {
  if (config.store.kind === 'sqlite') return openSqliteEventStore({ path: config.store.path, readonly: readonly && config.store.path !== ':memory:' })
  const { openEsdbEventStore } = await import('./stores/esdb/esdbEventStore.js')
  return openEsdbEventStore({
    connectionString: config.store.connectionString,
    replicaPath: readonly ? ':memory:' : config.readModelsPath,
    logger,
  })
}

async function signingIdentity(config: Config, logger: Logger, store: EventStore): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  // held to the checkpoints already kept: a lost or other key is refused, never replaced (openSigningKey)
  const kept = { origin: config.origin, latest: await latestKeptCheckpoint(store, logger), store: config.store.kind === 'sqlite' ? config.store.path : 'the EventStoreDB store' }
  if (config.signingKeyPath !== undefined) return openSigningKey(config.signingKeyPath, { ...kept, mayCreate: false })
  if (config.store.kind === 'sqlite' && config.store.path !== ':memory:') {
    const keyPath = `${config.store.path}.signing-key.pem`
    const key = await openSigningKey(keyPath, { ...kept, mayCreate: true })
    if (key.created) logger.info({ path: keyPath }, 'generated the log signing key (keep it: checkpoints are signed with it)')
    return key
  }
  logger.warn('no LEDGER_SIGNING_KEY: signing checkpoints with a temporary key that dies with this process')
  return generateSigningKey()
}

/** Events the embedded store holds were checked by this process before it appended them. */
function trusted(stored: StoredEvent): LoggedEvent {
  const { id, type, data, metadata, position, stream, revision, leafHash } = stored
  return { id, type, data, metadata, position, stream, revision, leafHash } as RecordedEvent & { leafHash: Buffer }
}

/** What a replica copies from EventStoreDB is outside input: parsed and checked before it is folded. */
function checked(stored: StoredEvent): LoggedEvent {
  return { ...parseStoredEvent(stored), leafHash: stored.leafHash }
}

export async function compose(config: Config, options: ComposeOptions = {}): Promise<Ledger> {
  const logger = options.logger ?? pino({ level: config.logLevel })
  const clock = options.clock ?? (() => new Date())
  const access = options.access ?? 'serve'
  let lock: StoreLock | undefined
  let store: EventStore | undefined
  let runner: ProjectionRunner | undefined
  // what the start is doing, for a message should the disk be full
  let doing = 'take its lock'
  try {
    // the ledger file (or a replica's copy) has one writer: the embedded store's, or this replica's
    if (config.readModelsPath !== ':memory:' && access !== 'read') {
      lock = acquireStoreLock(config.readModelsPath, access === 'serve' ? 'serve it' : 'write to it')
    }
    doing = 'open it'
    store = await openStore(config, logger, access === 'read')
    const opened = store
    doing = 'keep its signing key'
    const key = await signingIdentity(config, logger, store)
    doing = 'bring its file layout and read models up to date with the log'
    // the start's checks passed: from here on the file may be written (an older layout upgraded)
    upgradeLedgerFile(store.db)
    const rows = new EventRows(store.db)
    const tree = new PersistedTree(store.db)
    const readModels = new ReadModelStore(store.db, [...projectionReadModels(store.db), tree], logger)
    if (store.db.readonly) {
      const stale = readModels.stale()
      if (stale.length > 0 || readModels.position() < rows.head()) {
        throw new LedgerError(
          'read_models_stale',
          `the read models in ${config.store.kind === 'sqlite' ? config.store.path : 'the replica file'} are not up to date with this build (${stale.join(', ') || 'behind the log'}): start the service once, or run policy-ledger rebuild, then try again`,
        )
      }
    } else {
      readModels.catchUp((from, limit) => rows.readAll(from, limit).map(checked), rows.head(), {
        force: options.rebuild,
      })
    }
    tree.reload(readModels.position())
    const size = tree.tree.size
    const log = new LedgerLog({ origin: config.origin, ...key }, () => tree.tree, store, logger)
    const lastRecordedAt = (): number => (store!.db.prepare('SELECT max_ms FROM rm_record_time ORDER BY max_ms DESC LIMIT 1').pluck().get() as number | undefined) ?? 0
    const metrics = createLedgerMetrics()
    const follow = new ProjectionRunner({
      store,
      size,
      lastRecordedAt: lastRecordedAt(),
      afterBatch: access === 'read' || opened.kind === 'sqlite' ? undefined : (applied) => log.checkpoint(applied),
      onConnectionChange: (connected) => metrics.storeConnected.set({ store: opened.kind }, connected ? 1 : 0),
      logger,
    })
    /** Events the store holds that a read model has not folded yet, as of the last look at the store's head. */
    const reportLag = (head: number): void => {
      for (const model of readModels.models) metrics.readModelLag.set({ read_model: model.name }, Math.max(0, head - follow.size))
    }
    runner = follow

    let folded = { size, lastRecordedAt: follow.lastRecordedAt }
    const inline: InlineFold = {
      apply(events) {
        const batch = events.map(opened.kind === 'sqlite' ? trusted : checked)
        readModels.apply(batch)
        const last = batch[batch.length - 1]!
        let latest = folded.lastRecordedAt
        for (const event of batch) latest = Math.max(latest, Date.parse(event.metadata.recordedAt))
        folded = { size: last.position + 1, lastRecordedAt: latest }
        // the embedded store keeps each commit's checkpoint in the commit
        if (opened.kind === 'sqlite') log.signInline(folded.size, (checkpoint) => rows.saveCheckpoint(checkpoint))
      },
      committed() {
        log.committed()
        follow.advance(folded.size, folded.lastRecordedAt)
        if (opened.kind === 'sqlite') reportLag(folded.size)
      },
      rolledBack() {
        readModels.rolledBack()
        log.rolledBack()
        folded = { size: follow.size, lastRecordedAt: follow.lastRecordedAt }
      },
    }
    if (!store.db.readonly) store.foldInline(inline)

    await follow.start()
    reportLag(await opened.head())
    if (access !== 'read') {
      doing = 'sign its checkpoint'
      // an empty ledger has a checkpoint of size 0; a store last written without one gets its own now
      await log.checkpoint(follow.size)
    }
    const settle = async (stored: readonly StoredEvent[]): Promise<void> => {
      const last = stored[stored.length - 1]
      if (last !== undefined && opened.kind !== 'sqlite') await log.checkpoint(last.position + 1)
    }
    const facts = sqliteWriteFacts(store.db, (stream) => opened.localRevision(stream))
    const caughtUp = async (): Promise<void> => {
      const head = await opened.head()
      reportLag(head)
      await follow.waitFor(head)
    }
    const importDeps: ImportEntriesDeps = { store, runner: follow, facts, settle }
    doing = 'load the seed'
    if (options.seed === true && config.seed) await loadSeed(seedPath(), importDeps, logger)
    const recordEvents = createRecordEvents({
      store,
      facts,
      caughtUp,
      lastRecordedAt: () => follow.lastRecordedAt,
      clock,
      settle,
      committed: (requests, events) => {
        metrics.groupCommitRequests.observe(requests)
        metrics.groupCommitEvents.observe(events)
      },
    })
    const reader = new LedgerReader(store.db, () => follow.size)
    const app =
      options.withApp === true
        ? await buildApp({
            logger,
            store,
            runner: follow,
            reader,
            log,
            recordEvents,
            clock,
            writeTokens: config.writeTokens,
            readTokens: config.readTokens,
            bodyLimit: config.bodyLimit,
            writeRateLimit: config.writeRateLimit,
            corsOrigins: config.corsOrigins,
            responseCacheBytes: config.responseCacheBytes,
            metrics,
            otelEndpoint: config.otelEndpoint,
            origin: config.origin,
            maxStreams: config.maxStreams,
            commitsAfter: (position, limit) => rows.checkpointSizesAfter(position, limit),
          })
        : undefined
    return {
      config,
      logger,
      store: opened,
      runner: follow,
      log,
      reader,
      readModels,
      recordEvents,
      importDeps,
      metrics,
      app,
      close: async () => {
        await app?.close()
        await follow.close()
        await opened.close()
        lock?.release()
      },
    }
  } catch (error) {
    await runner?.close()
    await store?.close()
    lock?.release()
    if (error instanceof LedgerError || !isOutOfSpace(error, config.readModelsPath)) throw error
    throw storeFull(config.readModelsPath, doing, error)
  }
}
