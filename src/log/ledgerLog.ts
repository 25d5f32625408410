import type { KeyObject } from 'node:crypto'
import type { Logger } from 'pino'
import type { EventStore, StoredCheckpoint } from '../stores/eventStore.js'
import { signCheckpoint, verifierKey } from './checkpoint.js'
import type { MerkleTree } from './merkle.js'

/**
 * The verifiable log of one instance: the Merkle tree over every applied event's stored leaf hash (its
 * nodes kept in the ledger file), and a signed checkpoint for every applied commit, kept before the
 * write is acknowledged. On the embedded store the checkpoint is signed inside the commit's own
 * transaction (`signInline`); on EventStoreDB it is signed after the replica applied the commit and
 * saved to the checkpoint stream (`checkpoint`).
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
  readonly publicKey: string
  private published: PublishedCheckpoint | undefined
  private pending: PublishedCheckpoint | undefined

  constructor(
    private readonly identity: SigningIdentity,
    private readonly currentTree: () => MerkleTree,
    private readonly store: EventStore,
    private readonly logger: Logger,
  ) {
    this.publicKey = verifierKey(identity.origin, identity.publicKey)
  }

  get tree(): MerkleTree {
    return this.currentTree()
  }

  private sign(size: number): { stored: StoredCheckpoint; published: PublishedCheckpoint } {
    const rootHash = this.tree.root(size)
    const note = signCheckpoint({ origin: this.identity.origin, treeSize: size, rootHash }, this.identity.privateKey)
    return {
      stored: { treeSize: size, rootHash, note },
      published: { origin: this.identity.origin, treeSize: size, rootHash: rootHash.toString('hex'), note, publicKey: this.publicKey },
    }
  }

  /** Inside the transaction that stores a commit: its checkpoint is kept in the same transaction. */
  signInline(size: number, keep: (checkpoint: StoredCheckpoint) => void): void {
    const { stored, published } = this.sign(size)
    keep(stored)
    this.pending = published
  }

  /** The transaction committed: its checkpoint is the latest. */
  committed(): void {
    if (this.pending === undefined) return
    this.published = this.pending
    this.pending = undefined
    this.logger.debug({ treeSize: this.published.treeSize, rootHash: this.published.rootHash }, 'checkpoint signed')
  }

  rolledBack(): void {
    this.pending = undefined
  }

  /** Outside a commit: signs the tree at `size` (once per size) and keeps the checkpoint in the store. */
  async checkpoint(size: number): Promise<void> {
    if (this.published?.treeSize === size) return
    const { stored, published } = this.sign(size)
    await this.store.saveCheckpoint(stored)
    this.published = published
    this.logger.debug({ treeSize: size, rootHash: published.rootHash }, 'checkpoint signed')
  }

  /** The latest checkpoint this instance signed (or took over from the store at start). */
  latest(): PublishedCheckpoint | undefined {
    return this.published
  }
}
