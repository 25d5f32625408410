import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { eventTypes } from '../../../events/index.js'
import { authorised, WRITER_TOKEN } from '../testLedger.js'
import type { Probe } from './properties.js'

/** What the fuzzer sends: hand-made bodies and fast-check arbitraries for bodies, paths and queries. */

const ARTICLE = 'abcnews-2016-11-17-cities-push-back'

export const seedEvents = readFileSync(new URL('../../../data/seed.ndjson', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map(
    (line) =>
      JSON.parse(line) as {
        id: string
        type: string
        stream: string
        data: Record<string, unknown>
      },
  )
const seedIds = seedEvents.map((event) => event.id)
const seedClaimIds = seedEvents
  .filter((event) => !event.type.endsWith('Registered'))
  .map((event) => event.id)
const seedJurisdictions = seedEvents.flatMap((event) =>
  event.type === 'JurisdictionRegistered' ? [String(event.data.jurisdictionId)] : [],
)
const seedSources = seedEvents.flatMap((event) =>
  event.type === 'SourceRegistered' ? [String(event.data.sourceId)] : [],
)
const seedActors = [
  ...new Set(
    seedEvents.flatMap((event) =>
      typeof event.data.actor === 'object' ? [String((event.data.actor as { id: string }).id)] : [],
    ),
  ),
]
const chicagoClaim = seedEvents.find(
  (event) =>
    event.stream === 'jurisdiction-us-il-chicago' &&
    event.type === 'StatementMade' &&
    (event.data.actor as { role?: string }).role === undefined,
)!


// ---------- bodies for POST /events ----------

const json = (value: unknown): Probe => ({
  method: 'POST',
  url: '/events',
  headers: { ...authorised, 'content-type': 'application/json' },
  payload: JSON.stringify(value),
})

/** Valid requests of every shape the ledger takes; each is perturbed in one place below. */
export function validEvents(id: string, n: number): Array<Record<string, unknown>> {
  const short = id.slice(0, 8)
  const claim = {
    jurisdictionId: 'us-il-chicago',
    actor: { id: 'rahm-emanuel', name: 'Rahm Emanuel', office: 'Mayor of Chicago' },
    on: '2016-11-20',
    summary: 'Reaffirms Chicago as a sanctuary city',
    sourceId: ARTICLE,
    stances: [{ dimension: 'declared_status', value: 'sanctuary' }],
  }
  const all = [
    { id, type: 'StatementMade', data: claim },
    {
      id,
      type: 'StatementMade',
      data: {
        ...claim,
        quote: {
          exact:
            'These are some of the major cities that are reasserting their immigration policies',
          prefix: '',
          start: 1928,
        },
      },
      expectedRevision: 'any',
    },
    { id, type: 'PolicyReaffirmed', data: { ...claim, dateBasis: 'the article says so' } },
    {
      id,
      type: 'PolicyEnacted',
      data: {
        ...claim,
        policyId: `fuzz-policy-${short}`,
        instrument: 'ordinance',
        title: 'A fuzzed ordinance',
      },
    },
    {
      id,
      type: 'ClaimCorrected',
      data: {
        jurisdictionId: 'us-il-chicago',
        correctsEventId: chicagoClaim.id,
        changes: { on: '2016-11', stances: [] },
        reason: 'fuzzing',
      },
    },
    {
      id,
      type: 'SourceRegistered',
      data: {
        sourceId: `fuzz-source-${short}`,
        kind: 'news-article',
        title: 'A title',
        publisher: 'A publisher',
        publishedOn: '2017-02',
        url: 'https://example.org/a',
        via: ARTICLE,
      },
    },
    {
      id,
      type: 'JurisdictionRegistered',
      data: {
        jurisdictionId: `us-xx-fuzz-${short}`,
        name: 'Fuzzville',
        kind: 'city',
        ocdId: 'ocd-division/country:us/state:xx/place:fuzzville',
        parentId: 'us',
      },
    },
    {
      id,
      type: 'ClaimRetracted',
      data: {
        jurisdictionId: 'us-il-chicago',
        retractsEventId: seedClaimIds[n % seedClaimIds.length]!,
        reason: 'fuzzing',
      },
    },
  ]
  return all
}

/** Every path (as keys) to a value inside `value`. */
function pathsOf(
  value: unknown,
  prefix: Array<string | number> = [],
): Array<Array<string | number>> {
  const paths: Array<Array<string | number>> = [prefix]
  if (Array.isArray(value))
    value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])))
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]))
  return paths
}

