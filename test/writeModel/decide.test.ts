import t from 'tap'
import { LedgerEvent } from '../../events/index.js'
import { sha256Hex } from '../../src/sha256Hex.js'
import { decide } from '../../src/writeModel/decide.js'
import {
  ARTICLE,
  CHIEF_QUOTE,
  claimCorrected,
  claimRetracted,
  jurisdictionRegistered,
  policyAction,
  policyEnacted,
  sourceRegistered,
  sourceWithoutContent,
  statementMade,
  withRevision,
} from '../support/eventBuilders.js'
import { given, writeStateOf } from '../support/givenWhenThen.js'

const J = 'jurisdiction-springfield'
const city = jurisdictionRegistered('springfield')
const article = sourceRegistered('article')
/** A claim already recorded: jurisdiction-springfield is then at revision 1. */
const recorded = statementMade('springfield', 'article')

t.test('the builders make events the catalogue accepts', async (t) => {
  const events = [
    city,
    article,
    recorded,
    sourceWithoutContent('plain', { via: 'article' }),
    policyEnacted('springfield', 'article', 'order-1'),
    policyAction('PolicyAmended', 'springfield', 'article', 'order-1'),
    claimCorrected('springfield', recorded.id, { summary: 'Better.' }),
    claimRetracted('springfield', recorded.id),
  ]
  for (const { type, data } of events) t.ok(LedgerEvent.safeParse({ type, data }).success, type)
})

