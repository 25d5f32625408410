import t from 'tap'
import Fastify from 'fastify'
import { createResponseCache } from '../../src/http/responseCache.js'

t.test('answers are reused only while the ledger and the day stay the same', async (t) => {
  let generation = 'size-1|2026-11-26'
  let computed = 0
  const cache = createResponseCache(() => generation, 2)
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