const weirdStrings = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    'x\udfffy',
    '\u202e',
    'null',
    '__proto__',
    'constructor',
    '-1',
    '1e309',
    '../../etc/passwd',
    '<script>',
    '%00',
    'Bearer x',
    '2016-02-30',
    '9999-99-99',
    '0000-00-00',
  ),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
)

const anyJson = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 4 }),
  weirdStrings,
  fc.constantFrom(null, true, 0, -1, 1.5, 2 ** 53, [], {}),
)

type Mutation =
  | { kind: 'delete' }
  | { kind: 'replace'; value: unknown }
  | { kind: 'add-key'; key: string; value: unknown }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'delete' }),
  anyJson.map((value): Mutation => ({ kind: 'replace', value })),
  fc.record({
    kind: fc.constant('add-key' as const),
    key: fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'role', 'extra', ''),
      fc.string(),
    ),
    value: anyJson,
  }),
)

function applyMutation(root: unknown, path: Array<string | number>, change: Mutation): unknown {
  if (path.length === 0) {
    if (change.kind === 'replace') return change.value
    if (change.kind === 'delete') return undefined
  }
  const parent = path
    .slice(0, -1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root) as Record<
    string | number,
    unknown
  >
  const key = path[path.length - 1]!
  const target =
    change.kind === 'add-key'
      ? ((path.length === 0 ? root : parent[key]) as Record<string, unknown>)
      : undefined
  switch (change.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1)
      else delete parent[key]
      break
    case 'replace':
      parent[key] = change.value
      break
    case 'add-key':
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
        // defineProperty: a literal `__proto__` key would set the prototype instead of adding a key
        Object.defineProperty(target, change.key, {
          value: change.value,
          enumerable: true,
          configurable: true,
          writable: true,
        })
      } else {
        parent[key] = { [change.key]: change.value }
      }
      break
  }
  return root
}

/** A valid request (1 to 3 events) with one field perturbed: deleted, replaced, or given a sibling key. */
export const mutatedValid: fc.Arbitrary<Probe> = fc
  .record({
    ids: fc.array(fc.uuid({ version: 4 }), { minLength: 3, maxLength: 3 }),
    picks: fc.array(fc.nat(7), { minLength: 1, maxLength: 3 }),
    where: fc.nat(),
    change: fc.option(mutation, { freq: 8 }),
  })
  .map(({ ids, picks, where, change }) => {
    const events = picks.map((pick, index) => validEvents(ids[index]!, where)[pick]!)
    const body: unknown = JSON.parse(JSON.stringify({ events }))
    if (change === null) return json(body)
    const paths = pathsOf(body)
    return json(applyMutation(body, paths[where % paths.length]!, change))
  })

/** Event-shaped requests with random parts. */
export const eventShaped: fc.Arbitrary<Probe> = fc
  .array(
    fc.record(
      {
        id: fc.oneof(fc.uuid(), weirdStrings, fc.constantFrom(...seedIds)),
        type: fc.oneof(fc.constantFrom(...eventTypes), weirdStrings),
        data: fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.dictionary(
            fc.constantFrom(
              'jurisdictionId',
              'actor',
              'on',
              'summary',
              'sourceId',
              'stances',
              'quote',
              'sourceId',
              'kind',
            ),
            anyJson,
          ),
        ),
        expectedRevision: fc.oneof(
          fc.constantFrom('no_stream', 'any', -1, 0, 1.5, 1e308, '0'),
          fc.integer(),
        ),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 5 },
  )
  .map((events) => json({ events }))

/** Anything JSON, or a random `events` value. */
export const randomJson: fc.Arbitrary<Probe> = fc.oneof(
  fc.jsonValue().map(json),
  anyJson.map((events) => json({ events })),
  fc.dictionary(weirdStrings, anyJson).map(json),
)