t.test('runs and expected revisions', async (t) => {
  t.test('a request may register a source and cite it', async (t) => {
    const source = sourceRegistered('new-source')
    const claim = statementMade('springfield', 'new-source')
    given(t, [city])
      .when([source, claim])
      .then([
        { stream: 'source-new-source', expectedRevision: 'no_stream', events: [source] },
        { stream: J, expectedRevision: 0, events: [claim] },
      ])
  })

  t.test('a request may register a jurisdiction and its first claim', async (t) => {
    const town = jurisdictionRegistered('shelbyville')
    const claim = statementMade('shelbyville', 'article')
    given(t, [article])
      .when([town, claim])
      .then([
        {
          stream: 'jurisdiction-shelbyville',
          expectedRevision: 'no_stream',
          events: [town, claim],
        },
      ])
  })

  t.test('consecutive events of a stream form one run: A, A, B, A is three runs', async (t) => {
    const a1 = statementMade('springfield', 'article')
    const a2 = statementMade('springfield', 'article')
    const b = sourceRegistered('other')
    const a3 = statementMade('springfield', 'other')
    given(t, [city, article])
      .when([a1, a2, b, a3])
      .then([
        { stream: J, expectedRevision: 0, events: [a1, a2] },
        { stream: 'source-other', expectedRevision: 'no_stream', events: [b] },
        { stream: J, expectedRevision: 2, events: [a3] },
      ])
  })

  t.test(
    'a stated revision is the stream’s last before the request; later runs count earlier ones',
    async (t) => {
      const a1 = withRevision(statementMade('springfield', 'article'), 1)
      const b = withRevision(sourceRegistered('other'), 'no_stream')
      const a2 = statementMade('springfield', 'other')
      given(t, [city, article, recorded])
        .when([a1, b, a2])
        .then([
          { stream: J, expectedRevision: 1, events: [a1] },
          { stream: 'source-other', expectedRevision: 'no_stream', events: [b] },
          { stream: J, expectedRevision: 2, events: [a2] },
        ])
    },
  )

  t.test('`any` matches any stream, existing or not', async (t) => {
    const a = withRevision(statementMade('springfield', 'article'), 'any')
    const b = withRevision(sourceRegistered('other'), 'any')
    given(t, [city, article])
      .when([a, b])
      .then([
        { stream: J, expectedRevision: 0, events: [a] },
        { stream: 'source-other', expectedRevision: 'no_stream', events: [b] },
      ])
  })

  t.test(
    'a number that is not the stream’s last revision is wrong_expected_revision',
    async (t) => {
      given(t, [city, article, recorded])
        .when([withRevision(statementMade('springfield', 'article'), 0)])
        .thenFails('wrong_expected_revision', {
          path: '/events/0/expectedRevision',
          message: /stream jurisdiction-springfield is at revision 1, expected 0/,
          stream: J,
          expectedRevision: 0,
          currentRevision: 1,
          index: 0,
        })
    },
  )

  t.test('no_stream on an existing stream is wrong_expected_revision', async (t) => {
    given(t, [city, article])
      .when([
        sourceRegistered('other'),
        withRevision(statementMade('springfield', 'article'), 'no_stream'),
      ])
      .thenFails('wrong_expected_revision', {
        path: '/events/1/expectedRevision',
        stream: J,
        expectedRevision: 'no_stream',
        currentRevision: 0,
      })
  })

  t.test(
    'a number on a stream that does not exist is wrong_expected_revision with currentRevision null',
    async (t) => {
      given(t, [])
        .when([withRevision(sourceRegistered('article'), 0)])
        .thenFails('wrong_expected_revision', {
          message: /stream source-article is at no revision \(it does not exist\), expected 0/,
          stream: 'source-article',
          currentRevision: null,
        })
    },
  )

  t.test(
    'expectedRevision on a stream’s later event in the request is expected_revision_misplaced',
    async (t) => {
      given(t, [city, article])
        .when([
          statementMade('springfield', 'article'),
          sourceRegistered('other'),
          withRevision(statementMade('springfield', 'article'), 0),
        ])
        .thenFails('expected_revision_misplaced', {
          path: '/events/2/expectedRevision',
          message: /only stand on the first event of stream jurisdiction-springfield/,
          index: 2,
        })
    },
  )

  t.test('a misplaced expectedRevision is reported before a mismatch', async (t) => {
    given(t, [city, article])
      .when([
        withRevision(statementMade('springfield', 'article'), 7),
        withRevision(statementMade('springfield', 'article'), 1),
      ])
      .thenFails('expected_revision_misplaced', { path: '/events/1/expectedRevision' })
  })

  t.test('placement is judged on the request as sent, recorded duplicates included', async (t) => {
    const first = statementMade('springfield', 'article')
    given(t, [city, article])
      .when([first, withRevision(statementMade('springfield', 'article'), 0)], {
        recorded: new Set([first.id]),
      })
      .thenFails('expected_revision_misplaced', { path: '/events/1/expectedRevision', index: 1 })
  })

  t.test('a recorded duplicate is not decided again, and its expectedRevision is ignored', async (t) => {
    const recorded = withRevision(statementMade('springfield', 'article'), 99)
    const fresh = statementMade('springfield', 'article')
    given(t, [city, article])
      .when([recorded, fresh], { recorded: new Set([recorded.id]) })
      .then([{ stream: 'jurisdiction-springfield', expectedRevision: 0, events: [fresh] }])
  })

  t.test('expected revisions are checked before any rule', async (t) => {
    given(t, [city])
      .when([
        statementMade('springfield', 'unregistered'),
        withRevision(sourceRegistered('other'), 3),
      ])
      .thenFails('wrong_expected_revision', { path: '/events/1/expectedRevision' })
  })

  t.test('error paths use the indexes of the request as sent', async (t) => {
    given(t, [city, article])
      .when(
        [statementMade('springfield', 'article'), statementMade('springfield', 'missing')],
        { indexes: [1, 3] },
      )
      .thenFails('source_not_registered', { path: '/events/3/data/sourceId', index: 3 })
  })
})

t.test('JurisdictionRegistered', async (t) => {
  t.test('may name a parent registered before or earlier in the request', async (t) => {
    const county = jurisdictionRegistered('county')
    const town = jurisdictionRegistered('town', { parentId: 'county' })
    const ward = jurisdictionRegistered('ward', { parentId: 'springfield' })
    given(t, [city])
      .when([county, town, ward])
      .then([
        { stream: 'jurisdiction-county', expectedRevision: 'no_stream', events: [county] },
        { stream: 'jurisdiction-town', expectedRevision: 'no_stream', events: [town] },
        { stream: 'jurisdiction-ward', expectedRevision: 'no_stream', events: [ward] },
      ])
  })

  t.test('a second registration of an id is already_registered', async (t) => {
    given(t, [city])
      .when([jurisdictionRegistered('springfield')])
      .thenFails('already_registered', {
        path: '/events/0/data/jurisdictionId',
        message: new RegExp(
          `jurisdiction "springfield" is already registered \\(event ${city.id}\\)`,
        ),
      })
  })

  t.test('a second registration in the same request is already_registered', async (t) => {
    given(t, [])
      .when([jurisdictionRegistered('town'), jurisdictionRegistered('town')])
      .thenFails('already_registered', { path: '/events/1/data/jurisdictionId' })
  })

  t.test('an unregistered parent is parent_not_registered', async (t) => {
    given(t, [city])
      .when([jurisdictionRegistered('town', { parentId: 'county' })])
      .thenFails('parent_not_registered', {
        path: '/events/0/data/parentId',
        message: /parent jurisdiction "county" is not registered/,
      })
  })
})

