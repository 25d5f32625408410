import Fastify from 'fastify'
import t from 'tap'
import { addVary } from '../../src/http/vary.js'

t.test('addVary adds a field once, keeps the others, and leaves `*` alone', async (t) => {
  const app = Fastify()
  app.get('/', async (request, reply) => {
    const before = request.headers['x-before']
    if (typeof before === 'string') reply.header('Vary', before.includes('|') ? before.split('|') : before)
    for (const field of String(request.headers['x-add']).split(',')) addVary(reply, field)
    return 'ok'
  })
  t.teardown(() => app.close())
  const vary = async (add: string, before?: string) =>
    (await app.inject({ url: '/', headers: { 'x-add': add, ...(before === undefined ? {} : { 'x-before': before }) } })).headers.vary
  t.equal(await vary('Origin'), 'Origin')
  t.equal(await vary('Origin,Origin'), 'Origin', 'once')
  t.equal(await vary('Origin', 'Accept-Encoding'), 'Accept-Encoding, Origin')
  t.equal(await vary('accept-encoding', 'Accept-Encoding'), 'Accept-Encoding', 'field names are case-insensitive')
  t.equal(await vary('Origin', '*'), '*', 'everything varies already')
  t.equal(await vary('Origin', 'Accept|Accept-Encoding'), 'Accept, Accept-Encoding, Origin', 'a header set as a list')
})
