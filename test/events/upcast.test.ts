import t from 'tap'
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import {
  Actor,
  Metadata,
  readEnvelope,
  roleOf,
  Role,
  StatementMade,
  upcast,
  upcasters,
  type RawEnvelope,
  type Upcaster,
} from '../../events/index.js'

/*
 * A worked example of the next schema version, runnable. Say version 2 stores every actor's `role`,
 * where version 1 leaves it out to mean `official`. Version 1's shape stays what it is (today's
 * StatementMade: in the repository it would move to events.v1.ts), version 2's is new, and one
 * upcaster reads a version 1 envelope as version 2. The stored bytes never change.
 */
const ActorV2 = Actor.extend({ role: Role })
const StatementMadeV2 = StatementMade.extend({ actor: ActorV2 })
const EnvelopeV2 = z.object({ type: z.literal('StatementMade'), data: StatementMadeV2, metadata: Metadata.extend({ schemaVersion: z.literal(2) }) })

const v1ToV2: Upcaster = (envelope) => {
  const metadata = { ...(envelope.metadata as Metadata), schemaVersion: 2 }
  if (envelope.type !== 'StatementMade') return { ...envelope, metadata }
  const data = envelope.data as StatementMade
  return { ...envelope, data: { ...data, actor: { ...data.actor, role: roleOf(data.actor) } }, metadata }
}
const chain = { 1: v1ToV2 }

const seedLines = readFileSync(new URL('../../data/seed.ndjson', import.meta.url), 'utf8').split('\n').filter((line) => line !== '')
const statementLine = seedLines.find((line) => line.includes('"type":"StatementMade"'))!

t.test('a version 1 StatementMade from the seed reads as version 2, its stored line untouched', async (t) => {
  const stored = JSON.parse(statementLine) as RawEnvelope
  t.equal((stored.metadata as Metadata).schemaVersion, 1)
  t.equal((stored.data as StatementMade).actor.role, undefined, 'version 1 leaves the role out')
  const read = upcast(stored, chain, 2)
  const v2 = EnvelopeV2.parse(read)
  t.equal(v2.metadata.schemaVersion, 2)
  t.equal(v2.data.actor.role, 'official', 'the default of version 1, now stated')
  t.same({ ...v2.data, actor: { ...v2.data.actor, role: undefined } }, { ...(stored.data as object), actor: { ...(stored.data as StatementMade).actor, role: undefined } }, 'nothing else changed')
  t.same(stored, JSON.parse(statementLine), 'the stored envelope is not changed by reading it')
})

t.test('a role that version 1 stated is kept, and other types move up a version unchanged', async (t) => {
  const stored = JSON.parse(statementLine) as RawEnvelope & { data: StatementMade }
  const thirdParty = { ...stored, data: { ...stored.data, actor: { ...stored.data.actor, role: 'third-party' as const } } }
  t.equal(EnvelopeV2.parse(upcast(thirdParty, chain, 2)).data.actor.role, 'third-party')
  const source = JSON.parse(seedLines.find((line) => line.includes('"type":"SourceRegistered"'))!) as RawEnvelope
  const read = upcast(source, chain, 2)
  t.same(read.data, source.data)
  t.equal((read.metadata as Metadata).schemaVersion, 2)
})

t.test('an envelope already at the version, or without one, passes as it is', async (t) => {
  const stored = JSON.parse(statementLine) as RawEnvelope
  const v2 = upcast(stored, chain, 2)
  t.equal(upcast(v2, chain, 2), v2)
  const unversioned = { ...stored, metadata: {} }
  t.equal(upcast(unversioned, chain, 2), unversioned)
})

t.test('an upcaster that does not move exactly one version up is a bug, said at once', async (t) => {
  const stored = JSON.parse(statementLine) as RawEnvelope
  t.throws(() => upcast(stored, { 1: (envelope) => envelope }, 2), /made version 1, not 2/)
})

t.test('today there is one version: the chain is empty and every reader reads the seed as stored', async (t) => {
  t.same(upcasters, {})
  for (const line of seedLines) {
    const stored = JSON.parse(line) as RawEnvelope
    const read = readEnvelope(stored)
    t.same(read.ok ? read.envelope.data : read.message, stored.data, 'read as stored')
  }
})
