import t from 'tap'
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { signCheckpoint } from '../../src/log/checkpoint.js'
import { latestKeptCheckpoint, openSigningKey } from '../../src/log/openSigningKey.js'
import { generateSigningKey, loadSigningKey } from '../../src/log/signingKey.js'
import { pino } from 'pino'
import type { EventStore, StoredCheckpoint } from '../../src/stores/eventStore.js'

/** A checkpoint of size 3 as a store keeps it, signed by `key` under `origin`. */
function keptBy(
  key: ReturnType<typeof generateSigningKey>,
  origin = 'policy-ledger',
): StoredCheckpoint {
  const rootHash = Buffer.alloc(32, 7)
  return {
    treeSize: 3,
    rootHash,
    note: signCheckpoint({ origin, treeSize: 3, rootHash }, key.privateKey),
  }
}

const base = { origin: 'policy-ledger', store: '/data/ledger.sqlite' }

t.test('a store that never signed anything gets a key made, mode 0600', async (t) => {
  const path = join(t.testdir(), 'ledger.sqlite.signing-key.pem')
  const made = await openSigningKey(path, { ...base, latest: undefined, mayCreate: true })
  t.equal(made.created, true)
  const again = await openSigningKey(path, {
    ...base,
    latest: keptBy({ ...made, pem: '' }),
    mayCreate: true,
  })
  t.equal(again.created, false, 'the key it made is the one it keeps using')
  t.ok(again.publicKey.equals(made.publicKey))
})

t.test(
  'a store holding checkpoints whose key is missing: refused, and no key is made',
  async (t) => {
    const dir = t.testdir()
    const path = join(dir, 'ledger.sqlite.signing-key.pem')
    await t.rejects(
      openSigningKey(path, { ...base, latest: keptBy(generateSigningKey()), mayCreate: true }),
      {
        code: 'invalid_signing_key',
        reason: 'lost',
        message: new RegExp(
          `the signing key ${path} is missing, but /data/ledger.sqlite holds checkpoints signed with it \\(the latest of size 3\\).*so none was made\\. Restore the key file`,
        ),
      },
    )
    t.same(readdirSync(dir), [], 'nothing was written beside the store')
  },
)

t.test(
  'LEDGER_SIGNING_KEY naming no file: refused, saying how to make one (or, with checkpoints, to restore it)',
  async (t) => {
    const path = join(t.testdir(), 'nowhere.pem')
    await t.rejects(openSigningKey(path, { ...base, latest: undefined, mayCreate: false }), {
      reason: 'missing',
      message: new RegExp(
        `there is no signing key at ${path} \\(LEDGER_SIGNING_KEY\\).*openssl genpkey -algorithm ed25519 -out ${path}`,
      ),
    })
    t.notOk(existsSync(path), 'and none was made')
    await t.rejects(
      openSigningKey(path, { ...base, latest: keptBy(generateSigningKey()), mayCreate: false }),
      {
        reason: 'lost',
        message: `the signing key ${path} is missing, but /data/ledger.sqlite holds checkpoints`,
      },
    )
  },
)

t.test('a key that did not sign the latest checkpoint is refused, naming both keys', async (t) => {
  const signer = generateSigningKey()
  const other = generateSigningKey()
  const path = join(t.testdir(), 'key.pem')
  writeFileSync(path, other.pem, { mode: 0o600 })
  await t.rejects(openSigningKey(path, { ...base, latest: keptBy(signer), mayCreate: true }), {
    reason: 'mismatch',
    message: new RegExp(
      `the signing key ${path} did not sign the checkpoints of /data/ledger.sqlite: the latest \\(size 3\\) is signed by policy-ledger\\+[0-9a-f]{8}, and this key is policy-ledger\\+[0-9a-f]{8} .*Use the key that signed the store`,
    ),
  })
  writeFileSync(path, signer.pem, { mode: 0o600 })
  const right = await openSigningKey(path, { ...base, latest: keptBy(signer), mayCreate: true })
  t.ok(right.publicKey.equals(signer.publicKey), 'the key that signed it is accepted')
})

t.test(
  'the right key under another LEDGER_ORIGIN is refused, naming the name it was signed under',
  async (t) => {
    const signer = generateSigningKey()
    const path = join(t.testdir(), 'key.pem')
    writeFileSync(path, signer.pem, { mode: 0o600 })
    await t.rejects(
      openSigningKey(path, {
        ...base,
        origin: 'renamed',
        latest: keptBy(signer, 'policy-ledger'),
        mayCreate: true,
      }),
      {
        reason: 'mismatch',
        message:
          /is signed as policy-ledger\+[0-9a-f]{8}, but LEDGER_ORIGIN is "renamed".*Set LEDGER_ORIGIN to the name the store was signed under/,
      },
    )
  },
)

t.test(
  'a key file other users may read or write is refused; the public half is still readable',
  async (t) => {
    const key = generateSigningKey()
    const dir = t.testdir()
    for (const mode of [0o644, 0o640, 0o602]) {
      const path = join(dir, `key-${mode.toString(8)}.pem`)
      writeFileSync(path, key.pem)
      chmodSync(path, mode) // exactly this mode, whatever the umask
      await t.rejects(openSigningKey(path, { ...base, latest: undefined, mayCreate: true }), {
        reason: 'loose_permissions',
        message: new RegExp(
          `${path} may be (read|written) by other users \\(mode 0${mode.toString(8)}\\).*chmod 600 ${path}`,
        ),
      })
      const publicHalf = await loadSigningKey(path) // what verify reads: it signs nothing
      t.ok(
        publicHalf.publicKey.equals(key.publicKey),
        `mode 0${mode.toString(8)}: verify may still read the public key`,
      )
    }
  },
)

t.test('a key path that cannot be read is refused, naming it', async (t) => {
  const dir = t.testdir({ 'key.pem': {} }) // a directory where the key should be
  const path = join(dir, 'key.pem')
  await t.rejects(openSigningKey(path, { ...base, latest: undefined, mayCreate: true }), {
    reason: 'unreadable',
    message: new RegExp(`cannot read the signing key ${path}: .*chmod 600`),
  })
})

t.test(
  'the latest checkpoint is waited for while the store cannot be reached; other errors stop',
  async (t) => {
    const kept = keptBy(generateSigningKey())
    let calls = 0
    const flaky = {
      latestCheckpoint: async () => {
        calls += 1
        if (calls < 3)
          throw Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
            code: 14,
            metadata: {},
          })
        return kept
      },
    } as unknown as EventStore
    const fast = { initialDelayMs: 1, maxDelayMs: 2 }
    t.equal(
      await latestKeptCheckpoint(flaky, pino({ level: 'silent' }), fast),
      kept,
      'found once the store answers',
    )
    t.equal(calls, 3, 'after two refused attempts')
    const broken = {
      latestCheckpoint: async () => Promise.reject(new Error('boom')),
    } as unknown as EventStore
    await t.rejects(latestKeptCheckpoint(broken, pino({ level: 'silent' }), fast), {
      message: 'boom',
    })
  },
)
