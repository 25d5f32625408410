import { createHash } from 'node:crypto'
import t from 'tap'
import { NotCanonicalisable, canonicalJson } from '../../src/log/canonicalJson.js'
import { entryOf, leafHash } from '../../src/log/entry.js'

/** An IEEE 754 double from its big-endian bit pattern in hex. */
function double(bits: string): number {
  const view = new DataView(new ArrayBuffer(8))
  view.setBigUint64(0, BigInt(`0x${bits}`))
  return view.getFloat64(0)
}

t.test('RFC 8785 §3.2.2 sample, §3.2.3 output and §3.2.4 UTF-8 bytes', async (t) => {
  const input = String.raw`{
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  }`
  const output = canonicalJson(JSON.parse(input))
  t.equal(
    output,
    String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
  )
  const bytes = `
    7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72
    75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a
    5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31
    65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37
    5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30
    30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d`
  t.equal(Buffer.from(output, 'utf8').toString('hex'), bytes.replace(/\s/g, ''))
})

t.test('RFC 8785 §3.2.3: properties sorted by UTF-16 code units', async (t) => {
  const input = String.raw`{
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  }`
  const output = canonicalJson(JSON.parse(input))
  const values = [...output.matchAll(/:"([^"]*)"/g)].map((m) => m[1])
  t.same(values, [
    'Carriage Return',
    'One',
    'Control',
    'Latin Small Letter O With Diaeresis',
    'Euro Sign',
    'Emoji: Grinning Face',
    'Hebrew Letter Dalet With Dagesh',
  ])
  // Sorting by code points (or UTF-8 bytes) would put the emoji (U+1F600) after U+FB33.
  t.ok(output.indexOf('\ud83d\ude00') < output.indexOf('\ufb33'))
  t.equal(
    output,
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  )
})

t.test('RFC 8785 Appendix B: number serialisation', async (t) => {
  const table: [string, string][] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ]
  for (const [bits, expected] of table) t.equal(canonicalJson(double(bits)), expected, `0x${bits}`)
  t.equal(canonicalJson(-0), '0')
  t.equal(canonicalJson({ n: [1e21, 1e-7, 100] }), '{"n":[1e+21,1e-7,100]}')
  for (const bits of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
    t.throws(() => canonicalJson({ a: [double(bits)] }), {
      code: 'not_canonicalisable',
      path: '/a/0',
      message: 'numbers must be finite',
    })
  }
})

t.test('lone surrogates are refused with a JSON Pointer to them', async (t) => {
  t.throws(() => canonicalJson({ a: { 'b/c~d': ['ok', 'x\ud800y'] } }), {
    code: 'not_canonicalisable',
    path: '/a/b~1c~0d/1',
    message: /lone surrogates/,
  })
  t.throws(
    () => canonicalJson({ ['\udc00']: 1 }),
    { code: 'not_canonicalisable', path: '/\udc00' },
    'in a key',
  )
  t.throws(() => canonicalJson('\ud83d'), { code: 'not_canonicalisable', path: '' }, 'at the top')
  t.throws(
    () => canonicalJson(['\ude00\ud83d']),
    { code: 'not_canonicalisable', path: '/0' },
    'a reversed pair',
  )
  t.equal(canonicalJson('\ud83d\ude00'), '"\ud83d\ude00"', 'a proper pair is kept as is')
  const error = (() => {
    try {
      canonicalJson({ x: '\ud800' })
    } catch (e) {
      return e
    }
  })()
  t.ok(error instanceof NotCanonicalisable)
})

t.test('other values', async (t) => {
  t.equal(canonicalJson({ b: undefined, a: 1 }), '{"a":1}', 'undefined members are left out')
  t.equal(canonicalJson([]), '[]')
  t.equal(canonicalJson({}), '{}')
  t.equal(canonicalJson('\u2028\u2029'), '"\u2028\u2029"', 'line separators are not escaped')
  t.equal(canonicalJson('\u007f'), '"\u007f"', 'DEL is not escaped')
  t.equal(canonicalJson('\u001f'), '"\\u001f"')
  t.throws(() => canonicalJson({ n: 1n }), { path: '/n', message: /bigint/ })
  t.throws(() => canonicalJson([() => 1]), { code: 'not_canonicalisable', path: '/0' })
})

t.test('entries and their leaf hashes', async (t) => {
  const fields = { type: 'T', stream: 's', id: 'i', metadata: { z: 1, a: 2 }, data: { q: 'é' } }
  const entry = entryOf({ ...fields, extra: 'ignored' } as typeof fields)
  t.equal(entry, '{"data":{"q":"é"},"id":"i","metadata":{"a":2,"z":1},"stream":"s","type":"T"}')
  const expected = createHash('sha256')
    .update(Buffer.concat([Buffer.of(0), Buffer.from(entry, 'utf8')]))
    .digest()
  t.same(leafHash(entry), expected, 'SHA-256(0x00 || UTF-8 bytes)')
  t.same(leafHash(Buffer.from(entry, 'utf8')), expected, 'the same from bytes')
  t.equal(
    leafHash('').toString('hex'),
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'the RFC 6962 leaf hash of the empty entry',
  )
})
