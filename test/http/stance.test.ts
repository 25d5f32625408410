import t from 'tap'
import { claimCorrected, claimRetracted, jurisdictionRegistered, policyEnacted, sourceRegistered } from '../support/eventBuilders.js'
import { givenLedger } from '../support/givenWhenThen.js'
import { lastSeedPosition, seedId, seedSize, testLedger } from '../support/testLedger.js'

const philadelphia = '/jurisdictions/us-pa-philadelphia'
const kenneyOrder = seedId('claim/kenney-2016-01-executive-order')

t.test('the seven cities are listed, with federal context', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const response = await ledger.app.inject({ url: '/jurisdictions' })
  t.equal(response.statusCode, 200)
  const ids = response.json().jurisdictions.map((j: { jurisdictionId: string }) => j.jurisdictionId)
  for (const id of ['us-ca-los-angeles', 'us-ny-new-york', 'us-pa-philadelphia', 'us-tn-nashville', 'us-il-chicago', 'us-wa-seattle', 'us-dc', 'us']) {
    t.ok(ids.includes(id), id)
  }
})

t.test("Philadelphia's detainer policy on 2016-03-01 comes from Kenney's January 2016 order", async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const response = await ledger.app.inject({ url: `${philadelphia}/stance?asOf=2016-03-01` })
  t.equal(response.statusCode, 200)
  const answer = response.json()
  t.equal(answer.asOf, '2016-03-01')
  t.equal(answer.knownAtPosition, lastSeedPosition)
  t.match(answer.stance.detainer_hold, {
    value: 'serious_crimes_only',
    since: '2016-01',
    lastAffirmedOn: '2016-01',
    basis: [kenneyOrder],
    basisCount: 1,
    sources: ['kenney-executive-order-2016-01'],
    uncertain: false,
  })
  t.same(Object.keys(answer.stance).sort(), [
    'agreement_287g', 'declared_status', 'detainer_hold', 'ice_facility_access', 'information_sharing',
    'local_resources', 'release_notification', 'status_inquiry',
  ])
})

t.test("Kenney's reaffirmation on 2016-11-14 does not change Philadelphia's detainer policy", async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const answer = (await ledger.app.inject({ url: `${philadelphia}/stance?asOf=2016-11-17` })).json()
  t.match(answer.stance.detainer_hold, {
    value: 'serious_crimes_only',
    since: '2016-01',
    lastAffirmedOn: '2016-01',
    basis: [kenneyOrder],
    sources: ['kenney-executive-order-2016-01'],
  })
  t.match(answer.stance.declared_status, {
    value: 'sanctuary',
    since: '2016-01',
    lastAffirmedOn: '2016-11-14',
    basis: [seedId('claim/kenney-2016-11-14-wpvi-reaffirmation'), kenneyOrder],
  })
})

t.test('before the order, the detainer policy is unknown', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const answer = (await ledger.app.inject({ url: `${philadelphia}/stance?asOf=2015-06-01` })).json()
  t.same(answer.stance.detainer_hold, {
    value: 'unknown', since: null, lastAffirmedOn: null, basis: [], basisCount: 0, sources: [], uncertain: false, support: null,
  })
})

t.test('during January 2016 the order may or may not have been signed yet', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const during = (await ledger.app.inject({ url: `${philadelphia}/stance?asOf=2016-01-15` })).json()
  t.equal(during.stance.detainer_hold.uncertain, true)
  const lastDay = (await ledger.app.inject({ url: `${philadelphia}/stance?asOf=2016-01-31` })).json()
  t.equal(lastDay.stance.detainer_hold.uncertain, false)
})

t.test("Los Angeles' status inquiry is known from 1979 on", async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const before = (await ledger.app.inject({ url: '/jurisdictions/us-ca-los-angeles/stance?asOf=1978-12-31' })).json()
  t.equal(before.stance.status_inquiry.value, 'unknown')
  const in1979 = (await ledger.app.inject({ url: '/jurisdictions/us-ca-los-angeles/stance?asOf=1979-01-01' })).json()
  t.match(in1979.stance.status_inquiry, { value: 'prohibited', since: '1979', uncertain: true })
  const later = (await ledger.app.inject({ url: '/jurisdictions/us-ca-los-angeles/stance?asOf=2000-01-01' })).json()
  t.match(later.stance.status_inquiry, { value: 'prohibited', since: '1979', uncertain: false })
})

t.test('which cities declined detainers, or called themselves sanctuaries, as of a date', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const sanctuaries = (await ledger.app.inject({ url: '/jurisdictions?dimension=declared_status&value=sanctuary&asOf=2017-06-30' })).json()
  t.same(
    sanctuaries.jurisdictions.map((j: { jurisdictionId: string }) => j.jurisdictionId),
    ['us-dc', 'us-il-chicago', 'us-pa-philadelphia', 'us-wa-seattle'],
  )
  const early = (await ledger.app.inject({ url: '/jurisdictions?dimension=declared_status&value=sanctuary&asOf=2015-06-30' })).json()
  t.same(early.jurisdictions, [])
  const cities = (await ledger.app.inject({ url: '/jurisdictions?kind=district' })).json()
  t.same(cities.jurisdictions.map((j: { jurisdictionId: string }) => j.jurisdictionId), ['us-dc'])
})

