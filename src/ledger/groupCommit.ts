import { LedgerError } from '../errors.js'
import { DuplicateEventId, PartialAppend, WrongExpectedRevision, type EventStore, type StoredEvent, type StreamAppend } from '../stores/eventStore.js'
import { isOutOfSpace } from '../stores/outOfSpace.js'
import type { ProposedEvent } from '../writeModel/proposedEvent.js'
import type { WriteFacts } from '../writeModel/writeState.js'
import { handleWrite, resultOf, type WriteDeps } from './handleWrite.js'
import { checkEvents, type CheckedEvent, type RecordContext, type RecordOutcome } from './writeRequest.js'

/**
 * The scheduler in front of the command handler. Requests that arrive while a commit is being made
 * wait, then go through the handler one after another, each deciding on the facts the ones before it
 * leave, and their appends are written in ONE transaction, so concurrent writers share an fsync. Each
 * request stays all or nothing: one that breaks a rule is refused alone and the others go on. Should
 * the shared append fail, each request is tried again alone.
 */
export interface RecordEventsDeps {
  store: EventStore
  /** The stored facts, read from the store's tables. */
  facts: WriteFacts
  /** Resolves once this instance has applied everything the store holds. */
  caughtUp(): Promise<void>
  /** The latest recordedAt applied, epoch ms. */
  lastRecordedAt(): number
  clock: () => Date
  /** After an append: resolves once its checkpoint is signed and kept. */
  settle(stored: readonly StoredEvent[]): Promise<void>
  /** Each durable commit: how many requests and events it carried. */
  committed?(requests: number, events: number): void
}

export type RecordEvents = (events: ProposedEvent[], context: RecordContext) => Promise<RecordOutcome>

/** Requests and events one group commit takes at most. */
const MAX_GROUP_REQUESTS = 256
const MAX_GROUP_EVENTS = 5_000

interface Pending {
  events: CheckedEvent[]
  context: RecordContext
  resolve(outcome: RecordOutcome): void
  reject(error: unknown): void
}

/** The shared append failed: the request is tried again on its own. */
class RetryAlone extends Error {}

export function createRecordEvents(deps: RecordEventsDeps): RecordEvents {
  const queue: Pending[] = []
  let draining = false
  // EventStoreDB appends run by run, not as one transaction: there a request is committed alone
  const grouping = deps.store.kind === 'sqlite'

  /** Writers stamp recordedAt no earlier than the last one applied, so record time never goes back. */
  const recordedAtNow = (): string => new Date(Math.max(deps.clock().getTime(), deps.lastRecordedAt())).toISOString()

  const common = {
    caughtUp: deps.caughtUp,
    recorded: (ids: readonly string[]) => deps.store.eventsByIds(ids),
  }

  async function append(runs: StreamAppend[], requests: number): Promise<StoredEvent[]> {
    const stored = await deps.store.append(runs)
    deps.committed?.(requests, stored.length)
    await deps.settle(stored)
    return stored
  }

  /** One request in a commit of its own; a racing writer that stored one of its ids first makes it look again. */
  async function alone(request: Pending): Promise<RecordOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await handleWrite(request.events, request.context, {
          ...common,
          facts: () => deps.facts,
          recordedAt: recordedAtNow,
          append: (runs) => append(runs, 1),
        })
      } catch (error) {
        if (!(error instanceof DuplicateEventId) || attempt >= 3) throw translate(error)
      }
    }
  }

  async function together(group: Pending[]): Promise<void> {
    let facts = deps.facts
    const recordedAt = recordedAtNow()
    const appends: Array<{ runs: StreamAppend[]; resolve(stored: StoredEvent[]): void; reject(error: unknown): void }> = []
    for (const request of group) {
      let reached!: () => void
      const appended = new Promise<void>((resolve) => (reached = resolve))
      const writeDeps: WriteDeps = {
        ...common,
        facts: () => facts,
        recordedAt: () => recordedAt,
        append: (runs, after) =>
          new Promise((resolve, reject) => {
            facts = after
            appends.push({ runs, resolve, reject })
            reached()
          }),
      }
      const handled = handleWrite(request.events, request.context, writeDeps)
        .catch((error: unknown) => (error instanceof RetryAlone ? alone(request) : Promise.reject(translate(error))))
        .then(request.resolve, request.reject)
      // the next request decides on what this one leaves: wait until it has appended or finished
      await Promise.race([appended, handled])
    }
    if (appends.length === 0) return
    let stored: StoredEvent[]
    try {
      stored = await append(
        appends.flatMap(({ runs }) => runs),
        appends.length,
      )
    } catch (error) {
      for (const { reject } of appends) reject(new RetryAlone(error instanceof Error ? error.message : String(error)))
      return
    }
    let offset = 0
    for (const { runs, resolve } of appends) {
      const count = runs.reduce((sum, run) => sum + run.events.length, 0)
      resolve(stored.slice(offset, offset + count))
      offset += count
    }
  }

  /** The next group: requests that arrived meanwhile, none reusing an id of an earlier one in it. */
  function takeGroup(): Pending[] {
    const group = [queue.shift()!]
    if (!grouping) return group
    const ids = new Set(group[0]!.events.map((event) => event.id))
    let events = group[0]!.events.length
    const later: Pending[] = []
    while (queue.length > 0 && group.length < MAX_GROUP_REQUESTS) {
      const next = queue[0]!
      if (events + next.events.length > MAX_GROUP_EVENTS) break
      queue.shift()
      // it reuses an id of this group: decide it once that one is stored
      if (next.events.some((event) => ids.has(event.id))) {
        later.push(next)
        continue
      }
      for (const event of next.events) ids.add(event.id)
      group.push(next)
      events += next.events.length
    }
    queue.unshift(...later)
    return group
  }

  async function drain(): Promise<void> {
    draining = true
    try {
      while (queue.length > 0) {
        // let requests that arrived during the last commit (its fsync blocks the event loop) join this one
        if (grouping) await new Promise((resolve) => setImmediate(resolve))
        const group = takeGroup()
        if (group.length === 1) await alone(group[0]!).then(group[0]!.resolve, group[0]!.reject)
        else await together(group)
      }
    } finally {
      draining = false
    }
  }

  return function recordEvents(events, context) {
    let checked: CheckedEvent[]
    try {
      checked = checkEvents(events)
    } catch (error) {
      return Promise.reject(error)
    }
    return new Promise((resolve, reject) => {
      queue.push({ events: checked, context, resolve, reject })
      if (!draining) void drain()
    })
  }
}

/** Store errors as the API's: a conflict, a partial append to retry, a full disk. */
function translate(error: unknown): unknown {
  if (error instanceof WrongExpectedRevision) {
    return new LedgerError('wrong_expected_revision', error.message, {
      stream: error.stream,
      expectedRevision: error.expectedRevision,
      currentRevision: error.currentRevision,
    })
  }
  if (error instanceof PartialAppend) {
    return new LedgerError('partial_append', `${error.message}; retry the same request with the same ids to complete it`, {
      written: error.written.map(resultOf),
    })
  }
  if (isOutOfSpace(error)) {
    return new LedgerError('store_full', 'the store has no space left for this write; nothing of it was written. Free space on its disk and retry', {
      retryAfter: 30,
    })
  }
  return error
}
