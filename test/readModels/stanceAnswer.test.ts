import t from 'tap'
import { dimensions } from '../../events/index.js'
import { eventLog } from '../support/eventBuilders.js'
import { DETAINER, fold, PHILLY, phillyLog, STATUS } from './fixtures/ledger.js'

const nothing = {
  value: 'unknown',
  since: null,
  lastAffirmedOn: null,
  basis: [],
  basisCount: 0,
  sources: [],
  uncertain: false,
  support: null,
}

const latestOf = (log: { events: readonly unknown[] }) => log.events.length - 1

t.test('with nothing recorded every dimension of the taxonomy is unknown', async (t) => {
  const log = phillyLog()
  const answer = fold(log.events).stanceAnswer(PHILLY, '2016-06-01', latestOf(log))
  t.same(Object.keys(answer.stance), dimensions)
  for (const dimension of dimensions) t.strictSame(answer.stance[dimension], nothing)
  t.strictSame(
    {
      jurisdictionId: answer.jurisdictionId,
      asOf: answer.asOf,
      knownAtPosition: answer.knownAtPosition,
    },
    { jurisdictionId: PHILLY, asOf: '2016-06-01', knownAtPosition: 1 },
  )
})

t.test('on an empty ledger (knownAtPosition null) nothing is known', async (t) => {
  const answer = fold([]).stanceAnswer(PHILLY, '2016-06-01', null)
  t.equal(answer.knownAtPosition, null)
  t.strictSame(answer.stance[DETAINER], nothing)
})

t.test('nothing is known at a knownAt before any claim of the jurisdiction', async (t) => {
  const log = phillyLog()
  log.claim({ on: '2016-01-04', stances: { [DETAINER]: 'decline_all' } })
  t.strictSame(fold(log.events).stanceAnswer(PHILLY, '2016-06-01', 1).stance[DETAINER], nothing)
})

t.test(
  'one official claim: its value from its `on` onwards, with its basis and source',
  async (t) => {
    const log = phillyLog()
    const claim = log.claim({ on: '2016-01-04', stances: { [DETAINER]: 'judicial_warrant_only' } })
    const state = fold(log.events)
    t.strictSame(state.stanceAnswer(PHILLY, '2016-03-01', 2).stance[DETAINER], {
      value: 'judicial_warrant_only',
      since: '2016-01-04',
      lastAffirmedOn: '2016-01-04',
      basis: [claim.id],
      basisCount: 1,
      sources: ['abc'],
      uncertain: false,
      support: 'statement',
    })
    t.equal(
      state.stanceAnswer(PHILLY, '2016-01-04', 2).stance[DETAINER]?.value,
      'judicial_warrant_only',
      'on its day',
    )
    t.strictSame(
      state.stanceAnswer(PHILLY, '2016-01-03', 2).stance[DETAINER],
      nothing,
      'the day before',
    )
    t.strictSame(
      state.stanceAnswer(PHILLY, '2016-03-01', 2).stance[STATUS],
      nothing,
      'other dimensions',
    )
  },
)

t.test('only the asked jurisdiction counts', async (t) => {
  const log = phillyLog()
  log.jurisdiction('us-il-chicago')
  log.claim({ jurisdictionId: 'us-il-chicago', on: '2012', stances: { [DETAINER]: 'decline_all' } })
  t.strictSame(fold(log.events).stanceAnswer(PHILLY, '2016-03-01', 3).stance[DETAINER], nothing)
})

t.test('third-party claims never count; the role defaults to official', async (t) => {
  const log = phillyLog()
  log.claim({
    on: '2016-01-01',
    stances: { [STATUS]: 'sanctuary' },
    actor: { id: 'doj', name: 'US Department of Justice', role: 'third-party' },
  })
  const explicit = log.claim({
    on: '2016-02-01',
    stances: { [DETAINER]: 'decline_all' },
    actor: { id: 'kenney', name: 'Jim Kenney', office: 'Mayor', role: 'official' },
  })
  const implicit = log.claim({ on: '2016-03-01', stances: { [DETAINER]: 'decline_all' } })
  const answer = fold(log.events).stanceAnswer(PHILLY, '2016-06-01', latestOf(log))
  t.strictSame(answer.stance[STATUS], nothing)
  t.same(answer.stance[DETAINER]?.basis, [implicit.id, explicit.id])
})