t.test('SourceRegistered', async (t) => {
  t.test('may archive content with its hash, or name a registered via, or neither', async (t) => {
    const archived = sourceRegistered('archived')
    const reported = sourceWithoutContent('reported', { via: 'article' })
    const plain = sourceWithoutContent('plain', { contentSha256: sha256Hex('not archived here') })
    given(t, [article])
      .when([archived, reported, plain])
      .then([
        { stream: 'source-archived', expectedRevision: 'no_stream', events: [archived] },
        { stream: 'source-reported', expectedRevision: 'no_stream', events: [reported] },
        { stream: 'source-plain', expectedRevision: 'no_stream', events: [plain] },
      ])
  })

  t.test('a second registration of an id is already_registered', async (t) => {
    given(t, [article])
      .when([sourceWithoutContent('article')])
      .thenFails('already_registered', {
        path: '/events/0/data/sourceId',
        message: new RegExp(`source "article" is already registered \\(event ${article.id}\\)`),
      })
  })

  t.test('an unregistered via is via_not_registered', async (t) => {
    given(t, [])
      .when([sourceWithoutContent('la-times', { via: 'article' })])
      .thenFails('via_not_registered', {
        path: '/events/0/data/via',
        message: /via source "article" is not registered/,
      })
  })

  t.test('a via registered earlier in the request is accepted', async (t) => {
    const a = sourceRegistered('article')
    const b = sourceWithoutContent('la-times', { via: 'article' })
    given(t, [])
      .when([a, b])
      .then([
        { stream: 'source-article', expectedRevision: 'no_stream', events: [a] },
        { stream: 'source-la-times', expectedRevision: 'no_stream', events: [b] },
      ])
  })

  t.test(
    'a contentSha256 that is not the hash of content’s UTF-8 bytes is content_hash_mismatch',
    async (t) => {
      // The hash of the UTF-16 code units would differ from the UTF-8 one for the 🗽 in ARTICLE.
      const utf16 = sha256Hex(Buffer.from(ARTICLE, 'utf16le').toString('latin1'))
      given(t, [])
        .when([sourceRegistered('article', { contentSha256: utf16 })])
        .thenFails('content_hash_mismatch', {
          path: '/events/0/data/contentSha256',
          message: new RegExp(
            `contentSha256 is ${utf16}, but the SHA-256 of content's UTF-8 bytes is ${sha256Hex(ARTICLE)}`,
          ),
        })
    },
  )
})

