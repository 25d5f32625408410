import type { EventType, RecordedEvent } from '../events/index.js'

/**
 * A read model. Its state is its own tables (in SQLite, behind the `State` interface the store
 * implements), updated in place. The runner feeds it every event it can handle, once and in position
 * order, in the transaction that stores the event; `evolve` does no I/O of its own and reads no clock.
 *
 * `version` lives here, in the code: when it differs from the version stored with the tables (a new
 * column, a bug fixed), the read model is rebuilt from the log before the service answers.
 */
export interface Projection<State> {
  readonly name: string
  readonly version: number
  canHandle(type: EventType): boolean
  evolve(state: State, event: RecordedEvent): void
}
