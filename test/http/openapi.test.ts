import t, { type Test } from 'tap'
import { Validator } from '@seriousme/openapi-schema-validator'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { z } from 'zod'
import { atomExample, atomExampleUrl, panelCsvExample, panelExampleUrl, panelNdjsonExample } from '../../src/http/answerExamples.js'
import {
  Changes,
  Checkpoint,
  ConsistencyProof,
  InclusionProof,
  JurisdictionList,
  StanceAnswer,
} from '../../src/http/schemas.js'
import { WriteResponse } from '../../src/ledger/writeRequest.js'
import { authorised, lastSeedPosition, pressStatement, READER_TOKEN, testLedger } from '../support/testLedger.js'

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
  ['get', '/changes'],
  ['get', '/changes/stream'],
  ['get', '/changes.atom'],
  ['get', '/jurisdictions/{id}/changes.atom'],
  ['get', '/panel'],
  ['get', '/metrics'],
  ['get', '/problems'],
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

type Operation = { operationId?: string; security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }>; headers?: Record<string, unknown> }> }

async function servedDocument(env: Record<string, string> = {}) {
  const ledger = await testLedger(env)
  // with private reads the document is behind the token too
  const response = await ledger.app.inject({ url: '/openapi.json', headers: { authorization: `Bearer ${READER_TOKEN}` } })
  await ledger.close()
  const document = response.json()
  return document as { paths: Record<string, Record<string, Operation>>; servers: unknown[]; info: { license: unknown } }
}

/** `redocly lint` (recommended rules) on the document as served: its JSON report. */
function redoclyLint(document: unknown): { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; location: Array<{ pointer: string }> }> } {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'))
  const file = join(dir, 'openapi.json')
  writeFileSync(file, JSON.stringify(document))
  try {
    const result = spawnSync(fileURLToPath(new URL('../../node_modules/.bin/redocly', import.meta.url)), ['lint', file, '--format=json'], { encoding: 'utf8' })
    return JSON.parse(result.stdout)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// operations that can answer no 4xx at all (no input, no token needed): Redocly's recommended rules
// warn about them; anything else it finds is a regression
const no4xxPublic = ['/', '/health', '/ready', '/problems', '/metrics', '/ledger/checkpoint', '/changes.atom']
const no4xxPrivate = ['/health', '/ready', '/problems']

for (const [what, env, no4xx] of [
  ['public reads', {}, no4xxPublic],
  ['private reads', { LEDGER_READ_TOKENS: `reader:${READER_TOKEN}` }, no4xxPrivate],
] as const) {
  t.test(`redocly lint finds no error in the served document (${what})`, async (t) => {
    const report = redoclyLint(await servedDocument(env))
    t.equal(report.totals.errors, 0, 'no errors')
    const warnings = report.problems.map((problem) => `${problem.ruleId} ${problem.location[0]?.pointer}`)
    t.same(
      warnings.sort(),
      no4xx.map((path) => `operation-4xx-response #/paths/${path.replaceAll('/', '~1')}/get/responses`).sort(),
      'the only warnings: operations that cannot fail with a 4xx',
    )
  })
}

t.test('a client generator learns who needs a token, an operationId each, every problem, the validators', async (t) => {
  const document = await servedDocument()
  t.same(document.info.license, { name: 'MIT', identifier: 'MIT' })
  t.ok(document.servers.length > 0, 'servers')
  const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })))
  const ids = operations.map(({ operation }) => operation.operationId)
  t.notOk(ids.includes(undefined), 'an operationId on every operation')
  t.equal(new Set(ids).size, ids.length, 'each one unique')
  t.same(document.paths['/events']!.post!.security, [{ bearer: [] }], 'writes need the bearer token')
  t.same(document.paths['/jurisdictions/{id}/stance']!.get!.security, [], 'public reads need none')
  const stance = document.paths['/jurisdictions/{id}/stance']!.get!
  for (const status of ['400', '404', '500', '503']) {
    t.equal(stance.responses[status]?.content?.['application/problem+json']?.schema.$ref, '#/components/schemas/Problem', `stance ${status}: problem+json`)
  }
  t.ok(stance.responses['304'], 'a 304')
  t.ok(stance.responses['200']!.headers?.ETag && stance.responses['200']!.headers['Cache-Control'] && stance.responses['200']!.headers['Last-Modified'], 'ETag, Cache-Control, Last-Modified')
  const write = document.paths['/events']!.post!
  for (const status of ['400', '401', '403', '409', '413', '415', '422', '429', '503']) t.ok(write.responses[status], `POST /events documents ${status}`)
  t.notOk(write.responses['304'], 'no 304 for a write')
  t.notOk(document.paths['/metrics']!.get!.responses['304'], 'nor for metrics, which have no tag')
  const privateDocument = await servedDocument({ LEDGER_READ_TOKENS: `reader:${READER_TOKEN}` })
  t.same(privateDocument.paths['/jurisdictions/{id}/stance']!.get!.security, [{ bearer: [] }], 'private reads need a token')
  t.ok(privateDocument.paths['/jurisdictions/{id}/stance']!.get!.responses['401'], 'and may be a 401')
  t.same(privateDocument.paths['/health']!.get!.security, [], 'but not liveness')
})

