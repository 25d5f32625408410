import type { KeyObject } from 'node:crypto'
import { pino, type Logger } from 'pino'
import type { Config } from './config/config.js'
import { ledgerView, type LedgerView } from '../projections/index.js'
import { buildApp, type App } from './http/app.js'
import { createRecordEvents, type RecordEvents } from './ledger/recordEvents.js'
import { loadSeed } from './ledger/loadSeed.js'
import { LedgerLog } from './log/ledgerLog.js'
import { latestKeptCheckpoint, openSigningKey } from './log/openSigningKey.js'
import { generateSigningKey } from './log/signingKey.js'
import { seedPath } from './paths.js'
import { ProjectionRunner, type Applier } from './runner/projectionRunner.js'
import type { EventStore } from './stores/eventStore.js'
import { openSqliteEventStore } from './stores/sqliteEventStore.js'
import { acquireStoreLock, type StoreLock } from './stores/storeLock.js'
import { evolveWriteState, initialWriteState, type WriteState } from './writeModel/writeState.js'

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
}

export interface Ledger {
  config: Config
  logger: Logger
  store: EventStore
  runner: ProjectionRunner
  log: LedgerLog
  view(): LedgerView
  writeState(): WriteState
  recordEvents: RecordEvents
  app: App | undefined
  close(): Promise<void>
}

/** The store alone, for commands that only read entries (export, verify). */
export async function openStoreOnly(config: Config, logger: Logger): Promise<EventStore> {
  const embeddedFile = config.store.kind === 'sqlite' && config.store.path !== ':memory:'
  return openStore(config, logger, embeddedFile)
}

async function openStore(config: Config, logger: Logger, readonly: boolean): Promise<EventStore> {
  if (config.store.kind === 'sqlite') return openSqliteEventStore({ path: config.store.path, readonly })
  const { openEsdbEventStore } = await import('./stores/esdbEventStore.js')
  return openEsdbEventStore({ connectionString: config.store.connectionString, logger })
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

export async function compose(config: Config, options: ComposeOptions = {}): Promise<Ledger> {
  const logger = options.logger ?? pino({ level: config.logLevel })
  const clock = options.clock ?? (() => new Date())
  const access = options.access ?? 'serve'
  const embeddedFile = config.store.kind === 'sqlite' && config.store.path !== ':memory:'
  let lock: StoreLock | undefined
  if (embeddedFile && access !== 'read' && config.store.kind === 'sqlite') {
    lock = acquireStoreLock(config.store.path, access === 'serve' ? 'serve it' : 'write to it')
  }
  let store: EventStore | undefined
  try {
    store = await openStore(config, logger, access === 'read' && embeddedFile)
    const key = await signingIdentity(config, logger, store)
    let view = ledgerView.initialState()
    const writeState = initialWriteState()
    const log = new LedgerLog({ origin: config.origin, ...key }, store, logger)
    const appliers: Applier[] = [
      { name: ledgerView.name, apply: (event) => void (view = ledgerView.evolve(view, event)) },
      { name: 'write-model', apply: (event) => void evolveWriteState(writeState, event) },
      log.applier,
    ]
    const runner = new ProjectionRunner({
      store,
      appliers,
      afterBatch: access === 'read' ? undefined : (size) => log.checkpoint(size),
      logger,
    })
    await runner.start()
    const ledgerDeps = { store, runner, writeState: () => writeState }
    if (options.seed === true && config.seed) await loadSeed(seedPath(), ledgerDeps, logger)
    const recordEvents = createRecordEvents({ ...ledgerDeps, clock })
    const app =
      options.withApp === true
        ? await buildApp({
            logger,
            store,
            runner,
            view: () => view,
            log,
            recordEvents,
            clock,
            writeTokens: config.writeTokens,
            readTokens: config.readTokens,
            bodyLimit: config.bodyLimit,
            writeRateLimit: config.writeRateLimit,
          })
        : undefined
    const opened = store
    return {
      config,
      logger,
      store: opened,
      runner,
      log,
      view: () => view,
      writeState: () => writeState,
      recordEvents,
      app,
      close: async () => {
        await app?.close()
        await runner.close()
        await opened.close()
        lock?.release()
      },
    }
  } catch (error) {
    await store?.close()
    lock?.release()
    throw error
  }
}
