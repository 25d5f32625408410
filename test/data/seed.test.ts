import { sha256Hex } from '../../src/sha256Hex.js'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { z } from 'zod'
import {
  allowedValues,
  dimensions,
  isClaim,
  readEnvelope,
  streamOf,
  type EventEnvelope,
  type SourceRegistered,
} from '../../events/index.js'
import { entryOf, leafHash } from '../../src/log/entry.js'
import { rootFromLeafHashes } from '../../src/log/merkle.js'
import { buildSeed, seedId } from '../../scripts/buildSeed.js'
import { seedEvents } from '../../data/seed/claims.js'

const articleBytes = readFileSync(
  new URL('../../data/abcnews-2016-11-17-cities-push-back.txt', import.meta.url),
)
const article = articleBytes.toString('utf8')
const committed = readFileSync(new URL('../../data/seed.ndjson', import.meta.url), 'utf8')
const lines = committed.split('\n').slice(0, -1)

const envelopes: (EventEnvelope & { stream: string })[] = lines.map((line) => {
  const read = readEnvelope(JSON.parse(line))
  if (!read.ok) throw new Error(`not a valid entry: ${read.message}`)
  return read.envelope
})
const sources = new Map(
  envelopes.flatMap((e) =>
    e.type === 'SourceRegistered' ? [[e.data.sourceId, e.data] as const] : [],
  ),
)
const claims = envelopes.flatMap((e) => (isClaim(e) ? [e] : []))

/** The first source with content along the `via` chain, as the ledger checks quotes. */
function contentOf(sourceId: string): string | undefined {
  const seen = new Set<string>()
  for (
    let source: SourceRegistered | undefined = sources.get(sourceId);
    source;
    source = source.via ? sources.get(source.via) : undefined
  ) {
    if (seen.has(source.sourceId)) return undefined
    seen.add(source.sourceId)
    if (source.content !== undefined) return source.content
  }
  return undefined
}

t.test('the archived article is the one the seed was built from', async (t) => {
  t.equal(sha256Hex(articleBytes), 'ab294539dc0de5d2a5f5e1c35775427d38eb238cefaf5ab50d7eda4d5c88628b')
})

t.test('data/seed.ndjson is exactly what buildSeed makes from the article', async (t) => {
  t.ok(committed.endsWith('\n'), 'ends with a newline')
  t.same(lines, buildSeed(article))
  t.equal(committed, `${buildSeed(article).join('\n')}\n`)
})

t.test('the seed is 55 events with a fixed Merkle root, and the README says so', async (t) => {
  // Every installation starts from these: a change to the seed changes them, here and in the README
  const root = '7ed3350a0a8297439bce58f87639259c5de5fed051d3fe8caf96b92515e914cb'
  t.equal(lines.length, 55)
  t.equal(rootFromLeafHashes(lines.map((line) => leafHash(line))).toString('hex'), root)
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ')
  t.match(readme, `The seed is ${lines.length} events, positions 0 to ${lines.length - 1}`)
  t.match(readme, root)
})

t.test('passages recorded after the first edition come last, so every earlier event keeps its position', async (t) => {
  t.same(
    seedEvents.slice(51).map((event) => event.key),
    [
      'claim/change-org-petitions-since-election-day',
      'claim/abc-so-called-sanctuary-cities',
      'claim/abc-obama-deportations-local-governments-balked',
      'claim/de-blasio-2016-11-16-meeting-trump',
    ],
  )
  t.equal(envelopes[50]?.id, seedId('claim/bowser-tweet-remain-sanctuary'), 'the first edition ended here')
})

t.test('the article\'s own so-called "sanctuary cities" is ABC News\' third-party claim, its quote pinned', async (t) => {
  const soCalled = claims.filter((c) => c.data.quote?.exact.includes('so-called "sanctuary cities,"'))
  t.equal(soCalled.length, 1, 'one claim')
  const claim = soCalled[0]!
  t.equal(claim.id, seedId('claim/abc-so-called-sanctuary-cities'))
  t.match(claim.data, {
    actor: { id: 'abc-news', name: 'ABC News', role: 'third-party' },
    sourceId: 'abcnews-2016-11-17-cities-push-back',
    on: '2016-11-17',
    stances: [],
  })
  const { exact, start = -1, end } = claim.data.quote!
  t.match(exact, /^Many of the cities that are pushing back .* federal immigration authorities\.$/)
  t.equal(article.slice(start, end), exact, 'verified at its offsets')
  t.equal(article.indexOf(exact), start, 'and only there')
  t.equal(article.indexOf(exact, start + 1), -1)
})