t.test('valid time orders claims, not the order they were recorded in', async (t) => {
  const log = phillyLog()
  const later = log.claim({ on: '2016-05-01', stances: { [DETAINER]: 'decline_all' } })
  const earlier = log.claim({ on: '2016-01-01', stances: { [DETAINER]: 'honor_all' } })
  const state = fold(log.events)
  t.equal(
    state.stanceAnswer(PHILLY, '2016-06-01', 3).stance[DETAINER]?.lastAffirmedOn,
    '2016-05-01',
  )
  t.same(state.stanceAnswer(PHILLY, '2016-06-01', 3).stance[DETAINER]?.basis, [later.id])
  t.same(state.stanceAnswer(PHILLY, '2016-02-01', 3).stance[DETAINER]?.basis, [earlier.id])
})

t.test('among equal starts the coarser date comes first, so the precise one wins', async (t) => {
  const log = phillyLog()
  const day = log.claim({ on: '2016-01-01', stances: { [DETAINER]: 'decline_all' } })
  log.claim({ on: '2016-01', stances: { [DETAINER]: 'honor_all' } })
  log.claim({ on: '2016', stances: { [DETAINER]: 'serious_crimes_only' } })
  const stance = fold(log.events).stanceAnswer(PHILLY, '2016-12-31', latestOf(log)).stance[
    DETAINER
  ]
  t.equal(stance?.value, 'decline_all')
  t.same(stance?.basis, [day.id])
  t.equal(stance?.since, '2016-01-01')
})

t.test('among equal dates the later position wins', async (t) => {
  const log = phillyLog()
  log.claim({ on: '2016-01', stances: { [DETAINER]: 'honor_all' } })
  const second = log.claim({ on: '2016-01', stances: { [DETAINER]: 'decline_all' } })
  const stance = fold(log.events).stanceAnswer(PHILLY, '2016-12-31', latestOf(log)).stance[
    DETAINER
  ]
  t.equal(stance?.value, 'decline_all')
  t.same(stance?.basis, [second.id])
})

t.test(
  'the unbroken run of the winning value gives since, basis (newest first) and basisCount',
  async (t) => {
    const log = phillyLog()
    log.claim({ on: '2014', stances: { [DETAINER]: 'decline_all' } })
    log.claim({ on: '2015-03', stances: { [DETAINER]: 'honor_all' } })
    const a = log.claim({ on: '2016-01-04', stances: { [DETAINER]: 'decline_all' } })
    const c = log.claim({ on: '2016-09-01', stances: { [DETAINER]: 'decline_all' } })
    const b = log.claim({
      on: '2016-05-01',
      stances: { [DETAINER]: 'decline_all', [STATUS]: 'sanctuary' },
    })
    log.claim({ on: '2016-07-01', stances: { [STATUS]: 'welcoming' } })
    const state = fold(log.events)
    t.strictSame(state.stanceAnswer(PHILLY, '2016-12-01', latestOf(log)).stance[DETAINER], {
      value: 'decline_all',
      since: '2016-01-04',
      lastAffirmedOn: '2016-09-01',
      basis: [c.id, b.id, a.id],
      basisCount: 3,
      sources: ['abc'],
      uncertain: false,
      support: 'statement',
    })
    t.strictSame(
      state.stanceAnswer(PHILLY, '2016-06-01', latestOf(log)).stance[DETAINER]?.basis,
      [b.id, a.id],
      'the run ends at the winner: later claims do not count yet',
    )
    t.equal(
      state.stanceAnswer(PHILLY, '2015-06-01', latestOf(log)).stance[DETAINER]?.since,
      '2015-03',
    )
    t.equal(
      state.stanceAnswer(PHILLY, '2014-06-01', latestOf(log)).stance[DETAINER]?.since,
      '2014',
    )
  },
)