t.test('claims', async (t) => {
  t.test('need a registered jurisdiction: jurisdiction_not_registered', async (t) => {
    given(t, [article])
      .when([statementMade('shelbyville', 'article')])
      .thenFails('jurisdiction_not_registered', {
        path: '/events/0/data/jurisdictionId',
        message: /jurisdiction "shelbyville" is not registered/,
      })
  })

  t.test('need a registered source: source_not_registered', async (t) => {
    given(t, [city])
      .when([statementMade('springfield', 'article')])
      .thenFails('source_not_registered', {
        path: '/events/0/data/sourceId',
        message: /source "article" is not registered/,
      })
  })

  t.test('a policy is enacted, then reaffirmed, amended, enjoined and rescinded', async (t) => {
    const enacted = policyEnacted('springfield', 'article', 'order-1')
    const actions = (
      ['PolicyReaffirmed', 'PolicyAmended', 'PolicyEnjoined', 'PolicyRescinded'] as const
    ).map((type) => policyAction(type, 'springfield', 'article', 'order-1'))
    given(t, [city, article])
      .when([enacted, ...actions])
      .then([{ stream: J, expectedRevision: 0, events: [enacted, ...actions] }])
  })

  t.test('a reaffirmation need not name a policy', async (t) => {
    const reaffirmed = policyAction('PolicyReaffirmed', 'springfield', 'article', undefined)
    given(t, [city, article])
      .when([reaffirmed])
      .then([{ stream: J, expectedRevision: 0, events: [reaffirmed] }])
  })

  t.test('a policy id is enacted once per jurisdiction: policy_already_enacted', async (t) => {
    const enacted = policyEnacted('springfield', 'article', 'order-1')
    given(t, [city, article, enacted])
      .when([policyEnacted('springfield', 'article', 'order-1')])
      .thenFails('policy_already_enacted', {
        path: '/events/0/data/policyId',
        message: new RegExp(
          `policy "order-1" of "springfield" is already enacted \\(event ${enacted.id}\\)`,
        ),
      })
  })

  t.test('a policy enacted twice in one request is policy_already_enacted', async (t) => {
    given(t, [city, article])
      .when([
        policyEnacted('springfield', 'article', 'order-1'),
        policyEnacted('springfield', 'article', 'order-1'),
      ])
      .thenFails('policy_already_enacted', { path: '/events/1/data/policyId' })
  })

  t.test('the same policy id in another jurisdiction is another policy', async (t) => {
    const town = jurisdictionRegistered('shelbyville')
    const there = policyEnacted('shelbyville', 'article', 'order-1')
    given(t, [city, article, policyEnacted('springfield', 'article', 'order-1')])
      .when([town, there])
      .then([
        {
          stream: 'jurisdiction-shelbyville',
          expectedRevision: 'no_stream',
          events: [town, there],
        },
      ])
  })

  for (const type of [
    'PolicyReaffirmed',
    'PolicyAmended',
    'PolicyRescinded',
    'PolicyEnjoined',
  ] as const) {
    t.test(`${type} of a policy never enacted is policy_not_enacted`, async (t) => {
      given(t, [city, article])
        .when([policyAction(type, 'springfield', 'article', 'order-1')])
        .thenFails('policy_not_enacted', {
          path: '/events/0/data/policyId',
          message: /policy "order-1" of "springfield" has not been enacted/,
        })
    })
  }

  t.test(
    'a policy enacted in another jurisdiction is not enacted here: policy_not_enacted',
    async (t) => {
      given(t, [
        city,
        jurisdictionRegistered('shelbyville'),
        article,
        policyEnacted('shelbyville', 'article', 'order-1'),
      ])
        .when([policyAction('PolicyAmended', 'springfield', 'article', 'order-1')])
        .thenFails('policy_not_enacted')
    },
  )
})