t.test('every claim keeps a coding note in the seed source, and summaries use no taxonomy terms', async (t) => {
  // a term is a dimension's name or a value spelt as the taxonomy spells it (serious_crimes_only)
  const terms = dimensions.flatMap((dimension) => [
    dimension,
    ...allowedValues(dimension).filter((value) => value.includes('_')),
  ])
  for (const event of seedEvents) {
    if (!isClaim(event)) continue
    t.match(event.coding, /\S/, `${event.key} has a coding note`)
    const used = terms.filter((term) => event.data.summary.includes(term))
    t.same(used, [], `${event.key}: its summary says what the words say`)
  }
  for (const line of lines) t.notMatch(line, /"coding"/, 'the coding notes stay out of the ledger')
})

t.test(
  'every line is a canonical, valid entry with a fixed id and the seed metadata',
  async (t) => {
    const ids = new Set<string>()
    lines.forEach((line, index) => {
      const envelope = envelopes[index]!
      t.equal(entryOf(envelope), line, `line ${index} is canonical`)
      t.equal(envelope.stream, streamOf(envelope), `line ${index} is on its stream`)
      t.ok(z.uuid({ version: 'v5' }).safeParse(envelope.id).success, `line ${index} has a v5 uuid`)
      t.same(envelope.metadata, {
        recordedAt: '2026-11-20T12:00:00.000Z',
        recordedBy: 'seed',
        schemaVersion: 1,
      })
      ids.add(envelope.id)
    })
    t.equal(ids.size, lines.length, 'ids are unique')
    t.equal(seedId('jurisdiction/us'), seedId('jurisdiction/us'), 'ids are deterministic')
  },
)

t.test('the article source archives the article with its hash', async (t) => {
  const articleSources = [...sources.values()].filter((s) => s.content !== undefined)
  t.equal(articleSources.length, 1, 'one source has content')
  const source = articleSources[0]!
  t.match(source, { kind: 'news-article', publisher: 'ABC News', publishedOn: '2016-11-17' })
  t.equal(source.content, article)
  t.equal(source.contentSha256, sha256Hex(Buffer.from(source.content!, 'utf8')))
  for (const other of sources.values()) {
    if (other !== source)
      t.equal(other.via, source.sourceId, `${other.sourceId} is reported by the article`)
  }
})

t.test('every quote sits at its offsets in the archived text', async (t) => {
  for (const claim of claims) {
    const { quote, sourceId } = claim.data
    if (quote === undefined) continue
    const content = contentOf(sourceId)
    t.ok(content, `${sourceId} has content along its via chain`)
    t.equal(content?.slice(quote.start, quote.end), quote.exact, quote.exact.slice(0, 60))
  }
  t.ok(
    claims.every((claim) => claim.data.quote !== undefined),
    'every claim has a quote',
  )
})

t.test('everything a claim or registration refers to is registered earlier', async (t) => {
  const jurisdictions = new Set<string>()
  const registeredSources = new Set<string>()
  const policies = new Set<string>()
  /** `id` is registered once, after the one it hangs off (`relation`: its parent, its via) if any. */
  const register = (registered: Set<string>, id: string, relation: string, on: string | null | undefined) => {
    if (on) t.ok(registered.has(on), `${relation} of ${id}`)
    t.notOk(registered.has(id), `${id} registered once`)
    registered.add(id)
  }
  for (const event of envelopes) {
    switch (event.type) {
      case 'JurisdictionRegistered':
        register(jurisdictions, event.data.jurisdictionId, 'parent', event.data.parentId)
        break
      case 'SourceRegistered':
        register(registeredSources, event.data.sourceId, 'via', event.data.via)
        break
      default: {
        t.ok(isClaim(event), `${event.type} is a claim`)
        if (!isClaim(event)) break
        const { jurisdictionId, sourceId } = event.data
        t.ok(jurisdictions.has(jurisdictionId), `${event.id} cites registered ${jurisdictionId}`)
        t.ok(registeredSources.has(sourceId), `${event.id} cites registered ${sourceId}`)
        if (event.type === 'PolicyEnacted') {
          const policy = `${jurisdictionId}/${event.data.policyId}`
          t.notOk(policies.has(policy), `${policy} enacted once`)
          policies.add(policy)
        } else if ('policyId' in event.data && event.data.policyId !== undefined) {
          t.ok(
            policies.has(`${jurisdictionId}/${event.data.policyId}`),
            `${event.data.policyId} enacted earlier`,
          )
        }
      }
    }
  }
})

