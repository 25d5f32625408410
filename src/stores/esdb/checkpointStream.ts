import { ANY, StreamNotFoundError, jsonEvent, type EventStoreDBClient } from '@eventstore/db-client'
import { uuidV5 } from '../../uuidV5.js'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { StoredCheckpoint } from '../eventStore.js'
import type { EventRows } from '../sqlite/eventRows.js'
import type { ReplicaMeta } from './replicaMeta.js'

/**
 * Signed checkpoints on EventStoreDB: kept in their own stream (outside the ledger's streams), one per
 * tree size. Replicas sign alike (Ed25519 is deterministic) and the event id follows from the size, so
 * replicas saving the same size write one event; a size seen twice keeps its first checkpoint. Each
 * replica copies the stream into its local file, so listing them reads no stream and holds nothing in
 * the heap.
 */

const CheckpointData = z.object({
  treeSize: z.number().int().min(0),
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  note: z.string(),
})

const checkpointEventType = 'CheckpointSigned'

export class CheckpointStream {
  private reading: Promise<void> = Promise.resolve()

  constructor(
    private readonly client: EventStoreDBClient,
    readonly stream: string,
    private readonly rows: EventRows,
    private readonly meta: ReplicaMeta,
    private readonly logger: Logger | undefined,
  ) {}

  async save(checkpoint: StoredCheckpoint): Promise<void> {
    await this.read()
    if (this.rows.hasCheckpoint(checkpoint.treeSize)) return
    await this.client.appendToStream(
      this.stream,
      jsonEvent({
        id: checkpointEventId(this.stream, checkpoint.treeSize),
        type: checkpointEventType,
        data: { treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash.toString('hex'), note: checkpoint.note },
      }),
      { expectedRevision: ANY },
    )
    await this.read()
  }

  async all(): Promise<StoredCheckpoint[]> {
    await this.read()
    return this.rows.checkpoints()
  }

  async latest(): Promise<StoredCheckpoint | undefined> {
    await this.read()
    return this.rows.latestCheckpoint()
  }

  /** Copies what was added to the checkpoint stream since the last read; one read at a time. */
  private read(): Promise<void> {
    this.reading = this.reading
      .catch(() => undefined)
      .then(async () => {
        let revision = this.meta.checkpointRevision()
        try {
          for await (const resolved of this.client.readStream(this.stream, { fromRevision: BigInt(revision + 1) })) {
            const recorded = resolved.event
            if (recorded === undefined) continue
            revision = Number(recorded.revision)
            const parsed = recorded.type === checkpointEventType ? CheckpointData.safeParse(recorded.data) : undefined
            if (parsed === undefined || !parsed.success) {
              this.logger?.warn({ stream: this.stream, revision }, 'not a checkpoint: skipped')
              continue
            }
            this.rows.db.transaction(() => {
              this.rows.saveCheckpoint({
                treeSize: parsed.data.treeSize,
                rootHash: Buffer.from(parsed.data.rootHash, 'hex'),
                note: parsed.data.note,
              })
              this.meta.setCheckpointRevision(revision)
            })()
          }
        } catch (error) {
          if (error instanceof StreamNotFoundError) return
          throw error
        }
      })
    return this.reading
  }
}

/** A name-based UUID (version 5, SHA-1) for the checkpoint of one tree size. */
export function checkpointEventId(stream: string, treeSize: number): string {
  return uuidV5('6f1d2a52-c0b3-4d7e-9a4e-0c6b8f3d2e10', `${stream}/${treeSize}`)
}
