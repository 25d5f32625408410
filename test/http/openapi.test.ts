import t from 'tap'
import { Validator } from '@seriousme/openapi-schema-validator'
import { testLedger } from '../support/testLedger.js'

/** Every route of the REST contract in ../shared/DESIGN.md, as OpenAPI paths. */
const contract: Array<[string, string]> = [
  ['get', '/health'],
  ['get', '/ready'],
  ['get', '/jurisdictions'],
  ['get', '/jurisdictions/{id}'],
  ['get', '/jurisdictions/{id}/stance'],
  ['get', '/jurisdictions/{id}/history'],
  ['get', '/sources/{id}'],
  ['get', '/actors/{id}'],
  ['get', '/events/{id}'],
  ['get', '/events/{id}/provenance'],
  ['get', '/events'],
  ['post', '/events'],
  ['get', '/ledger/checkpoint'],
  ['get', '/ledger/entries'],
  ['get', '/ledger/proofs/inclusion'],
  ['get', '/ledger/proofs/consistency'],
]

t.test('/openapi.json is a valid OpenAPI 3.1 document holding every route of the contract', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const response = await ledger.app.inject({ url: '/openapi.json' })
  t.equal(response.statusCode, 200)
  const document = response.json()
  t.equal(document.openapi, '3.1.0')
  const validator = new Validator()
  const result = await validator.validate(document)
  t.same(result.errors ?? [], [], 'no validation errors')
  t.equal(result.valid, true)
  for (const [method, path] of contract) {
    t.ok(document.paths[path]?.[method], `${method.toUpperCase()} ${path}`)
    t.ok(document.paths[path]?.[method]?.summary, `${method.toUpperCase()} ${path} has a summary`)
  }
  const stance = document.paths['/jurisdictions/{id}/stance'].get
  const id = stance.parameters.find((p: { name: string }) => p.name === 'id')
  t.equal(id.example, 'us-pa-philadelphia', 'examples come from the seed')
  t.ok(stance.responses['200'].content['application/json'].schema, 'the stance answer is documented')
  t.ok(document.paths['/events'].post.requestBody, 'the write body is documented')
})

t.test('/docs serves Swagger UI', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const docs = await ledger.app.inject({ url: '/docs/' })
  t.equal(docs.statusCode, 200)
  t.match(docs.body, /Swagger UI/)
  const problems = (await ledger.app.inject({ url: '/problems' })).json()
  t.ok(problems.problems.some((p: { type: string; status: number }) => p.type === '/problems/quote-not-found' && p.status === 422))
  t.equal((await ledger.app.inject({ url: '/problems/quote-not-found' })).json().status, 422)
  t.equal((await ledger.app.inject({ url: '/problems/nope' })).statusCode, 404)
})
