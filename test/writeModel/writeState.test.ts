import t from 'tap'
import {
  contentAlongVia,
  evolveWriteState,
  initialWriteState,
  policyKey,
} from '../../src/writeModel/writeState.js'
import {
  ARTICLE,
  claimCorrected,
  claimRetracted,
  jurisdictionRegistered,
  policyEnacted,
  sourceRegistered,
  sourceWithoutContent,
  statementMade,
} from '../support/eventBuilders.js'
import { writeStateOf } from '../support/givenWhenThen.js'

t.test('a new state knows nothing', async (t) => {
  t.strictSame(initialWriteState(), {
    jurisdictions: new Map(),
    sources: new Map(),
    policies: new Map(),
    claims: new Map(),
    streams: new Map(),
  })
})

t.test('keeps what the rules need, and each stream’s last revision', async (t) => {
  const city = jurisdictionRegistered('springfield')
  const article = sourceRegistered('article')
  const laTimes = sourceWithoutContent('la-times', { via: 'article' })
  const enacted = policyEnacted('springfield', 'la-times', 'order-1')
  const statement = statementMade('springfield', 'article', { quote: undefined })
  const state = writeStateOf([city, article, laTimes, enacted, statement])

  t.strictSame(state.jurisdictions, new Map([['springfield', city.id]]))
  t.strictSame(
    state.sources,
    new Map([
      ['article', { registeredBy: article.id, content: ARTICLE }],
      ['la-times', { registeredBy: laTimes.id, via: 'article' }],
    ]),
  )
  t.strictSame(state.policies, new Map([[policyKey('springfield', 'order-1'), enacted.id]]))
  t.strictSame(state.claims.get(enacted.id), {
    type: 'PolicyEnacted',
    jurisdictionId: 'springfield',
    sourceId: 'la-times',
    quote: enacted.type === 'PolicyEnacted' ? enacted.data.quote : undefined,
    retractedBy: null,
  })
  t.strictSame(state.claims.get(statement.id), {
    type: 'StatementMade',
    jurisdictionId: 'springfield',
    sourceId: 'article',
    retractedBy: null,
  })
  t.strictSame(
    state.streams,
    new Map([
      ['jurisdiction-springfield', 2],
      ['source-article', 0],
      ['source-la-times', 0],
    ]),
  )
})

t.test('corrections replace the source and quote; retractions name the retraction', async (t) => {
  const claim = statementMade('springfield', 'article')
  const state = writeStateOf([claim])
  const before = state.claims.get(claim.id)
  const quote = { exact: 'will not ask' }

  evolveWriteState(state, {
    ...claimCorrected('springfield', claim.id, { summary: 'Better.' }),
    stream: 'j',
  })
  t.strictSame(state.claims.get(claim.id), before, 'other changes are not kept')
  evolveWriteState(state, {
    ...claimCorrected('springfield', claim.id, { sourceId: 'other' }),
    stream: 'j',
  })
  evolveWriteState(state, { ...claimCorrected('springfield', claim.id, { quote }), stream: 'j' })
  t.match(state.claims.get(claim.id), { sourceId: 'other', quote, retractedBy: null })
  t.not(state.claims.get(claim.id), before, 'a new value, not the old one changed')
  t.match(before, { sourceId: 'article' })

  const retraction = claimRetracted('springfield', claim.id)
  evolveWriteState(state, { ...retraction, stream: 'j' })
  t.equal(state.claims.get(claim.id)?.retractedBy, retraction.id)
})

t.test(
  'corrections and retractions of unknown claims change nothing but the revision',
  async (t) => {
    const state = initialWriteState()
    const missing = '00000000-0000-4000-8000-999999999999'
    evolveWriteState(state, {
      ...claimCorrected('springfield', missing, { summary: 'Better.' }),
      stream: 'j',
    })
    evolveWriteState(state, { ...claimRetracted('springfield', missing), stream: 'j' })
    t.strictSame(state.claims, new Map())
    t.strictSame(state.streams, new Map([['j', 1]]))
  },
)

t.test('contentAlongVia', async (t) => {
  const state = writeStateOf([
    sourceRegistered('article'),
    sourceWithoutContent('la-times', { via: 'article' }),
    sourceWithoutContent('tweet', { via: 'la-times' }),
    sourceWithoutContent('rumour'),
  ])
  t.strictSame(contentAlongVia(state, 'article'), {
    sourceId: 'article',
    content: ARTICLE,
    chain: ['article'],
  })
  t.strictSame(contentAlongVia(state, 'tweet'), {
    sourceId: 'article',
    content: ARTICLE,
    chain: ['tweet', 'la-times', 'article'],
  })
  t.equal(contentAlongVia(state, 'rumour'), undefined, 'no content on the chain')
  t.equal(contentAlongVia(state, 'unregistered'), undefined)

  // Registration order makes loops impossible through decide; a state built by hand must not hang.
  const looped = writeStateOf([
    sourceWithoutContent('a', { via: 'b' }),
    sourceWithoutContent('b', { via: 'a' }),
  ])
  t.equal(contentAlongVia(looped, 'a'), undefined)
})