t.test('quotes', async (t) => {
  const tweet = 'said: "We stand with our immigrant neighbors."'
  const at = ARTICLE.indexOf(tweet)

  t.test('a quote at its UTF-16 offsets is accepted', async (t) => {
    t.equal(at, [...ARTICLE.slice(0, at)].length + 1, 'the 🗽 takes two code units')
    const claim = statementMade('springfield', 'article', {
      quote: { exact: tweet, start: at, end: at + tweet.length },
    })
    given(t, [city, article])
      .when([claim])
      .then([{ stream: J, expectedRevision: 0, events: [claim] }])
  })

  t.test('a quote at offsets with the prefix and suffix around it is accepted', async (t) => {
    const exact = 'the city will remain a sanctuary city'
    const start = ARTICLE.lastIndexOf(exact)
    const quote = {
      exact,
      prefix: 'The council said ',
      suffix: '. A tweet',
      start,
      end: start + exact.length,
    }
    const claim = statementMade('springfield', 'article', { quote })
    given(t, [city, article])
      .when([claim])
      .then([{ stream: J, expectedRevision: 0, events: [claim] }])
  })

  t.test(
    'offsets that hold other text are quote_not_found, naming where exact does occur',
    async (t) => {
      given(t, [city, article])
        .when([
          statementMade('springfield', 'article', {
            quote: { exact: tweet, start: at - 2, end: at - 2 + tweet.length },
          }),
        ])
        .thenFails('quote_not_found', {
          path: '/events/0/data/quote',
          message: new RegExp(
            `quote not found in the content of source "article": the text at ${at - 2}\\.\\.${at - 2 + tweet.length} is .*; exact occurs at start ${at}$`,
          ),
        })
    },
  )

  t.test('offsets right but a prefix that does not precede them is quote_not_found', async (t) => {
    const quote = { exact: tweet, prefix: 'A tweet ', start: at, end: at + tweet.length }
    given(t, [city, article])
      .when([statementMade('springfield', 'article', { quote })])
      .thenFails('quote_not_found', {
        message: /the text before it does not end with prefix "A tweet "/,
      })
  })

  t.test('a unique quote without offsets is accepted', async (t) => {
    const claim = statementMade('springfield', 'article', { quote: CHIEF_QUOTE })
    given(t, [city, article])
      .when([claim])
      .then([{ stream: J, expectedRevision: 0, events: [claim] }])
  })

  t.test(
    'a quote that occurs twice is ambiguous: quote_not_found suggesting offsets or more context',
    async (t) => {
      given(t, [city, article])
        .when([
          statementMade('springfield', 'article', {
            quote: { exact: 'the city will remain a sanctuary city' },
          }),
        ])
        .thenFails('quote_not_found', {
          path: '/events/0/data/quote',
          message:
            /ambiguous: it occurs 2 times \(at start 15, 135\); pin it with start and end, or a longer prefix or suffix/,
        })
    },
  )

  t.test('a prefix makes it unique', async (t) => {
    const quote = { exact: 'the city will remain a sanctuary city', prefix: 'The mayor said ' }
    const claim = statementMade('springfield', 'article', { quote })
    given(t, [city, article])
      .when([claim])
      .then([{ stream: J, expectedRevision: 0, events: [claim] }])
  })

  t.test('a quote not in the text is quote_not_found', async (t) => {
    given(t, [city, article])
      .when([
        statementMade('springfield', 'article', { quote: { exact: 'we will deport everyone' } }),
      ])
      .thenFails('quote_not_found', {
        message: /"we will deport everyone" does not occur in the text/,
      })
  })

  t.test(
    'a quote is checked against the first source with content along the via chain',
    async (t) => {
      const laTimes = sourceWithoutContent('la-times', { via: 'article' })
      const tweetSource = sourceWithoutContent('tweet', { via: 'la-times' })
      const claim = statementMade('springfield', 'tweet', {
        quote: { exact: tweet, start: at, end: at + tweet.length },
      })
      given(t, [city, article, laTimes])
        .when([tweetSource, claim])
        .then([
          { stream: 'source-tweet', expectedRevision: 'no_stream', events: [tweetSource] },
          { stream: J, expectedRevision: 0, events: [claim] },
        ])
    },
  )

  t.test(
    'a quote missing from the via source’s content is quote_not_found, naming the chain',
    async (t) => {
      given(t, [city, article, sourceWithoutContent('la-times', { via: 'article' })])
        .when([
          statementMade('springfield', 'la-times', { quote: { exact: 'not in the article' } }),
        ])
        .thenFails('quote_not_found', {
          message:
            /content of source "article" \(reached from "la-times" by via: la-times -> article\)/,
        })
    },
  )

  t.test(
    'the first content on the chain decides, even when a later source has the quote',
    async (t) => {
      const interview = sourceRegistered('interview', {
        content: 'Q: Will officers ask? A: No.',
        via: 'article',
      })
      given(t, [city, article, interview])
        .when([statementMade('springfield', 'interview', { quote: CHIEF_QUOTE })])
        .thenFails('quote_not_found', { message: /content of source "interview":/ })
    },
  )

  t.test('a quote is accepted unverified when no source on the chain has content', async (t) => {
    const heard = sourceWithoutContent('heard')
    const retold = sourceWithoutContent('retold', { via: 'heard' })
    const claim = statementMade('springfield', 'retold', {
      quote: { exact: 'anything at all', start: 5000, end: 5015 },
    })
    given(t, [city])
      .when([heard, retold, claim])
      .then([
        { stream: 'source-heard', expectedRevision: 'no_stream', events: [heard] },
        { stream: 'source-retold', expectedRevision: 'no_stream', events: [retold] },
        { stream: J, expectedRevision: 0, events: [claim] },
      ])
  })

  t.test('a claim without a quote needs no content', async (t) => {
    const claim = statementMade('springfield', 'article', { quote: undefined })
    given(t, [city, article])
      .when([claim])
      .then([{ stream: J, expectedRevision: 0, events: [claim] }])
  })
})

