import type { RecordedEvent } from '../events/index.js'

/**
 * A read model. The runner feeds it every event it can handle, in position order, once. `evolve` does
 * no I/O and reads no clock; it may update `state` in place, and returns the state to keep.
 */
export interface Projection<S> {
  readonly name: string
  canHandle(type: string): boolean
  initialState(): S
  evolve(state: S, event: RecordedEvent): S
}