t.test('a correction changes today’s answer but not the answer known before it; a retraction stops a claim counting', async (t) => {
  const city = jurisdictionRegistered('us-pa-philadelphia', { name: 'Philadelphia' })
  const order = policyEnacted('us-pa-philadelphia', 'kenney-order', 'eo-5-16', {
    on: '2016-01',
    stances: [
      { dimension: 'detainer_hold', value: 'serious_crimes_only' },
      { dimension: 'declared_status', value: 'sanctuary' },
    ],
  })
  const given = [city, sourceRegistered('kenney-order'), order]
  const stance = `${philadelphia}/stance?asOf=2016-03-01`
  const write = (event: object) => ({ method: 'POST' as const, url: '/events', payload: { events: [event] } })

  // the answer of a ledger holding only the given events: what is known at their last position, 2
  const { response: before } = await givenLedger(t, given)
    .when({ url: stance })
    .then({ status: 200, body: { knownAtPosition: 2, stance: { detainer_hold: { value: 'serious_crimes_only', basis: [order.id] } } } }, [])

  const correction = claimCorrected(
    'us-pa-philadelphia',
    order.id,
    { stances: [{ dimension: 'detainer_hold', value: 'judicial_warrant_and_serious_crime' }] },
    { reason: 'the order also requires a judicial warrant' },
  )
  const corrected = await givenLedger(t, given)
    .when(write(correction))
    .then({ status: 201, body: { events: [{ id: correction.id, position: 3 }] } }, [{ id: correction.id, type: 'ClaimCorrected', position: 3 }])
  const after = (await corrected.ledger.app.inject({ url: stance })).json()
  t.equal(after.stance.detainer_hold.value, 'judicial_warrant_and_serious_crime')
  t.equal(after.stance.declared_status.value, 'unknown', 'changes.stances replaces the whole list')
  t.equal(after.knownAtPosition, 3)
  const asKnownBefore = (await corrected.ledger.app.inject({ url: `${stance}&knownAt=2` })).json()
  t.same(asKnownBefore, before.json(), 'the same question known at position 2 gets the same answer forever')

  const retraction = claimRetracted('us-pa-philadelphia', order.id, { reason: 'test retraction' })
  const { ledger } = await givenLedger(t, [...given, correction])
    .when(write(retraction))
    .then({ status: 201 }, [{ id: retraction.id, type: 'ClaimRetracted', position: 4 }])
  const retracted = (await ledger.app.inject({ url: stance })).json()
  t.equal(retracted.stance.detainer_hold.value, 'unknown')

  const history = (await ledger.app.inject({ url: `${philadelphia}/history` })).json()
  const claim = history.claims.find((c: { eventId: string }) => c.eventId === order.id)
  t.equal(claim.status, 'retracted')
  t.same(claim.corrections.map((c: { eventId: string }) => c.eventId), [correction.id])
  t.equal(claim.retraction.reason, 'test retraction')
  const historyBefore = (await ledger.app.inject({ url: `${philadelphia}/history?knownAt=3` })).json()
  t.equal(historyBefore.claims.find((c: { eventId: string }) => c.eventId === order.id).status, 'corrected')
  const event = (await ledger.app.inject({ url: `/events/${order.id}` })).json()
  t.match(event, { status: 'retracted', correctedBy: [correction.id], position: 2 })
  t.match(event.leafHash, /^[0-9a-f]{64}$/)
})
t.test('knownAt as a timestamp or a date; beyond the ledger is a 400', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const beforeSeed = (await ledger.app.inject({ url: `${philadelphia}/stance?asOf=2016-03-01&knownAt=2026-11-19` })).json()
  t.equal(beforeSeed.knownAtPosition, null)
  t.equal(beforeSeed.stance.detainer_hold.value, 'unknown')
  const afterSeed = (await ledger.app.inject({ url: `${philadelphia}/stance?asOf=2016-03-01&knownAt=2026-11-20T12:00:00Z` })).json()
  t.equal(afterSeed.knownAtPosition, lastSeedPosition)
  const beyond = await ledger.app.inject({ url: `${philadelphia}/stance?knownAt=${seedSize}` })
  t.equal(beyond.statusCode, 400)
  t.equal(beyond.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.match(beyond.json(), { type: /invalid-known-at$/, status: 400 })
  const bad = await ledger.app.inject({ url: `${philadelphia}/stance?asOf=2016-02-30` })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().errors, [{ path: '?asOf' }])
})