t.test('ClaimCorrected', async (t) => {
  const other = sourceRegistered('other', {
    content: 'Officers will not ask about status, the chief said.',
  })

  t.test('corrects a recorded claim of its jurisdiction', async (t) => {
    const correction = claimCorrected(
      'springfield',
      recorded.id,
      { on: '2016-11-15', summary: 'On Tuesday.' },
      { evidenceSourceId: 'article' },
    )
    given(t, [city, article, recorded])
      .when([correction])
      .then([{ stream: J, expectedRevision: 1, events: [correction] }])
  })

  t.test('may correct a claim recorded earlier in the same request', async (t) => {
    const claim = statementMade('springfield', 'article')
    const correction = claimCorrected('springfield', claim.id, { summary: 'Better.' })
    given(t, [city, article])
      .when([claim, correction])
      .then([{ stream: J, expectedRevision: 0, events: [claim, correction] }])
  })

  t.test('a target that is not a recorded claim is claim_not_found', async (t) => {
    for (const missing of ['00000000-0000-4000-8000-999999999999', city.id]) {
      given(t, [city, article, recorded])
        .when([claimCorrected('springfield', missing, { summary: 'Better.' })])
        .thenFails('claim_not_found', {
          path: '/events/0/data/correctsEventId',
          message: new RegExp(`no claim with id ${missing} is recorded`),
        })
    }
  })

  t.test('a claim of another jurisdiction is claim_jurisdiction_mismatch', async (t) => {
    given(t, [city, jurisdictionRegistered('shelbyville'), article, recorded])
      .when([claimCorrected('shelbyville', recorded.id, { summary: 'Better.' })])
      .thenFails('claim_jurisdiction_mismatch', {
        path: '/events/0/data/jurisdictionId',
        message: /belongs to jurisdiction "springfield", not "shelbyville"/,
      })
  })

  t.test('a retracted claim is claim_retracted', async (t) => {
    const retraction = claimRetracted('springfield', recorded.id)
    given(t, [city, article, recorded, retraction])
      .when([claimCorrected('springfield', recorded.id, { summary: 'Better.' })])
      .thenFails('claim_retracted', {
        path: '/events/0/data/correctsEventId',
        message: new RegExp(`claim ${recorded.id} was retracted by event ${retraction.id}`),
      })
  })

  t.test('a claim retracted earlier in the same request is claim_retracted', async (t) => {
    given(t, [city, article, recorded])
      .when([
        claimRetracted('springfield', recorded.id),
        claimCorrected('springfield', recorded.id, { summary: 'Better.' }),
      ])
      .thenFails('claim_retracted', { path: '/events/1/data/correctsEventId' })
  })

  t.test('an unregistered evidence source is evidence_source_not_registered', async (t) => {
    given(t, [city, article, recorded])
      .when([
        claimCorrected(
          'springfield',
          recorded.id,
          { summary: 'Better.' },
          { evidenceSourceId: 'memo' },
        ),
      ])
      .thenFails('evidence_source_not_registered', {
        path: '/events/0/data/evidenceSourceId',
        message: /evidence source "memo" is not registered/,
      })
  })

  t.test('an unregistered changes.sourceId is source_not_registered', async (t) => {
    given(t, [city, article, recorded])
      .when([claimCorrected('springfield', recorded.id, { sourceId: 'memo' })])
      .thenFails('source_not_registered', { path: '/events/0/data/changes/sourceId' })
  })

  t.test('a changed quote is checked against the claim’s source', async (t) => {
    const exact = 'the city will remain a sanctuary city'
    const good = claimCorrected('springfield', recorded.id, {
      quote: { exact, prefix: 'The mayor said ' },
    })
    given(t, [city, article, recorded])
      .when([good])
      .then([{ stream: J, expectedRevision: 1, events: [good] }])
    given(t, [city, article, recorded])
      .when([claimCorrected('springfield', recorded.id, { quote: { exact } })])
      .thenFails('quote_not_found', { path: '/events/0/data/changes/quote', message: /ambiguous/ })
  })

  t.test('a changed source re-checks the current quote: quote_not_found', async (t) => {
    given(t, [city, article, other, recorded])
      .when([claimCorrected('springfield', recorded.id, { sourceId: 'other' })])
      .thenFails('quote_not_found', {
        path: '/events/0/data/changes/sourceId',
        message: /content of source "other"/,
      })
  })

  t.test('a changed source and quote are checked together', async (t) => {
    const correction = claimCorrected('springfield', recorded.id, {
      sourceId: 'other',
      quote: { exact: 'Officers will not ask about status' },
    })
    given(t, [city, article, other, recorded])
      .when([correction])
      .then([{ stream: J, expectedRevision: 1, events: [correction] }])
  })

  t.test(
    'a changed source without content leaves the quote unverified, and accepted',
    async (t) => {
      const correction = claimCorrected('springfield', recorded.id, { sourceId: 'plain' })
      given(t, [city, article, sourceWithoutContent('plain'), recorded])
        .when([correction])
        .then([{ stream: J, expectedRevision: 1, events: [correction] }])
    },
  )

  t.test('a claim without a quote may change its source freely', async (t) => {
    const unquoted = statementMade('springfield', 'article', { quote: undefined })
    const correction = claimCorrected('springfield', unquoted.id, { sourceId: 'other' })
    given(t, [city, article, other, unquoted])
      .when([correction])
      .then([{ stream: J, expectedRevision: 1, events: [correction] }])
  })

  t.test('later corrections see the corrected source and quote', async (t) => {
    const moved = claimCorrected('springfield', recorded.id, {
      sourceId: 'other',
      quote: { exact: 'Officers will not ask about status' },
    })
    // The original quote is in the article, but the claim now cites `other`.
    given(t, [city, article, other, recorded, moved])
      .when([claimCorrected('springfield', recorded.id, { quote: CHIEF_QUOTE })])
      .thenFails('quote_not_found', { message: /content of source "other"/ })
    // And the corrected quote is not in the article, so moving back fails.
    given(t, [city, article, other, recorded])
      .when([moved, claimCorrected('springfield', recorded.id, { sourceId: 'article' })])
      .thenFails('quote_not_found', {
        path: '/events/1/data/changes/sourceId',
        message: /content of source "article"/,
      })
  })

  t.test('`unknown` in changed stances of a statement is unknown_not_allowed', async (t) => {
    const stances = [
      { dimension: 'declared_status', value: 'sanctuary' },
      { dimension: 'status_inquiry', value: 'unknown' },
    ]
    given(t, [city, article, recorded])
      .when([claimCorrected('springfield', recorded.id, { stances })])
      .thenFails('unknown_not_allowed', {
        path: '/events/0/data/changes/stances/1/value',
        message: new RegExp(
          `only allowed in stances of PolicyAmended, PolicyRescinded, PolicyEnjoined; claim ${recorded.id} is a StatementMade`,
        ),
      })
  })

  t.test(
    '`unknown` in changed stances of an amended, rescinded or enjoined policy is accepted',
    async (t) => {
      const enacted = policyEnacted('springfield', 'article', 'order-1')
      const changes = (['PolicyAmended', 'PolicyRescinded', 'PolicyEnjoined'] as const).map(
        (type) => policyAction(type, 'springfield', 'article', 'order-1'),
      )
      const corrections = changes.map((change) =>
        claimCorrected('springfield', change.id, {
          stances: [{ dimension: 'status_inquiry', value: 'unknown' }],
        }),
      )
      given(t, [city, article, enacted, ...changes])
        .when(corrections)
        .then([{ stream: J, expectedRevision: 4, events: corrections }])
    },
  )
})