/** Random bytes, text, and valid bodies under the wrong content type. */
const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/problem+json',
  'application/jsonx',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/xml',
  '',
  '/',
  ';;;',
  'application/json;',
  '*/*',
)
export const rawBodies: fc.Arbitrary<Probe> = fc
  .record({
    contentType: fc.option(contentTypes),
    body: fc.oneof(
      fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ unit: 'binary', maxLength: 500 }),
      fc.constantFrom(
        '',
        ' ',
        'null',
        '[]',
        '{}',
        '{"events":',
        '{"events":[]}',
        '\ufeff{"events":[]}',
        'events=1',
        '{"events":[{}]}',
      ),
      fc.constant(
        JSON.stringify({ events: [validEvents('6a1f2d8e-8d9b-4c8e-9a50-0a9b6a1d2f3e', 0)[0]] }),
      ),
    ),
  })
  .map(({ contentType, body }) => ({
    method: 'POST' as const,
    url: '/events',
    headers: { ...authorised, ...(contentType === null ? {} : { 'content-type': contentType }) },
    payload: body,
  }))

/** A valid request whose bytes are made invalid UTF-8 inside a string (or between tokens). */
export const invalidSequences = [
  [0xff],
  [0xfe],
  [0x80],
  [0xc0, 0xaf],
  [0xc3],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
]
export const invalidUtf8: fc.Arbitrary<Probe> = fc
  .record({
    id: fc.uuid({ version: 4 }),
    pick: fc.nat(7),
    sequence: fc.constantFrom(...invalidSequences),
    offset: fc.nat(),
    inString: fc.boolean(),
  })
  .map(({ id, pick, sequence, offset, inString }) => {
    const text = Buffer.from(JSON.stringify({ events: [validEvents(id, 0)[pick]] }), 'utf8')
    // inside a string: just after the opening quote of a value; else anywhere
    const quotes: number[] = []
    for (let i = 0; i < text.length; i += 1)
      if (text[i] === 0x3a && text[i + 1] === 0x22) quotes.push(i + 2)
    const at =
      inString && quotes.length > 0 ? quotes[offset % quotes.length]! : offset % (text.length + 1)
    return {
      method: 'POST' as const,
      url: '/events',
      headers: { ...authorised, 'content-type': 'application/json' },
      payload: Buffer.concat([text.subarray(0, at), Buffer.from(sequence), text.subarray(at)]),
    }
  })

