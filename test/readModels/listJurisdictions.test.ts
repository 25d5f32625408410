import t from 'tap'
import type { JurisdictionListQuery } from '../../projections/index.js'
import { dimensions } from '../../events/index.js'
import { eventLog } from '../support/eventBuilders.js'
import { DETAINER, fold } from './fixtures/ledger.js'

function cities() {
  const log = eventLog()
  log.jurisdiction('us-pa-philadelphia', { name: 'Philadelphia' })
  log.jurisdiction('us-il-chicago', { name: 'Chicago' })
  log.jurisdiction('us-ca', {
    name: 'California',
    kind: 'state',
    ocdId: 'ocd-division/country:us/state:ca',
  })
  log.source('abc')
  log.claim({
    jurisdictionId: 'us-pa-philadelphia',
    on: '2016-01-04',
    stances: { [DETAINER]: 'judicial_warrant_only' },
  })
  log.claim({ jurisdictionId: 'us-il-chicago', on: '2012', stances: { [DETAINER]: 'decline_all' } })
  log.claim({
    jurisdictionId: 'us-ca',
    on: '2013-10',
    stances: { [DETAINER]: 'serious_crimes_only' },
  })
  return log
}

t.test(
  'lists every registered jurisdiction, sorted by id, with each dimension’s value',
  async (t) => {
    const log = cities()
    const list = fold(log.events).listJurisdictions({ asOf: '2015-06-01', knownAtPosition: 6 })
    t.equal(list.asOf, '2015-06-01')
    t.equal(list.knownAtPosition, 6)
    t.strictSame(
      list.jurisdictions.map((j) => j.jurisdictionId),
      ['us-ca', 'us-il-chicago', 'us-pa-philadelphia'],
    )
    const chicago = list.jurisdictions[1]!
    t.strictSame(
      { ...chicago, stance: undefined, support: undefined },
      {
        jurisdictionId: 'us-il-chicago',
        name: 'Chicago',
        kind: 'city',
        ocdId: 'ocd-division/country:us/place:us_il_chicago',
        stance: undefined,
        support: undefined,
      },
    )
    t.same(Object.keys(chicago.stance), dimensions)
    t.equal(chicago.stance[DETAINER], 'decline_all')
    t.same(Object.keys(chicago.support), dimensions)
    t.equal(chicago.support[DETAINER], 'statement', 'a statement backs it')
    t.equal(chicago.support.declared_status, null, 'nothing backs unknown')
    t.equal(list.jurisdictions[2]!.stance[DETAINER], 'unknown', 'Philadelphia before 2016')
  },
)

t.test('filters by kind, and by dimension with value', async (t) => {
  const state = fold(cities().events)
  const ids = (query: JurisdictionListQuery) =>
    state.listJurisdictions(query).jurisdictions.map((j) => j.jurisdictionId)
  t.strictSame(ids({ kind: 'city', asOf: '2017-06-30', knownAtPosition: 6 }), [
    'us-il-chicago',
    'us-pa-philadelphia',
  ])
  t.strictSame(
    ids({ dimension: DETAINER, value: 'decline_all', asOf: '2017-06-30', knownAtPosition: 6 }),
    ['us-il-chicago'],
  )
  t.strictSame(
    ids({ dimension: DETAINER, value: 'unknown', asOf: '2013-01-01', knownAtPosition: 6 }),
    ['us-ca', 'us-pa-philadelphia'],
  )
  t.strictSame(
    ids({
      kind: 'state',
      dimension: DETAINER,
      value: 'decline_all',
      asOf: '2017-06-30',
      knownAtPosition: 6,
    }),
    [],
  )
})

t.test(
  'as known at a position: later registrations are not listed, later claims do not count',
  async (t) => {
    const state = fold(cities().events)
    const list = state.listJurisdictions({ asOf: '2017-06-30', knownAtPosition: 4 })
    t.strictSame(
      list.jurisdictions.map((j) => [j.jurisdictionId, j.stance[DETAINER]]),
      [
        ['us-ca', 'unknown'],
        ['us-il-chicago', 'unknown'],
        ['us-pa-philadelphia', 'judicial_warrant_only'],
      ],
    )
    t.strictSame(
      state.listJurisdictions({ asOf: '2017-06-30', knownAtPosition: 1 }).jurisdictions.map(
        (j) => j.jurisdictionId,
      ),
      ['us-il-chicago', 'us-pa-philadelphia'],
    )
    t.strictSame(
      state.listJurisdictions({ asOf: '2017-06-30', knownAtPosition: null }).jurisdictions,
      [],
    )
  },
)