t.test('ClaimRetracted', async (t) => {
  t.test('retracts a recorded claim of its jurisdiction', async (t) => {
    const retraction = claimRetracted('springfield', recorded.id, { evidenceSourceId: 'article' })
    given(t, [city, article, recorded])
      .when([retraction])
      .then([{ stream: J, expectedRevision: 1, events: [retraction] }])
  })

  t.test('a corrected claim may be retracted', async (t) => {
    const retraction = claimRetracted('springfield', recorded.id)
    given(t, [
      city,
      article,
      recorded,
      claimCorrected('springfield', recorded.id, { summary: 'Better.' }),
    ])
      .when([retraction])
      .then([{ stream: J, expectedRevision: 2, events: [retraction] }])
  })

  t.test('a target that is not a recorded claim is claim_not_found', async (t) => {
    given(t, [city, article])
      .when([claimRetracted('springfield', article.id)])
      .thenFails('claim_not_found', { path: '/events/0/data/retractsEventId' })
  })

  t.test('a claim of another jurisdiction is claim_jurisdiction_mismatch', async (t) => {
    given(t, [city, jurisdictionRegistered('shelbyville'), article, recorded])
      .when([claimRetracted('shelbyville', recorded.id)])
      .thenFails('claim_jurisdiction_mismatch', { path: '/events/0/data/jurisdictionId' })
  })

  t.test('a second retraction is claim_retracted', async (t) => {
    const first = claimRetracted('springfield', recorded.id)
    given(t, [city, article, recorded, first])
      .when([claimRetracted('springfield', recorded.id)])
      .thenFails('claim_retracted', {
        path: '/events/0/data/retractsEventId',
        message: new RegExp(`was retracted by event ${first.id}`),
      })
  })

  t.test('a second retraction in the same request is claim_retracted', async (t) => {
    given(t, [city, article, recorded])
      .when([
        claimRetracted('springfield', recorded.id),
        claimRetracted('springfield', recorded.id),
      ])
      .thenFails('claim_retracted', { path: '/events/1/data/retractsEventId', index: 1 })
  })

  t.test('an unregistered evidence source is evidence_source_not_registered', async (t) => {
    given(t, [city, article, recorded])
      .when([claimRetracted('springfield', recorded.id, { evidenceSourceId: 'memo' })])
      .thenFails('evidence_source_not_registered', { path: '/events/0/data/evidenceSourceId' })
  })
})

