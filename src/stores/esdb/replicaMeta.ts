import type Database from 'better-sqlite3'
import type { Position } from '@eventstore/db-client'

/**
 * What a replica's file keeps about EventStoreDB beside its copy of the log, each written in the same
 * transaction as the events it accounts for: the `$all` resume position (the `{ commit, prepare }` of
 * the last `$all` event taken in, never shown outside the adapter), each ledger stream's revision in
 * EventStoreDB (which counts an event whose id came twice and so got no position), and how far the
 * checkpoint stream has been copied.
 */
export class ReplicaMeta {
  private readonly statements

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS esdb_streams (stream TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID`)
    this.statements = {
      get: db.prepare<[string], string>('SELECT value FROM ledger_meta WHERE key = ?').pluck(),
      set: db.prepare<[string, string]>(
        'INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      revision: db.prepare<[string], number>('SELECT revision FROM esdb_streams WHERE stream = ?').pluck(),
      setRevision: db.prepare<[string, number]>(
        `INSERT INTO esdb_streams (stream, revision) VALUES (?, ?)
         ON CONFLICT (stream) DO UPDATE SET revision = max(revision, excluded.revision)`,
      ),
    }
  }

  resumePosition(): Position | undefined {
    const text = this.statements.get.get('esdb_resume')
    if (text === undefined) return undefined
    const [commit, prepare] = text.split('/')
    return { commit: BigInt(commit!), prepare: BigInt(prepare!) }
  }

  setResumePosition(position: Position): void {
    this.statements.set.run('esdb_resume', `${position.commit}/${position.prepare}`)
  }

  streamRevision(stream: string): number | null {
    return this.statements.revision.get(stream) ?? null
  }

  setStreamRevision(stream: string, revision: number): void {
    this.statements.setRevision.run(stream, revision)
  }

  checkpointRevision(): number {
    return Number(this.statements.get.get('esdb_checkpoint_revision') ?? -1)
  }

  setCheckpointRevision(revision: number): void {
    this.statements.set.run('esdb_checkpoint_revision', String(revision))
  }
}