/** Hand-made bodies the random ones would rarely hit. */
export function corpus(): Probe[] {
  const valid = validEvents('0d6f4a8e-3b9c-4e7a-8f21-5c4b3a2d1e0f', 0)[0]!
  const raw = (payload: string | Buffer, contentType = 'application/json'): Probe => ({
    method: 'POST',
    url: '/events',
    headers: { ...authorised, 'content-type': contentType },
    payload,
  })
  const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
  const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`
  const withData = (data: string) => `{"events":[{"type":"StatementMade","data":${data}}]}`
  return [
    raw(deepArray(10_000)),
    raw(deepObject(10_000)),
    raw(`{"events":${deepArray(10_000)}}`),
    raw(withData(deepObject(10_000))),
    raw(withData(`{"jurisdictionId":"us-il-chicago","actor":${deepObject(10_000)}}`)),
    raw(`{"events":[{"type":"StatementMade","data":{"summary":${deepArray(100_000)}}}]}`),
    raw(deepArray(1_000_000)),
    raw('{"__proto__":{"events":[]}}'),
    raw('{"events":[],"__proto__":{"isAdmin":true}}'),
    raw(`{"events":[${JSON.stringify(valid).slice(0, -1)},"__proto__":{"expectedRevision":0}}]}`),
    raw(`{"events":[{"type":"StatementMade","data":{"__proto__":{"summary":"x"}}}]}`),
    raw('{"constructor":{"prototype":{"polluted":true}}}'),
    raw(`{"events":[{"type":"StatementMade","constructor":{"prototype":{"x":1}},"data":{}}]}`),
    raw(''),
    raw(' '),
    raw(Buffer.alloc(0)),
    raw('{"events":[]}', 'text/plain'),
    raw(JSON.stringify({ events: [valid] }), 'text/plain'),
    raw(JSON.stringify({ events: [valid] }), 'application/x-www-form-urlencoded'),
    raw(JSON.stringify({ events: [valid] }), 'multipart/form-data; boundary=----x'),
    raw(
      JSON.stringify({
        events: [
          { ...valid, data: { ...(valid.data as object), summary: 'x'.repeat(5 * 1024 * 1024) } },
        ],
      }),
    ),
    raw(
      JSON.stringify({
        events: [
          { ...valid, data: { ...(valid.data as object), summary: 'x'.repeat(1024 * 1024) } },
        ],
      }),
    ),
    raw(JSON.stringify({ events: Array.from({ length: 2_000 }, () => valid) })),
    raw(JSON.stringify({ events: [valid] }).replace('"events"', '"events","events"')),
    raw('{"events":[{"type":"StatementMade","data":{"on":1e999999}}]}'),
    raw(
      '{"events":[{"type":"StatementMade","expectedRevision":123456789012345678901234567890,"data":{}}]}',
    ),
    raw('{"events": [NaN, Infinity, -Infinity, undefined]}'),
    raw("{'events': []}"),
    raw('{"events":[]}\u0000'),
    raw('{"events":[]} {"events":[]}'),
    { method: 'POST', url: '/events', headers: authorised },
    {
      method: 'POST',
      url: '/events',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ events: [valid] }),
    },
    {
      method: 'POST',
      url: '/events',
      headers: {
        authorization: `Bearer ${WRITER_TOKEN.slice(0, -1)}X`,
        'content-type': 'application/json',
      },
      payload: JSON.stringify({ events: [valid] }),
    },
    {
      method: 'POST',
      url: '/events',
      headers: {
        authorization: `Basic ${Buffer.from(`a:${WRITER_TOKEN}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      payload: '{}',
    },
    {
      method: 'POST',
      url: '/events?after=1&__proto__=x',
      headers: { ...authorised, 'content-type': 'application/json' },
      payload: '{}',
    },
    {
      method: 'POST',
      url: '/events/%zz',
      headers: { ...authorised, 'content-type': 'application/json' },
      payload: '{}',
    },
    {
      method: 'PUT',
      url: '/events',
      headers: { ...authorised, 'content-type': 'application/json' },
      payload: JSON.stringify({ events: [valid] }),
    },
    { method: 'DELETE', url: `/events/${seedIds[0]}`, headers: authorised },
    {
      method: 'PATCH',
      url: '/jurisdictions/us-il-chicago',
      headers: { ...authorised, 'content-type': 'application/json' },
      payload: '{}',
    },
  ]
}

// ---------- paths and queries for every GET ----------

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Percent-encodes any string; a lone surrogate (which encodeURIComponent refuses) becomes WTF-8 bytes. */
function percentEncode(value: string): string {
  return value
    .split(loneSurrogate)
    .map((part) => encodeURIComponent(part))
    .join('%ED%A0%80')
}

const pathValue = fc.oneof(
  {
    arbitrary: fc.constantFrom(...seedJurisdictions, ...seedSources, ...seedActors, ...seedIds),
    weight: 3,
  },
  { arbitrary: fc.uuid(), weight: 1 },
  {
    arbitrary: weirdStrings.map((value) => percentEncode(value.slice(0, 300)).replace(/^$/, '%20')),
    weight: 3,
  },
  {
    arbitrary: fc.constantFrom(
      '%',
      '%zz',
      '%E0%A4%A',
      '%C0%AF',
      '%ED%A0%80',
      '%00',
      '%2F',
      '..',
      '.',
      '%2e%2e',
      '%FF',
      'a'.repeat(101),
      'a'.repeat(5_000),
      '%25',
      '~',
      'A',
      '-a-',
      'a--b',
    ),
    weight: 2,
  },
)

const queryValue = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '1',
    '-1',
    // around the seed's size: the last seed position, the first beyond it, and one more
    String(seedEvents.length - 1),
    String(seedEvents.length),
    String(seedEvents.length + 1),
    '1000',
    '1001',
    '10000',
    '10001',
    '1.5',
    '1e3',
    '1e309',
    '0x10',
    ' 5',
    '5 ',
    'NaN',
    'Infinity',
    '-0',
    '9007199254740993',
    '999999999999999',
    '9999999999999999',
    'true',
    'false',
  ),
  fc.constantFrom(
    '2016-11-17',
    '2016-02-30',
    '2016-13-01',
    '2016',
    '2016-11',
    '0000-01-01',
    '9999-12-31',
    '2016-11-17T10:00:00Z',
    '2016-11-17T10:00:00+25:00',
    '2016-11-17T10:00:00.123456789Z',
    '2026-11-26T10:00:00.000Z',
  ),
  fc.constantFrom(
    'city',
    'county',
    'declared_status',
    'detainer_hold',
    'sanctuary',
    'unknown',
    'decline_all',
    ...seedIds.slice(0, 5),
  ),
  fc.integer({ min: -10, max: 20_000 }).map(String),
  weirdStrings.map((value) => value.slice(0, 200)),
)

interface GetRoute {
  path: (value: string) => string
  keys: string[]
}

const getRoutes: GetRoute[] = [
  { path: () => '/jurisdictions', keys: ['kind', 'dimension', 'value', 'asOf', 'knownAt'] },
  { path: (id) => `/jurisdictions/${id}`, keys: [] },
  { path: (id) => `/jurisdictions/${id}/stance`, keys: ['asOf', 'knownAt'] },
  { path: (id) => `/jurisdictions/${id}/history`, keys: ['dimension', 'from', 'to', 'knownAt'] },
  { path: (id) => `/sources/${id}`, keys: ['content'] },
  { path: (id) => `/actors/${id}`, keys: [] },
  { path: () => '/events', keys: ['after', 'limit'] },
  { path: (id) => `/events/${id}`, keys: [] },
  { path: (id) => `/events/${id}/provenance`, keys: [] },
  { path: () => '/ledger/checkpoint', keys: [] },
  { path: () => '/ledger/entries', keys: ['start', 'end'] },
  { path: () => '/ledger/proofs/inclusion', keys: ['eventId', 'treeSize'] },
  { path: () => '/ledger/proofs/consistency', keys: ['first', 'second'] },
  { path: () => '/health', keys: [] },
  { path: () => '/', keys: ['asOf'] },
  { path: () => '/openapi.json', keys: [] },
  { path: (id) => `/docs/${id}`, keys: [] },
  { path: () => '/problems', keys: [] },
  { path: (id) => `/problems/${id}`, keys: [] },
  { path: () => '/ready', keys: [] },
  { path: (id) => `/${id}`, keys: [] },
  { path: (id) => `/jurisdictions/${id}/${id}`, keys: [] },
]

export const getProbe: fc.Arbitrary<Probe> = fc
  .record({
    route: fc.nat(getRoutes.length - 1),
    id: pathValue,
    query: fc.array(
      fc.record({
        key: fc.oneof(
          { arbitrary: fc.nat(9), weight: 4 },
          {
            arbitrary: fc.constantFrom('__proto__', 'constructor', 'x', '', 'a[b]', 'toString'),
            weight: 1,
          },
        ),
        value: queryValue,
        encode: fc.boolean(),
      }),
      { maxLength: 4 },
    ),
    authorised: fc.boolean(),
    accept: fc.constantFrom(
      undefined,
      undefined,
      undefined,
      'application/json',
      'text/html',
      'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8',
      '*/*',
      'x/y;q=abc',
    ),
  })
  .map(({ route, id, query, authorised: withToken, accept }) => {
    const { path, keys } = getRoutes[route]!
    const parts = query.map(({ key, value, encode }) => {
      const name = typeof key === 'number' ? (keys[key % Math.max(keys.length, 1)] ?? 'x') : key
      // unencoded values may carry '&', '#', '%' and spaces, exactly as a sloppy client sends them
      const text = encode ? percentEncode(value) : value.replace(/[\s#]/g, '+')
      return `${percentEncode(name)}=${text}`
    })
    return {
      method: 'GET' as const,
      url: `${path(id)}${parts.length === 0 ? '' : `?${parts.join('&')}`}`,
      headers: { ...(withToken ? authorised : {}), ...(accept === undefined ? {} : { accept }) },
    }
  })