t.test('decide never changes the state it is given', async (t) => {
  const enacted = policyEnacted('springfield', 'article', 'order-1')
  const state = writeStateOf([city, article, recorded, enacted])
  const before = structuredClone(state)
  const sizes = () => Object.values(state).map((map: Map<unknown, unknown>) => map.size)
  const sizesBefore = sizes()

  const everything = [
    jurisdictionRegistered('shelbyville', { parentId: 'springfield' }),
    sourceRegistered('other', { content: 'Officers will not ask about status.' }),
    statementMade('shelbyville', 'other', { quote: { exact: 'will not ask' } }),
    policyAction('PolicyAmended', 'springfield', 'article', 'order-1'),
    claimCorrected('springfield', recorded.id, {
      sourceId: 'other',
      quote: { exact: 'Officers will not ask' },
    }),
    claimRetracted('springfield', enacted.id),
  ]
  const { runs } = decide(state, everything)
  t.equal(runs.length, 4)
  t.strictSame(state, before, 'unchanged after an accepted request')
  t.strictSame(sizes(), sizesBefore)
  t.equal(state.claims.get(recorded.id)?.sourceId, 'article')
  t.equal(state.claims.get(enacted.id)?.retractedBy, null)

  t.throws(() => decide(state, [...everything, claimRetracted('springfield', enacted.id)]), {
    code: 'claim_retracted',
  })
  t.strictSame(state, before, 'unchanged after a refused request')

  // Deciding the same request twice gives the same answer: nothing of the first was kept.
  t.strictSame(decide(state, everything).runs, runs)
})

t.test('a decision’s state after it is the base for the next request committed with it', async (t) => {
  const state = writeStateOf([jurisdictionRegistered('springfield'), sourceRegistered('gazette')])
  const first = decide(state, [sourceRegistered('herald')])
  t.notOk(state.sources.has('herald'), 'the stored state is untouched')
  t.ok(first.after.sources.has('herald'))
  const second = decide(first.after, [{ ...statementMade('springfield', 'herald'), expectedRevision: 0 }])
  t.same(
    second.runs.map((run) => [run.stream, run.expectedRevision]),
    [['jurisdiction-springfield', 0]],
  )
  t.throws(() => decide(first.after, [sourceRegistered('herald')]), { code: 'already_registered' })
})
