import t from 'tap'
import Fastify from 'fastify'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { createResponseCache } from '../../src/http/responseCache.js'

t.test('answers are reused only while the ledger and the day stay the same', async (t) => {
  let generation = 'size-1|2026-11-26'
  let computed = 0
  const cache = createResponseCache({ generation: () => generation, maxEntries: 2 })
  const app = Fastify()
  app.get('/answer/:n', (request, reply) =>
    cache.send(request, reply, () => {
      computed += 1
      if ((request.params as { n: string }).n === 'fail') throw new Error('not cached')
      return { n: (request.params as { n: string }).n, computed }
    }),
  )
  t.teardown(() => app.close())
  const get = async (n: string) => (await app.inject({ url: `/answer/${n}` })).json()
  t.same(await get('a'), { n: 'a', computed: 1 })
  t.same(await get('a'), { n: 'a', computed: 1 }, 'a hit')
  const response = await app.inject({ url: '/answer/a' })
  t.equal(response.headers['content-type'], 'application/json; charset=utf-8')
  generation = 'size-2|2026-11-26'
  t.same(await get('a'), { n: 'a', computed: 2 }, 'the ledger moved: computed again')
  generation = 'size-2|2026-11-27'
  t.same(await get('a'), { n: 'a', computed: 3 }, 'a new day: computed again')
  await get('b')
  await get('c')
  t.same(await get('a'), { n: 'a', computed: 6 }, 'bounded: the least recently used went first')
  t.equal((await app.inject({ url: '/answer/fail' })).statusCode, 500)
  t.equal((await app.inject({ url: '/answer/fail' })).statusCode, 500)
  t.equal(computed, 8, 'a failure is never cached')
})

t.test(
  'bounded in bytes: the least recently used go first, and an answer over the budget is sent but not kept',
  async (t) => {
    let computed = 0
    // each answer is {"n":"<n>","pad":"<300 x>"}: 318 bytes; three fit in 1 000, four do not
    const cache = createResponseCache({ generation: () => 'g', maxBytes: 1_000 })
    const app = Fastify()
    app.get('/answer/:n', (request, reply) =>
      cache.send(request, reply, () => {
        computed += 1
        const n = (request.params as { n: string }).n
        return { n, pad: 'x'.repeat(n === 'huge' ? 2_000 : 300) }
      }),
    )
    t.teardown(() => app.close())
    const get = (n: string) => app.inject({ url: `/answer/${n}` })
    for (const n of ['1', '2', '3']) await get(n)
    t.equal(cache.bytes, 3 * 318, 'three kept')
    await get('1')
    t.equal(computed, 3, '1 was a hit, and is now the most recently used')
    await get('4')
    t.equal(cache.bytes, 3 * 318, 'still within the budget')
    t.equal(cache.lookup('/answer/2'), undefined, 'the least recently used went')
    t.ok(cache.lookup('/answer/1'), 'the refreshed one stayed')
    const huge = await get('huge')
    t.equal(huge.statusCode, 200)
    t.equal(huge.json().pad.length, 2_000, 'answered whole')
    t.equal(cache.lookup('/answer/huge'), undefined, 'but not kept')
    t.equal(cache.bytes, 3 * 318, 'and nothing evicted for it')
  },
)

t.test(
  'a kept answer is compressed once per coding, and its compressed bytes count against the budget',
  async (t) => {
    const cache = createResponseCache({ generation: () => 'g', maxBytes: 10_000 })
    const app = Fastify()
    const answer = {
      items: Array.from({ length: 100 }, (_, n) => ({ n, text: 'the same words again' })),
    }
    app.get('/big', (request, reply) => cache.send(request, reply, () => answer))
    t.teardown(() => app.close())
    const plain = await app.inject({ url: '/big' })
    const kept = cache.bytes
    t.equal(kept, plain.rawPayload.length, 'the body alone')
    t.ok(kept > 1_024, 'over the compression threshold')

    const br = await app.inject({
      url: '/big',
      headers: { 'accept-encoding': 'br;q=1, gzip;q=0.5' },
    })
    t.equal(br.headers['content-encoding'], 'br', 'the client’s preference')
    t.match(br.headers.vary, /Accept-Encoding/)
    t.same(brotliDecompressSync(br.rawPayload), plain.rawPayload)
    t.equal(cache.bytes, kept + br.rawPayload.length, 'the br bytes are kept and counted')
    const again = await app.inject({ url: '/big', headers: { 'accept-encoding': 'br' } })
    t.same(again.rawPayload, br.rawPayload)
    t.equal(cache.bytes, kept + br.rawPayload.length, 'a second br hit compresses nothing more')
    const gzip = await app.inject({ url: '/big', headers: { 'accept-encoding': 'gzip' } })
    t.same(gunzipSync(gzip.rawPayload), plain.rawPayload)
    t.equal(cache.bytes, kept + br.rawPayload.length + gzip.rawPayload.length)
    const identity = await app.inject({ url: '/big', headers: { 'accept-encoding': 'identity' } })
    t.notOk(identity.headers['content-encoding'])
    t.same(identity.rawPayload, plain.rawPayload)
  },
)

t.test('a representation other than JSON (a feed, CSV) is kept as the text it is', async (t) => {
  let computed = 0
  const cache = createResponseCache({ generation: () => 'g' })
  const app = Fastify()
  app.get('/feed', (request, reply) =>
    cache.send(
      request,
      reply,
      () => {
        computed += 1
        return '<feed xmlns="http://www.w3.org/2005/Atom"/>'
      },
      'application/atom+xml; charset=utf-8',
    ),
  )
  t.teardown(() => app.close())
  for (const _ of [1, 2]) {
    const response = await app.inject({ url: '/feed' })
    t.equal(response.headers['content-type'], 'application/atom+xml; charset=utf-8')
    t.equal(response.body, '<feed xmlns="http://www.w3.org/2005/Atom"/>', 'not JSON-quoted')
  }
  t.equal(computed, 1, 'the second was a hit')
})
