import { randomUUID } from 'node:crypto'
import type grpc from '@grpc/grpc-js'
import streamsPb from '@eventstore/db-client/generated/streams_pb.js'
import type { LogRecord, MemoryLog } from './memoryLog.js'
import type { Filtered } from './read.js'

/**
 * The Read RPC's responses: written with gRPC flow control, and subscriptions run as catch-up,
 * `caught_up`, then live, with checkpoints on filtered `$all` subscriptions.
 */

const { ReadResp } = streamsPb
type ReadReq = streamsPb.ReadReq
type ReadResp = streamsPb.ReadResp

/** Writes responses with gRPC flow control, and runs subscriptions: catch-up, caught-up, then live. */
export class ResponseWriter {
  private cancelled = false
  private readonly cleanUps: Array<() => void> = []

  constructor(
    private readonly call: grpc.ServerWritableStream<ReadReq, ReadResp>,
    calls: Set<() => void>,
  ) {
    const stop = (): void => this.stop()
    this.cleanUps.push(() => calls.delete(stop))
    calls.add(stop)
    call.on('cancelled', stop)
    call.on('error', stop)
    call.on('close', stop)
  }

  private stop(): void {
    if (this.cancelled) return
    this.cancelled = true
    for (const cleanUp of this.cleanUps.splice(0)) cleanUp()
  }

  private async write(response: ReadResp): Promise<void> {
    if (this.cancelled) return
    if (!this.call.write(response)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.call.off('drain', done)
          this.cleanUps.splice(this.cleanUps.indexOf(done) >>> 0, 1)
          resolve()
        }
        this.call.on('drain', done)
        this.cleanUps.push(done)
      })
    }
  }

  send(responses: ReadResp[]): void {
    void (async () => {
      for (const response of responses) await this.write(response)
      if (!this.cancelled) this.call.end()
      this.stop()
    })()
  }

  subscribe(
    log: MemoryLog,
    source: () => readonly LogRecord[],
    start: number,
    sendCaughtUp: boolean,
    event: (record: LogRecord) => ReadResp,
    filter?: Filtered,
  ): void {
    let cursor = start
    let considered = 0
    let caughtUp = false
    let dirty = true
    let pumping = false
    const pump = async (): Promise<void> => {
      try {
        while (dirty && !this.cancelled) {
          dirty = false
          const records = source()
          while (cursor < records.length && !this.cancelled) {
            const record = records[cursor]!
            cursor += 1
            if (filter === undefined || filter.matches(record)) await this.write(event(record))
            if (filter !== undefined && ++considered >= filter.checkpointInterval) {
              considered %= filter.checkpointInterval
              const checkpoint = new ReadResp.Checkpoint()
              checkpoint.setCommitPosition(String(record.position))
              checkpoint.setPreparePosition(String(record.position))
              const response = new ReadResp()
              response.setCheckpoint(checkpoint)
              await this.write(response)
            }
          }
          if (!caughtUp && sendCaughtUp) {
            const response = new ReadResp()
            response.setCaughtUp(new ReadResp.CaughtUp())
            await this.write(response)
          }
          caughtUp = true
        }
      } finally {
        pumping = false
      }
    }
    const wake = (): void => {
      dirty = true
      if (pumping || this.cancelled) return
      pumping = true
      void pump()
    }
    this.cleanUps.push(log.onAppended(wake))
    const confirmation = new ReadResp.SubscriptionConfirmation()
    confirmation.setSubscriptionId(randomUUID())
    const response = new ReadResp()
    response.setConfirmation(confirmation)
    void this.write(response).then(wake)
  }
}