t.test(
  'basis holds the newest 100 claims of a longer run; basisCount counts them all',
  async (t) => {
    const log = phillyLog()
    const ids: string[] = []
    for (let day = 0; day < 150; day++) {
      const on = new Date(Date.UTC(2016, 0, 1 + day)).toISOString().slice(0, 10)
      ids.push(log.claim({ on, stances: { [DETAINER]: 'decline_all' } }).id)
    }
    const stance = fold(log.events).stanceAnswer(PHILLY, '2017-01-01', latestOf(log)).stance[
      DETAINER
    ]
    t.equal(stance?.basisCount, 150)
    t.strictSame(stance?.basis, ids.slice(50).reverse())
    t.equal(stance?.since, '2016-01-01')
  },
)

t.test('sources are the distinct sources of the run, newest first', async (t) => {
  const log = phillyLog()
  log.source('ldn')
  log.source('wpvi')
  log.claim({ on: '2015-01-01', sourceId: 'ldn', stances: { [DETAINER]: 'honor_all' } })
  log.claim({ on: '2016-01-01', sourceId: 'abc', stances: { [DETAINER]: 'decline_all' } })
  log.claim({ on: '2016-02-01', sourceId: 'wpvi', stances: { [DETAINER]: 'decline_all' } })
  log.claim({ on: '2016-03-01', sourceId: 'abc', stances: { [DETAINER]: 'decline_all' } })
  log.claim({ on: '2016-04-01', sourceId: 'abc', stances: { [DETAINER]: 'decline_all' } })
  const state = fold(log.events)
  t.strictSame(state.stanceAnswer(PHILLY, '2016-12-01', latestOf(log)).stance[DETAINER]?.sources, [
    'abc',
    'wpvi',
  ])
  t.strictSame(state.stanceAnswer(PHILLY, '2016-02-15', latestOf(log)).stance[DETAINER]?.sources, [
    'wpvi',
    'abc',
  ])
})

t.test(
  'a reduced-precision date whose period holds asOf (not on its last day) is uncertain',
  async (t) => {
    const log = phillyLog()
    log.claim({ on: '2016-01', stances: { [DETAINER]: 'decline_all' } })
    log.claim({ on: '2010', stances: { [STATUS]: 'sanctuary' } })
    const state = fold(log.events)
    const uncertain = (asOf: string, dimension = DETAINER) =>
      state.stanceAnswer(PHILLY, asOf, latestOf(log)).stance[dimension]?.uncertain
    t.equal(uncertain('2016-01-01'), true, 'its first day')
    t.equal(uncertain('2016-01-15'), true)
    t.equal(uncertain('2016-01-31'), false, 'its last day: it has happened by then')
    t.equal(uncertain('2016-02-01'), false, 'after the period')
    t.equal(uncertain('2010-07-01', STATUS), true, 'a year')
    t.equal(uncertain('2010-12-31', STATUS), false)
    t.equal(uncertain('2016-01-15', STATUS), false, 'only claims of the dimension count')
  },
)

t.test(
  'uncertainty comes from any counted claim of the dimension, not only the winner',
  async (t) => {
    const log = phillyLog()
    log.claim({ on: '2016', stances: { [DETAINER]: 'honor_all' } })
    log.claim({ on: '2016-03-01', stances: { [DETAINER]: 'decline_all' } })
    const state = fold(log.events)
    const stance = state.stanceAnswer(PHILLY, '2016-06-01', latestOf(log)).stance[DETAINER]
    t.equal(stance?.value, 'decline_all')
    t.equal(stance?.uncertain, true)
    t.equal(
      state.stanceAnswer(PHILLY, '2017-01-01', latestOf(log)).stance[DETAINER]?.uncertain,
      false,
      'once the year is over',
    )
  },
)