t.test('jurisdiction detail, history filters, sources and actors', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const detail = (await ledger.app.inject({ url: philadelphia })).json()
  t.match(detail, { jurisdictionId: 'us-pa-philadelphia', name: 'Philadelphia', kind: 'city', asOf: '2026-11-26' })
  t.ok(Array.isArray(detail.designations) && detail.designations.length > 0, 'the article’s characterisation is a designation')
  t.equal(detail.stance.detainer_hold.value, 'serious_crimes_only')

  const history = (await ledger.app.inject({ url: `${philadelphia}/history?dimension=detainer_hold&from=2016-01&to=2016-12` })).json()
  t.same(history.claims.map((c: { eventId: string }) => c.eventId), [kenneyOrder], 'a period overlapping the order’s month')
  const later = (await ledger.app.inject({ url: `${philadelphia}/history?dimension=detainer_hold&from=2016-02&to=2016-12` })).json()
  t.same(later.claims, [], 'no later claim asserts a detainer value')
  const all = (await ledger.app.inject({ url: `${philadelphia}/history` })).json()
  const dates = all.claims.map((c: { on: string }) => c.on)
  t.same(dates, [...dates].sort(), 'valid-time order')

  const source = await ledger.app.inject({ url: '/sources/abcnews-2016-11-17-cities-push-back' })
  t.equal(source.statusCode, 200)
  t.notOk('content' in source.json())
  t.ok(source.json().claims.length > 0)
  const withContent = (await ledger.app.inject({ url: '/sources/abcnews-2016-11-17-cities-push-back?content=true' })).json()
  t.match(withContent.content, /^Cities Across US Push Back/)

  const missing = await ledger.app.inject({ url: '/jurisdictions/us-xx-nowhere' })
  t.equal(missing.statusCode, 404)
  t.equal((await ledger.app.inject({ url: '/sources/nope' })).statusCode, 404)
  t.equal((await ledger.app.inject({ url: '/actors/nope' })).statusCode, 404)
  t.equal((await ledger.app.inject({ url: '/no/such/route' })).statusCode, 404)
})

t.test('every value says what backs it: an enacted policy, or statements only', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const philly = (await ledger.app.inject({ url: `${philadelphia}/stance?asOf=2016-11-17` })).json()
  t.match(philly.stance.detainer_hold, { value: 'serious_crimes_only', since: '2016-01', support: 'policy' })
  t.equal(philly.stance.agreement_287g.support, null, 'unknown is backed by nothing')
  const nashville = (await ledger.app.inject({ url: '/jurisdictions/us-tn-nashville/stance?asOf=2016-11-17' })).json()
  t.match(nashville.stance.local_resources, { value: 'prohibited', support: 'statement' }, 'Barry said what he believes')

  const all = (await ledger.app.inject({ url: '/jurisdictions?dimension=local_resources&value=prohibited&asOf=2016-11-17' })).json()
  const ids = (list: { jurisdictions: Array<{ jurisdictionId: string }> }) => list.jurisdictions.map((j) => j.jurisdictionId)
  t.ok(ids(all).includes('us-tn-nashville'), 'words or policy: Nashville is listed')
  const enacted = (await ledger.app.inject({ url: '/jurisdictions?dimension=local_resources&value=prohibited&support=policy&asOf=2016-11-17' })).json()
  t.notOk(ids(enacted).includes('us-tn-nashville'), 'support=policy: Nashville is not')
  const restricted = (await ledger.app.inject({ url: '/jurisdictions?dimension=local_resources&value=restricted&support=policy&asOf=2016-11-17' })).json()
  t.ok(ids(restricted).includes('us-pa-philadelphia'), 'Philadelphia’s executive order restricts local resources, and counts')
  t.notOk(ids(enacted).includes('us-ca-los-angeles'), 'a reaffirmation that names no policy is words: Los Angeles is not')
  const words = (await ledger.app.inject({ url: '/jurisdictions?dimension=local_resources&value=prohibited&support=statement&asOf=2016-11-17' })).json()
  t.strictSame(ids(words).sort(), ids(all).filter((id) => !ids(enacted).includes(id)).sort(), 'statement is the rest')
  const cell = all.jurisdictions.find((j: { jurisdictionId: string }) => j.jurisdictionId === 'us-tn-nashville')
  t.equal(cell.support.local_resources, 'statement', 'each list cell says it too')

  const alone = await ledger.app.inject({ url: '/jurisdictions?support=policy' })
  t.equal(alone.statusCode, 400)
  t.match(alone.json().detail, /support filters together with dimension and value/)

  const page = await ledger.app.inject({ url: '/ui/jurisdictions/us-tn-nashville?asOf=2016-11-17' })
  t.match(page.body, /<tr data-dimension="local_resources">.*words only.*statements only/s, 'the page marks a value that words alone back')
})
