import t from 'tap'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { lastSeedPosition, seedSize, testLedger, WRITER_TOKEN } from '../support/testLedger.js'

/** Inside the project, so the generated client resolves openapi-fetch from its node_modules. */
const dir = fileURLToPath(new URL('../../test-artifacts/openapi-client/', import.meta.url))

/** A client as someone would write it against the generated types: the seed's headline reads and a write. */
const client = `import createClient from 'openapi-fetch'
import type { paths } from './schema.js'

export async function tour(baseUrl: string, token: string) {
  const api = createClient<paths>({ baseUrl })
  const stance = await api.GET('/jurisdictions/{id}/stance', {
    params: { path: { id: 'us-pa-philadelphia' }, query: { asOf: '2016-03-01', knownAt: '${lastSeedPosition}' } },
  })
  if (stance.data === undefined) throw new Error('no stance: ' + stance.response.status + ' ' + JSON.stringify(stance.error))
  const detainer: string = stance.data.stance['detainer_hold']!.value
  const known: number | null = stance.data.knownAtPosition
  const list = await api.GET('/jurisdictions', {
    params: { query: { dimension: 'declared_status', value: 'sanctuary', asOf: '2017-06-30' } },
  })
  const sanctuaries: string[] = (list.data?.jurisdictions ?? []).map((j) => j.jurisdictionId)
  const checkpoint = await api.GET('/ledger/checkpoint')
  const treeSize: number | undefined = checkpoint.data?.treeSize
  const missing = await api.GET('/jurisdictions/{id}', { params: { path: { id: 'us-xx-nowhere' } } })
  const problem: string | undefined = missing.error?.type
  const written = await api.POST('/events', {
    headers: { authorization: 'Bearer ' + token },
    body: { events: [{ type: 'JurisdictionRegistered', data: { jurisdictionId: 'us-xx-generated', name: 'Generated', kind: 'city', ocdId: 'ocd-division/country:us/place:generated' } }] },
  })
  const position: number | undefined = written.data?.events[0]?.position
  return { detainer, known, etag: stance.response.headers.get('etag'), sanctuaries, treeSize, problem, status: written.response.status, position }
}
`

/** The same call with a query parameter the API does not have: the types must refuse it. */
const misuse = `import createClient from 'openapi-fetch'
import type { paths } from './schema.js'
export const wrong = createClient<paths>({ baseUrl: '' }).GET('/jurisdictions/{id}/stance', {
  params: { path: { id: 'us-pa-philadelphia' }, query: { as_of: '2016-03-01' } },
})
`

const tsc = fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url))

/**
 * tsc's complaints about one file, or '' when it compiles. In a child process: compiling in this one
 * would block the event loop long enough for load shedding to refuse the calls that follow.
 */
async function typeErrors(file: string): Promise<string> {
  const args = [
    '--noEmit',
    '--strict',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--lib',
    'es2023,dom',
    '--skipLibCheck',
    file,
  ]
  try {
    await promisify(execFile)(tsc, args)
    return ''
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error)
  }
}

t.test(
  'a typed client generated from /openapi.json compiles and calls the seed’s endpoints',
  async (t) => {
    const ledger = await testLedger()
    t.teardown(() => ledger.close())
    const document = (await ledger.app.inject({ url: '/openapi.json' })).json()
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    writeFileSync(`${dir}package.json`, '{ "type": "module" }')
    writeFileSync(`${dir}schema.d.ts`, astToString(await openapiTS(document)))
    writeFileSync(`${dir}client.ts`, client)
    writeFileSync(`${dir}misuse.ts`, misuse)

    t.equal(
      await typeErrors(`${dir}client.ts`),
      '',
      'the client compiles against the generated types',
    )
    t.match(
      await typeErrors(`${dir}misuse.ts`),
      /as_of/,
      'and the types refuse a parameter the API does not have',
    )

    await ledger.app.listen({ port: 0, host: '127.0.0.1' })
    const baseUrl = `http://127.0.0.1:${(ledger.app.server.address() as AddressInfo).port}`
    // run as a client would be: its own process (and out of this test's coverage)
    writeFileSync(
      `${dir}main.ts`,
      "import { tour } from './client.js'\nconsole.log(JSON.stringify(await tour(process.argv[2]!, process.argv[3]!)))\n",
    )
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      `${dir}main.ts`,
      baseUrl,
      WRITER_TOKEN,
    ])
    const result = JSON.parse(stdout) as Record<string, unknown>
    t.match(result, {
      detainer: 'serious_crimes_only',
      known: lastSeedPosition,
      etag: /^"/,
      sanctuaries: ['us-dc', 'us-il-chicago', 'us-pa-philadelphia', 'us-wa-seattle'],
      treeSize: seedSize,
      problem: '/problems/not-found',
      status: 201,
      position: seedSize,
    })
  },
)