t.test('the seven cities and the federal context are registered', async (t) => {
  const registered = new Map(
    envelopes.flatMap((e) =>
      e.type === 'JurisdictionRegistered' ? [[e.data.jurisdictionId, e.data] as const] : [],
    ),
  )
  t.same([...registered.keys()].sort(), [
    'us',
    'us-ca-los-angeles',
    'us-dc',
    'us-il-chicago',
    'us-ny-new-york',
    'us-pa-philadelphia',
    'us-tn-nashville',
    'us-wa-seattle',
  ])
  t.match(registered.get('us'), { kind: 'federal', ocdId: 'ocd-division/country:us' })
  t.match(registered.get('us-dc'), {
    kind: 'district',
    ocdId: 'ocd-division/country:us/district:dc',
  })
  t.match(registered.get('us-pa-philadelphia'), {
    ocdId: 'ocd-division/country:us/state:pa/place:philadelphia',
  })
  t.match(registered.get('us-ny-new-york'), {
    ocdId: 'ocd-division/country:us/state:ny/place:new_york',
  })
  for (const id of registered.keys()) {
    if (id !== 'us')
      t.ok(
        claims.some((c) => c.data.jurisdictionId === id),
        `${id} has claims`,
      )
  }
})

t.test('Philadelphia: the January 2016 executive order declines detainers', async (t) => {
  const order = claims.find(
    (c) =>
      c.type === 'PolicyEnacted' &&
      c.data.jurisdictionId === 'us-pa-philadelphia' &&
      c.data.on === '2016-01',
  )
  t.ok(order, 'enacted in 2016-01')
  t.ok(
    order?.data.stances.some((s) => s.dimension === 'detainer_hold'),
    'has a detainer_hold stance',
  )
  t.match(order?.data, { instrument: 'executive-order' })
})

t.test('Los Angeles: the 1979 rule on immigration status', async (t) => {
  const rule = claims.find(
    (c) => c.data.jurisdictionId === 'us-ca-los-angeles' && c.data.on === '1979',
  )
  t.ok(rule, 'a claim dated 1979')
  t.ok(
    rule?.data.stances.some((s) => s.dimension === 'status_inquiry'),
    'has a status_inquiry stance',
  )
  t.equal(rule?.data.actor.role ?? 'official', 'official', 'an official policy')
})

t.test('the seed names no rule or program the article leaves unnamed', async (t) => {
  // the LAPD's 1979 rule and ICE's 2015 program have names elsewhere; the article uses neither
  const unnamed = /special[ -]order|order[ -]40|\bso[ -]?40\b|priority enforcement|\bpep\b/i
  t.notMatch(article, unnamed, 'the article never names them')
  for (const event of envelopes) {
    const { content: _content, ...described } = event.data as { content?: string }
    t.notMatch(JSON.stringify({ id: event.id, ...described }), unnamed, `${event.id} (${event.type})`)
  }
})

t.test('Chicago: the article reports "always will be a sanctuary city" itself; WLS only the next quote', async (t) => {
  const chicago = claims.filter((c) => c.data.jurisdictionId === 'us-il-chicago' && c.data.actor.id === 'rahm-emanuel')
  const sanctuary = chicago.find((c) => c.data.quote?.exact.includes('always will be a sanctuary city'))
  t.equal(sanctuary?.data.sourceId, 'abcnews-2016-11-17-cities-push-back')
  const safe = chicago.find((c) => c.data.quote?.exact.startsWith('You are safe in Chicago'))
  t.equal(safe?.data.sourceId, 'wls-emanuel-2016-11-14')
})

t.test('buildSeed refuses quotes it cannot pin once', async (t) => {
  t.throws(() => buildSeed('an unrelated text'), /not found/)
  t.throws(() => buildSeed(`${article}\n${article}`), /found 2 times/)
})