t.test(
  'uncertainty ignores claims that are not counted: third-party, later, retracted',
  async (t) => {
    const log = phillyLog()
    log.claim({ on: '2016-03-01', stances: { [DETAINER]: 'decline_all' } })
    const doj = { id: 'doj', name: 'DOJ', role: 'third-party' as const }
    log.claim({ on: '2016-03', stances: { [DETAINER]: 'decline_all' }, actor: doj })
    const retracted = log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
    log.retract(retracted)
    log.claim({ on: '2016-04', stances: { [DETAINER]: 'decline_all' } })
    const stance = fold(log.events).stanceAnswer(PHILLY, '2016-03-15', latestOf(log)).stance[
      DETAINER
    ]
    t.equal(stance?.value, 'decline_all')
    t.equal(stance?.uncertain, false)
  },
)

t.test('`unknown` asserted by a policy change is a value like any other', async (t) => {
  const log = phillyLog()
  log.claim({
    type: 'PolicyEnacted',
    on: '2014-04-16',
    stances: { [DETAINER]: 'judicial_warrant_only' },
  })
  const rescinded = log.claim({
    type: 'PolicyRescinded',
    on: '2015-12-21',
    stances: { [DETAINER]: 'unknown' },
  })
  const enjoined = log.claim({
    type: 'PolicyEnjoined',
    on: '2015-12-30',
    stances: { [DETAINER]: 'unknown' },
  })
  t.strictSame(
    fold(log.events).stanceAnswer(PHILLY, '2016-01-01', latestOf(log)).stance[DETAINER],
    {
      value: 'unknown',
      since: '2015-12-21',
      lastAffirmedOn: '2015-12-30',
      basis: [enjoined.id, rescinded.id],
      basisCount: 2,
      sources: ['abc'],
      uncertain: false,
      support: 'policy',
    },
  )
})

t.test('a correction of `on` moves the claim in valid time', async (t) => {
  const log = phillyLog()
  const claim = log.claim({ on: '2016-01-04', stances: { [DETAINER]: 'decline_all' } })
  log.correct(claim, { on: '2016-06' })
  const state = fold(log.events)
  t.strictSame(state.stanceAnswer(PHILLY, '2016-03-01', 3).stance[DETAINER], nothing)
  t.equal(state.stanceAnswer(PHILLY, '2016-06-10', 3).stance[DETAINER]?.since, '2016-06')
  t.equal(state.stanceAnswer(PHILLY, '2016-06-10', 3).stance[DETAINER]?.uncertain, true)
  t.equal(
    state.stanceAnswer(PHILLY, '2016-03-01', 2).stance[DETAINER]?.value,
    'decline_all',
    'known before the correction',
  )
})

t.test('a correction of `stances` replaces the whole list', async (t) => {
  const log = phillyLog()
  const claim = log.claim({
    on: '2016-01-04',
    stances: { [DETAINER]: 'decline_all', [STATUS]: 'sanctuary' },
  })
  log.correct(claim, { stances: { [DETAINER]: 'judicial_warrant_only' } })
  const answer = fold(log.events).stanceAnswer(PHILLY, '2016-03-01', 3)
  t.equal(answer.stance[DETAINER]?.value, 'judicial_warrant_only')
  t.strictSame(answer.stance[STATUS], nothing)
})

t.test('a correction of the actor can change the role either way', async (t) => {
  const log = phillyLog()
  const claim = log.claim({ on: '2016-01-04', stances: { [DETAINER]: 'decline_all' } })
  log.correct(claim, { actor: { id: 'abc-news', name: 'ABC News', role: 'third-party' } })
  log.correct(claim, { actor: { id: 'kenney', name: 'Jim Kenney' } })
  const state = fold(log.events)
  t.equal(state.stanceAnswer(PHILLY, '2016-03-01', 2).stance[DETAINER]?.value, 'decline_all')
  t.equal(state.stanceAnswer(PHILLY, '2016-03-01', 3).stance[DETAINER]?.value, 'unknown')
  t.equal(
    state.stanceAnswer(PHILLY, '2016-03-01', 4).stance[DETAINER]?.value,
    'decline_all',
    'official by default again',
  )
})

