import { isDeepStrictEqual } from 'node:util'
import type { Test } from 'tap'
import { streamOf, type LedgerEvent } from '../../events/index.js'
import { LedgerError, type ErrorCode } from '../../src/errors.js'
import { decide, type DecideOptions, type Run } from '../../src/writeModel/decide.js'
import type { ProposedEvent } from '../../src/writeModel/proposedEvent.js'
import type { AppendedEvent } from '../../src/stores/eventStore.js'
import { authorised, testLedger } from './testLedger.js'
import {
  evolveWriteState,
  initialWriteState,
  type WriteState,
} from '../../src/writeModel/writeState.js'

export type StoredEvent = LedgerEvent & { id: string }

/** Folds stored events (in ledger order) into the write model's state. */
export function writeStateOf(history: readonly StoredEvent[]): WriteState {
  const state = initialWriteState()
  for (const event of history) evolveWriteState(state, { ...event, stream: streamOf(event) })
  return state
}

export interface ExpectedFailure {
  /** `errors[0].path`. */
  path?: string
  message?: RegExp
  /** Further fields of `extra`, matched loosely (e.g. `{ currentRevision: null }`). */
  [extra: string]: unknown
}

/**
 * Specs in Emmett's shape. For the write model, over its state:
 * `given(t, [stored events]).when([proposed events]).then([expected runs])`, or `.thenFails(code, …)`;
 * every spec also checks that `decide` left the given state as it was. For HTTP, over a whole ledger
 * that starts empty: `givenLedger(t, [events]).when(request).then(response, [new events])`.
 */
export function given(t: Test, history: readonly StoredEvent[]) {
  const state = writeStateOf(history)
  return {
    state,
    when(events: readonly ProposedEvent[], options?: DecideOptions) {
      const before = structuredClone(state)
      const run = () => decide(state, events, options)
      const untouched = () =>
        t.ok(isDeepStrictEqual(state, before), 'decide leaves the given state as it was')
      return {
        then(expected: readonly Run[]): void {
          t.strictSame(run().runs, expected)
          untouched()
        },
        thenFails(code: ErrorCode, expected: ExpectedFailure = {}): LedgerError | undefined {
          let error: unknown
          try {
            run()
            t.fail(`expected ${code}, but decide accepted the request`)
            return undefined
          } catch (thrown) {
            error = thrown
          }
          untouched()
          if (!(error instanceof LedgerError)) {
            t.fail(`expected a LedgerError ${code}, got ${String(error)}`)
            return undefined
          }
          const { path, message, ...extra } = expected
          t.equal(error.code, code, 'code')
          const { index, errors } = error.extra
          t.equal(errors?.length, 1, 'one error detail')
          t.ok(
            errors?.[0]?.path.startsWith(`/events/${String(index)}/`),
            'the path names extra.index',
          )
          t.ok(
            error.message.includes(errors?.[0]?.message ?? '\0'),
            'the message repeats the detail',
          )
          if (path !== undefined) t.equal(errors?.[0]?.path, path, 'path')
          if (message !== undefined) t.match(error.message, message, 'message')
          if (Object.keys(extra).length > 0) t.match(error.extra, extra, 'extra')
          return error
        },
      }
    },
  }
}

export interface HttpRequest {
  method?: 'GET' | 'POST'
  url: string
  payload?: unknown
  /** A POST is sent with the writer's token unless these headers say otherwise. */
  headers?: Record<string, string>
}

export interface ExpectedResponse {
  status: number
  /** Matched loosely (t.match) against the JSON body. */
  body?: unknown
  headers?: Record<string, unknown>
}

/** A new event as the store holds it (`{ type, stream, data, position, … }`), matched loosely. */
export type ExpectedEvent = Record<string, unknown>

/** What a step can be made of: the given events as recording them answered. */
type OfGiven<T> = T | ((given: AppendedEvent[]) => T)

/**
 * `givenLedger(t, [events]).when(request).then(response, [new events])`: a ledger with no seed, the
 * given events recorded through `POST /events` like any write, then the request. `then` checks the
 * answer and exactly the events the request added, in ledger order; when it added none, that the
 * checkpoint did not move either. It resolves to the ledger, for reads after the spec.
 */
export function givenLedger(t: Test, history: readonly object[], env: Record<string, string> = {}) {
  return {
    when(request: OfGiven<HttpRequest>) {
      return {
        async then(expected: OfGiven<ExpectedResponse>, newEvents: readonly ExpectedEvent[]) {
          const ledger = await testLedger(env, { seed: false })
          t.teardown(() => ledger.close())
          let given: AppendedEvent[] = []
          if (history.length > 0) {
            const recorded = await ledger.app.inject({ method: 'POST', url: '/events', headers: authorised, payload: { events: history } })
            if (recorded.statusCode !== 201) throw new Error(`the given events were refused: ${recorded.body}`)
            given = (recorded.json() as { events: AppendedEvent[] }).events
          }
          const head = ledger.runner.size
          const checkpoint = ledger.log.latest()
          const { method = 'GET', url, payload, headers } = typeof request === 'function' ? request(given) : request
          const response = await ledger.app.inject({ method, url, payload: payload as object, headers: headers ?? (method === 'POST' ? authorised : {}) })
          const answer = typeof expected === 'function' ? expected(given) : expected
          t.equal(response.statusCode, answer.status, `${method} ${url}: ${answer.status}`)
          if (answer.body !== undefined) t.match(response.json(), answer.body, 'the answer')
          if (answer.headers !== undefined) t.match(response.headers, answer.headers, 'the headers')
          const added = await ledger.store.readAll(head, 10_000)
          t.equal(added.length, newEvents.length, `${newEvents.length} new events`)
          t.match(added, newEvents, 'the new events')
          if (newEvents.length === 0) t.same(ledger.log.latest(), checkpoint, 'the checkpoint did not move')
          return { ledger, response, given }
        },
      }
    },
  }
}