t.test('the documented examples of answers that are not JSON are what the seed answers', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const document = (await ledger.app.inject({ url: '/openapi.json' })).json()
  const panel = document.paths['/panel'].get.responses['200'].content
  t.equal(panel['text/csv'].example, panelCsvExample)
  t.equal(panel['application/x-ndjson'].example, panelNdjsonExample)
  t.equal((await ledger.app.inject({ url: panelExampleUrl })).body, panelCsvExample, `the CSV example is ${panelExampleUrl}`)
  t.equal((await ledger.app.inject({ url: `${panelExampleUrl}&format=ndjson` })).body, panelNdjsonExample, 'and the NDJSON one')
  t.equal(document.paths['/jurisdictions/{id}/changes.atom'].get.responses['200'].content['application/atom+xml'].example, atomExample)
  t.equal((await ledger.app.inject({ url: atomExampleUrl, headers: { host: 'localhost:3000' } })).body, atomExample, `the Atom example is ${atomExampleUrl}`)
  t.ok(document.paths['/changes/stream'].get.responses['200'].content['text/event-stream'].example, 'the stream has one too (test/http/changes.test.ts checks it)')
})

/** Parsed with its documented schema, an answer loses any field the schema does not name. */
function documented(t: Test, schema: z.ZodType, body: unknown, what: string) {
  const parsed = schema.safeParse(body)
  t.ok(parsed.success, `${what}: the answer has every field its schema requires${parsed.success ? '' : `: ${parsed.error.message}`}`)
  if (parsed.success) t.strictSame(parsed.data, body, `${what}: and no field it does not document`)
}

t.test('every documented JSON answer is what its route answers: no field missing, none undocumented', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const written = await ledger.app.inject({ method: 'POST', url: '/events', headers: authorised, payload: { events: [pressStatement('us-wa-seattle', '2016-11-20', 'welcoming')] } })
  documented(t, WriteResponse, written.json(), 'POST /events')
  const id = written.json().events[0].id
  const cases: Array<[string, z.ZodType]> = [
    ['/jurisdictions', JurisdictionList],
    ['/jurisdictions?limit=2', JurisdictionList],
    ['/jurisdictions?dimension=declared_status&value=sanctuary&asOf=2017-06-30', JurisdictionList],
    ['/jurisdictions/us-pa-philadelphia/stance?asOf=2016-03-01', StanceAnswer],
    ['/ledger/checkpoint', Checkpoint],
    [`/ledger/proofs/inclusion?eventId=${id}`, InclusionProof],
    [`/ledger/proofs/consistency?first=${lastSeedPosition + 1}&second=${lastSeedPosition + 2}`, ConsistencyProof],
    ['/changes?from=2016-01-01&to=2016-12-31', Changes],
    ['/changes?from=2016&to=2016&limit=1', Changes],
    [`/changes?since=${lastSeedPosition}`, Changes],
  ]
  for (const [url, schema] of cases) {
    const response = await ledger.app.inject({ url })
    t.equal(response.statusCode, 200, url)
    documented(t, schema, response.json(), url)
  }
})
