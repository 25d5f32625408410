/**
 * The in-memory transaction log behind the EventStoreDB test double (see index.ts): a TEST DOUBLE, not a
 * server. It keeps the rules the adapter relies on the way EventStoreDB's writer applies them
 * (IndexWriter.CheckCommit): expected-version checks, idempotent re-appends and their `CorruptedIdempotency`
 * answer, and `$all` positions that grow by each record's size, with commit == prepare for every event
 * (what `$all` reads report for events written without explicit transactions, v20 onwards).
 */

/** An expected version as the server encodes it: -2 any, -1 no stream, -4 stream exists, or a revision. */
export const ANY = -2
export const NO_STREAM = -1
export const STREAM_EXISTS = -4

export interface ProposedRecord {
  /** A UUID, in any case; stored lower-cased, as the server's Guid formatting returns it. */
  id: string
  type: string
  isJson: boolean
  data: Uint8Array
  metadata: Uint8Array
}

export interface LogRecord extends ProposedRecord {
  stream: string
  revision: number
  /** The record's log position: its commit and prepare position in `$all`. */
  position: number
  /** .NET ticks (100 ns) since the Unix epoch, as the server's `created` metadata carries it. */
  created: bigint
}

export type AppendOutcome =
  | { result: 'success'; currentRevision: number; position: number | undefined }
  /** `currentRevision` is -1 when the stream does not exist. */
  | { result: 'wrong_expected_version'; currentRevision: number }
  | { result: 'maximum_append_size_exceeded'; maxAppendSize: number }

/** The server's default `MaxAppendSize` (1 MiB), counted over data and metadata. */
export const defaultMaxAppendSize = 1_048_576

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export class InvalidEventId extends Error {}

export class MemoryLog {
  readonly all: LogRecord[] = []
  private readonly streams = new Map<string, LogRecord[]>()
  /** The writer's `_committedEvents` cache (unbounded here): event id -> where it was last written. */
  private readonly committed = new Map<string, { stream: string; revision: number }>()
  private readonly listeners = new Set<() => void>()
  private nextPosition = 0
  readonly maxAppendSize: number

  constructor(options: { maxAppendSize?: number } = {}) {
    this.maxAppendSize = options.maxAppendSize ?? defaultMaxAppendSize
  }

  /** The stream's last revision, -1 when it does not exist. */
  lastRevision(stream: string): number {
    return (this.streams.get(stream)?.length ?? 0) - 1
  }

  stream(stream: string): readonly LogRecord[] | undefined {
    return this.streams.get(stream)
  }

  /** Called after every write that added records. */
  onAppended(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  append(stream: string, expectedVersion: number, proposed: ProposedRecord[]): AppendOutcome {
    const size = proposed.reduce((sum, event) => sum + event.data.length + event.metadata.length, 0)
    if (size > this.maxAppendSize)
      return { result: 'maximum_append_size_exceeded', maxAppendSize: this.maxAppendSize }
    const events = proposed.map((event) => ({ ...event, id: normaliseId(event.id) }))
    const check = this.checkCommit(
      stream,
      expectedVersion,
      events.map((event) => event.id),
    )
    switch (check.decision) {
      case 'wrong_expected_version':
        return { result: 'wrong_expected_version', currentRevision: check.currentVersion }
      case 'idempotent': {
        // the original write's last event: its revision and log position are what the server answers
        const last = this.streams.get(stream)?.[check.lastEventNumber]
        return {
          result: 'success',
          currentRevision: check.lastEventNumber,
          position: last?.position,
        }
      }
      case 'ok':
        break
    }
    if (events.length === 0)
      return { result: 'success', currentRevision: check.currentVersion, position: undefined }
    let records = this.streams.get(stream)
    if (records === undefined) {
      records = []
      this.streams.set(stream, records)
    }
    const created = BigInt(Date.now()) * 10_000n
    for (const event of events) {
      const record: LogRecord = {
        ...event,
        stream,
        revision: records.length,
        position: this.nextPosition,
        created,
      }
      this.nextPosition += recordSize(record)
      records.push(record)
      this.all.push(record)
      this.committed.set(record.id, { stream, revision: record.revision })
    }
    for (const listener of this.listeners) listener()
    const last = records[records.length - 1]!
    return { result: 'success', currentRevision: last.revision, position: last.position }
  }

  /** Index in `all` of the first record at or after `position`. */
  indexAtOrAfter(position: number): number {
    let low = 0
    let high = this.all.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (this.all[middle]!.position < position) low = middle + 1
      else high = middle
    }
    return low
  }

  /** EventStoreDB's IndexWriter.CheckCommit, for the expected versions and ids of one write. */
  private checkCommit(
    stream: string,
    expectedVersion: number,
    ids: string[],
  ):
    | { decision: 'ok'; currentVersion: number }
    | { decision: 'wrong_expected_version'; currentVersion: number }
    | { decision: 'idempotent'; lastEventNumber: number } {
    const currentVersion = this.lastRevision(stream)
    const conflict = { decision: 'wrong_expected_version', currentVersion } as const
    if (expectedVersion === STREAM_EXISTS && currentVersion < 0) return conflict

    if (expectedVersion === ANY || expectedVersion === STREAM_EXISTS) {
      // idempotency by id alone: the first id decides; a later one that does not match is "corrupted"
      let last = -1
      for (const [index, id] of ids.entries()) {
        const seen = this.committed.get(id)
        if (seen === undefined || seen.stream !== stream)
          return index === 0 ? { decision: 'ok', currentVersion } : conflict
        last = seen.revision
      }
      return ids.length === 0
        ? { decision: 'ok', currentVersion }
        : { decision: 'idempotent', lastEventNumber: last }
    }

    if (expectedVersion < currentVersion) {
      // a retry of a write that already happened at that version: the same ids in the same places
      let eventNumber = expectedVersion
      for (const id of ids) {
        eventNumber += 1
        if (this.streams.get(stream)?.[eventNumber]?.id === id) continue
        return conflict
      }
      return eventNumber === expectedVersion
        ? conflict
        : { decision: 'idempotent', lastEventNumber: eventNumber }
    }
    if (expectedVersion > currentVersion) return conflict
    return { decision: 'ok', currentVersion }
  }
}

export function normaliseId(id: string): string {
  const lower = id.toLowerCase()
  if (!uuidPattern.test(lower)) throw new InvalidEventId(`"${id}" is not a UUID`)
  return lower
}

/** Roughly what a prepare record takes on disk, so positions grow the way a chunk file does. */
function recordSize(record: LogRecord): number {
  return (
    90 +
    Buffer.byteLength(record.stream) +
    Buffer.byteLength(record.type) +
    record.data.length +
    record.metadata.length
  )
}
