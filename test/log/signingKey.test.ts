import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import {
  InvalidSigningKey,
  generateSigningKey,
  loadOrCreateSigningKey,
  loadSigningKey,
  rawPublicKey,
} from '../../src/log/signingKey.js'

t.test('a key is generated with mode 0600, in a new directory, and reused after', async (t) => {
  const dir = t.testdir()
  const path = join(dir, 'var', 'keys', 'ledger.key.pem')
  const first = await loadOrCreateSigningKey(path)
  t.equal(first.created, true)
  t.equal((await stat(path)).mode & 0o777, 0o600, 'mode 0600')
  t.equal(first.privateKey.asymmetricKeyType, 'ed25519')
  const second = await loadOrCreateSigningKey(path)
  t.equal(second.created, false, 'the file is reused')
  t.ok(second.privateKey.equals(first.privateKey), 'the same key')
  t.ok(second.publicKey.equals(first.publicKey))
  const loaded = await loadSigningKey(path)
  t.ok(loaded.privateKey.equals(first.privateKey))
})

t.test('concurrent first starts agree on one key, and leave no temporary files', async (t) => {
  const dir = t.testdir()
  const path = join(dir, 'ledger.key.pem')
  const keys = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateSigningKey(path)))
  const [first] = keys
  t.ok(
    keys.every((k) => first !== undefined && k.publicKey.equals(first.publicKey)),
    'one key',
  )
  t.equal(keys.filter((k) => k.created).length, 1, 'created once')
  t.same(await readdir(dir), ['ledger.key.pem'])
})

t.test('a non-Ed25519 key is refused with a clear error', async (t) => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const dir = t.testdir({
    'rsa.pem': rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    'ec.pem': ec.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    'public.pem': generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }),
    'garbage.pem': 'not a key\n',
    'empty.pem': '',
  })
  await t.rejects(loadSigningKey(join(dir, 'rsa.pem')), {
    code: 'invalid_signing_key',
    message: /rsa\.pem holds a rsa key, but the log signs with Ed25519/,
  })
  await t.rejects(loadOrCreateSigningKey(join(dir, 'ec.pem')), {
    message: /holds a ec key, but the log signs with Ed25519/,
  })
  await t.rejects(loadSigningKey(join(dir, 'public.pem')), {
    message: /public\.pem is not a PEM private key/,
  })
  await t.rejects(loadSigningKey(join(dir, 'garbage.pem')), InvalidSigningKey)
  await t.rejects(loadOrCreateSigningKey(join(dir, 'empty.pem')), { message: /is empty/ })
  await t.rejects(loadSigningKey(join(dir, 'missing.pem')), {
    message: /there is no signing key at/,
  })
  const rsaAfter = await loadSigningKey(join(dir, 'ec.pem')).catch((e: Error) => e.message)
  t.match(rsaAfter, /ec key/, 'and the refused file was not replaced')
})

t.test('an existing PEM written by openssl-style tools is loaded', async (t) => {
  const { pem, privateKey } = generateSigningKey()
  t.match(pem, /^-----BEGIN PRIVATE KEY-----\n/, 'PKCS#8 PEM')
  const path = join(t.testdir(), 'given.pem')
  await writeFile(path, pem)
  const loaded = await loadOrCreateSigningKey(path)
  t.equal(loaded.created, false)
  t.ok(loaded.privateKey.equals(privateKey))
})

t.test('rawPublicKey is the 32-byte key, from the public or the private KeyObject', async (t) => {
  const { privateKey, publicKey } = generateSigningKey()
  const raw = rawPublicKey(publicKey)
  t.equal(raw.length, 32)
  t.same(
    raw,
    Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url'),
    'the JWK x',
  )
  t.same(rawPublicKey(privateKey), raw)
  const message = Buffer.from('hello')
  t.ok(verify(null, message, publicKey, sign(null, message, privateKey)))
  t.throws(
    () => rawPublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey),
    TypeError,
  )
})
