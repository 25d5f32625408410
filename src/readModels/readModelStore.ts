import type Database from 'better-sqlite3'
import type { Logger } from 'pino'
import type { RecordedEvent } from '../../events/index.js'
import { readModels as projections, type Projection, type ReadModelName } from '../../projections/index.js'
import { readModelSchemas, type ReadModelSchema } from './schema.js'
import { readModelTables, type Settling } from './tables.js'

/**
 * The read models kept in a SQLite database beside the log: each with its name, the version its code
 * declares and its position (how many of the log's events it has folded), in `read_models`. The fold
 * runs in the caller's transaction, so on the embedded store the events, the read models' changes and
 * their positions commit together and a restart has nothing to replay.
 */

export interface LocalReadModel {
  readonly name: string
  readonly version: number
  readonly schema: ReadModelSchema
  /** Folds events (in position order, none skipped) into the tables; called inside a transaction. */
  fold(events: readonly LoggedEvent[]): void
  /** Drops what it holds in memory and takes its stored position: after a rebuild or a rollback. */
  reload?(position: number): void
  /**
   * Does what folds put off while the read model was being rebuilt (a no-op when nothing was): once
   * the log is folded, inside the transaction of the last events.
   */
  settle?(): void
}

/** An event as the log holds it: parsed and checked, with its stored leaf hash. */
export type LoggedEvent = RecordedEvent & { leafHash: Buffer }

/** Where a rebuild reads the log from, in position order. */
export type ReadLog = (from: number, limit: number) => LoggedEvent[]

