import type { KeyObject } from 'node:crypto'
import type { Logger } from 'pino'
import type { EventStore } from '../stores/eventStore.js'
import type { Applier } from '../runner/projectionRunner.js'
import { signCheckpoint, verifierKey } from './checkpoint.js'
import { MerkleTree } from './merkle.js'

/**
 * The verifiable log of one instance: the Merkle tree over every applied event's stored leaf hash, and
 * a signed checkpoint for every applied commit, kept in the store before the write is acknowledged.
 */
export interface SigningIdentity {
  origin: string
  privateKey: KeyObject
  publicKey: KeyObject
}

export interface PublishedCheckpoint {
  origin: string
  treeSize: number
  rootHash: string
  note: string
  publicKey: string
}

export class LedgerLog {
  readonly tree = new MerkleTree()
  readonly publicKey: string
  private published: PublishedCheckpoint | undefined

  constructor(
    private readonly identity: SigningIdentity,
    private readonly store: EventStore,
    private readonly logger: Logger,
  ) {
    this.publicKey = verifierKey(identity.origin, identity.publicKey)
  }

  readonly applier: Applier = {
    name: 'merkle-log',
    apply: (_event, stored) => this.tree.append(stored.leafHash),
  }

  /** Signs the tree at `size` (once per size) and keeps the checkpoint in the store. */
  async checkpoint(size: number): Promise<void> {
    if (this.published?.treeSize === size) return
    const rootHash = this.tree.root(size)
    const note = signCheckpoint(
      { origin: this.identity.origin, treeSize: size, rootHash },
      this.identity.privateKey,
    )
    await this.store.saveCheckpoint({ treeSize: size, rootHash, note })
    this.published = {
      origin: this.identity.origin,
      treeSize: size,
      rootHash: rootHash.toString('hex'),
      note,
      publicKey: this.publicKey,
    }
    this.logger.debug({ treeSize: size, rootHash: this.published.rootHash }, 'checkpoint signed')
  }

  /** The latest checkpoint this instance signed. */
  latest(): PublishedCheckpoint | undefined {
    return this.published
  }
}