t.test('corrections merge field by field in ledger order', async (t) => {
  const log = phillyLog()
  log.source('wpvi')
  const claim = log.claim({ on: '2016-01-04', stances: { [DETAINER]: 'decline_all' } })
  log.correct(claim, { on: '2016-02-01' })
  log.correct(claim, { sourceId: 'wpvi' })
  log.correct(claim, { stances: { [DETAINER]: 'honor_all' } })
  log.correct(claim, { on: '2016-02-02' })
  t.strictSame(
    fold(log.events).stanceAnswer(PHILLY, '2016-03-01', latestOf(log)).stance[DETAINER],
    {
      value: 'honor_all',
      since: '2016-02-02',
      lastAffirmedOn: '2016-02-02',
      basis: [claim.id],
      basisCount: 1,
      sources: ['wpvi'],
      uncertain: false,
      support: 'statement',
    },
  )
})

t.test('a retracted claim stops counting, corrected or not, from the retraction on', async (t) => {
  const log = phillyLog()
  const first = log.claim({ on: '2016-01-04', stances: { [DETAINER]: 'decline_all' } })
  const second = log.claim({ on: '2016-02-04', stances: { [DETAINER]: 'honor_all' } })
  log.correct(second, { on: '2016-02-05' })
  log.retract(second)
  const state = fold(log.events)
  t.same(state.stanceAnswer(PHILLY, '2016-03-01', 4).stance[DETAINER]?.basis, [second.id])
  t.same(state.stanceAnswer(PHILLY, '2016-03-01', 5).stance[DETAINER]?.basis, [first.id])
  log.retract(first)
  t.strictSame(fold(log.events).stanceAnswer(PHILLY, '2016-03-01', 6).stance[DETAINER], nothing)
})

t.test(
  'the same query at an earlier knownAt answers from what was known then, every time',
  async (t) => {
    const log = phillyLog()
    const first = log.claim({ on: '2016-01-04', stances: { [DETAINER]: 'decline_all' } })
    log.claim({ on: '2016-02-01', stances: { [DETAINER]: 'decline_all' } })
    log.correct(first, { stances: { [DETAINER]: 'honor_all' } })
    const state = fold(log.events)
    const then = state.stanceAnswer(PHILLY, '2016-03-01', 3)
    t.equal(then.knownAtPosition, 3)
    t.equal(then.stance[DETAINER]?.basisCount, 2)
    t.equal(state.stanceAnswer(PHILLY, '2016-03-01', 4).stance[DETAINER]?.basisCount, 1)
    t.strictSame(state.stanceAnswer(PHILLY, '2016-03-01', 3), then, 'again, from the kept view')
    log.claim({ on: '2016-02-02', stances: { [DETAINER]: 'decline_all' } })
    t.strictSame(
      fold(log.events).stanceAnswer(PHILLY, '2016-03-01', 3),
      then,
      'after more was recorded',
    )
  },
)

t.test(
  'a later claim in another jurisdiction changes nothing here',
  async (t) => {
    const log = phillyLog()
    log.claim({ on: '2016-01-04', stances: { [DETAINER]: 'decline_all' } })
    log.jurisdiction('us-il-chicago')
    log.claim({
      jurisdictionId: 'us-il-chicago',
      on: '2012',
      stances: { [DETAINER]: 'decline_all' },
    })
    const state = fold(log.events)
    t.equal(state.stanceAnswer(PHILLY, '2016-03-01', 2).stance[DETAINER]?.value, 'decline_all')
    t.strictSame(state.stanceAnswer(PHILLY, '2016-03-01', 2).stance, state.stanceAnswer(PHILLY, '2016-03-01', 4).stance)
  },
)

t.test('an answer is plain JSON', async (t) => {
  const log = eventLog()
  log.jurisdiction(PHILLY)
  log.source('abc')
  log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
  const answer = fold(log.events).stanceAnswer(PHILLY, '2016-03-01', 2)
  t.strictSame(JSON.parse(JSON.stringify(answer)), answer)
})