const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS read_models (
  name     TEXT PRIMARY KEY,
  version  INTEGER NOT NULL,
  position INTEGER NOT NULL
);`

/** The projections of projections/ over their SQLite tables. */
export function projectionReadModels(db: Database.Database): LocalReadModel[] {
  return (Object.keys(projections) as ReadModelName[]).map((name) => projectionReadModel(db, name))
}

function projectionReadModel(db: Database.Database, name: ReadModelName): LocalReadModel {
  const projection = projections[name] as Projection<unknown>
  // prepared on first use: the tables exist by then (a rebuild creates them first)
  let tables: Partial<Settling> | undefined
  const prepared = (): Partial<Settling> => (tables ??= readModelTables[name](db))
  return {
    name,
    version: projection.version,
    schema: readModelSchemas[name],
    fold(events) {
      const state = prepared()
      for (const event of events) {
        if (projection.canHandle(event.type)) projection.evolve(state, event)
      }
    },
    // what the tables know of their state (whether work was put off) is read again from the file
    reload() {
      tables = undefined
    },
    settle() {
      prepared().settle?.()
    },
  }
}

export interface ReadModelStatus {
  name: string
  version: number
  storedVersion: number | null
  position: number
}

export class ReadModelStore {
  private readonly setPosition: Database.Statement<[number, string]>

  constructor(
    readonly db: Database.Database,
    readonly models: readonly LocalReadModel[],
    private readonly logger: Logger,
  ) {
    if (!db.readonly) db.exec(BOOKKEEPING)
    this.setPosition = db.readonly
      ? (undefined as never)
      : db.prepare('UPDATE read_models SET position = ? WHERE name = ?')
  }

  statuses(): ReadModelStatus[] {
    const hasBookkeeping = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'read_models'")
      .get()
    const stored = new Map<string, { version: number; position: number }>()
    if (hasBookkeeping !== undefined) {
      for (const row of this.db.prepare('SELECT name, version, position FROM read_models').all() as Array<{
        name: string
        version: number
        position: number
      }>) {
        stored.set(row.name, row)
      }
    }
    return this.models.map((model) => {
      const row = stored.get(model.name)
      return {
        name: model.name,
        version: model.version,
        storedVersion: row?.version ?? null,
        position: row !== undefined && row.version === model.version ? row.position : 0,
      }
    })
  }

  /** The read models whose stored version is not their code's (or that were never built). */
  stale(): string[] {
    return this.statuses()
      .filter((status) => status.storedVersion !== status.version)
      .map((status) => status.name)
  }

  /** How many events every read model has folded: the ledger as the reads see it. */
  position(): number {
    return Math.min(...this.statuses().map((status) => status.position))
  }

  /** Folds freshly stored events into every read model; inside the transaction that stores them. */
  apply(events: readonly LoggedEvent[]): void {
    if (events.length === 0) return
    for (const model of this.models) model.fold(events)
    const next = events[events.length - 1]!.position + 1
    for (const model of this.models) this.setPosition.run(next, model.name)
  }

  /** After a transaction that folded events was rolled back: memory goes back to what is stored. */
  rolledBack(): void {
    const positions = new Map(this.statuses().map((status) => [status.name, status.position]))
    for (const model of this.models) model.reload?.(positions.get(model.name) ?? 0)
  }

  /**
   * Brings every read model up to the log's `head`: the ones whose version changed (or that are
   * missing) are dropped and folded again from position 0, the others continue from their position.
   * Chunks of events commit as they go, so an interrupted rebuild resumes where it stopped.
   */
  catchUp(readLog: ReadLog, head: number, options: { chunk?: number; force?: readonly string[] } = {}): { rebuilt: string[]; folded: number } {
    const chunk = options.chunk ?? 20_000
    const force = new Set(options.force ?? [])
    const statuses = this.statuses()
    const rebuilt: string[] = []
    for (const status of statuses) {
      if (status.storedVersion === status.version && !force.has(status.name)) continue
      const model = this.models.find((candidate) => candidate.name === status.name)!
      this.recreate(model)
      model.reload?.(0)
      status.position = 0
      rebuilt.push(model.name)
    }
    const behind = statuses.filter((status) => status.position < head)
    const settling = this.db.transaction(() => {
      for (const model of this.models) model.settle?.()
    })
    const settle = (): void => {
      try {
        settling()
      } catch (error) {
        this.rolledBack()
        throw error
      }
    }
    if (behind.length === 0) {
      settle()
      this.createQueryIndexes()
      return { rebuilt, folded: 0 }
    }
    const started = Date.now()
    let lastLog = started
    const first = Math.min(...behind.map((status) => status.position))
    let from = first
    const target = head
    this.logger.info(
      { readModels: behind.map((status) => status.name), from, to: target, rebuilt },
      rebuilt.length > 0 ? 'rebuilding read models from the log' : 'read models catching up with the log',
    )
    // the last events commit with what the rebuild put off, so no position reaches the head without it
    const fold = this.db.transaction((events: LoggedEvent[], last: boolean) => {
      for (const status of behind) {
        const model = this.models.find((candidate) => candidate.name === status.name)!
        const mine = events.filter((event) => event.position >= status.position)
        if (mine.length === 0) continue
        model.fold(mine)
        status.position = mine[mine.length - 1]!.position + 1
        this.setPosition.run(status.position, status.name)
      }
      if (last) settling()
    })
    // an interrupted rebuild resumes from the positions it committed, so its commits need not be
    // fsynced one by one: in WAL mode NORMAL loses at worst the last ones, never the file
    const synchronous = this.db.pragma('synchronous', { simple: true })
    this.db.pragma('synchronous = NORMAL')
    try {
      while (from < target) {
        const events = readLog(from, Math.min(chunk, target - from))
        if (events.length === 0) break
        try {
          fold(events, events[events.length - 1]!.position + 1 >= target)
        } catch (error) {
          this.rolledBack()
          throw error
        }
        from = events[events.length - 1]!.position + 1
        if (Date.now() - lastLog > 2_000) {
          lastLog = Date.now()
          this.logger.info(
            { position: from, of: target, eventsPerSecond: Math.round(((from - first) * 1000) / (Date.now() - started + 1)) },
            'rebuilding read models',
          )
        }
      }
      settle()
      this.createQueryIndexes()
    } finally {
      this.db.pragma(`synchronous = ${Number(synchronous)}`)
    }
    this.logger.info({ events: target, ms: Date.now() - started }, 'read models are up to date with the log')
    return { rebuilt, folded: from - first }
  }

  /** The indexes queries read, once the fold is done (a no-op when they are there). */
  private createQueryIndexes(): void {
    for (const model of this.models) if (model.schema.queryIndexes !== undefined) this.db.exec(model.schema.queryIndexes)
  }

  private recreate(model: LocalReadModel): void {
    this.db.transaction(() => {
      for (const table of model.schema.tables) this.db.exec(`DROP TABLE IF EXISTS ${table}`)
      this.db.exec(model.schema.ddl)
      this.db
        .prepare(
          'INSERT INTO read_models (name, version, position) VALUES (?, ?, 0) ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = 0',
        )
        .run(model.name, model.version)
    })()
  }
}
