import t from 'tap'
import {
  allowedValues,
  CalendarDate,
  comparePartialDates,
  endOf,
  isClaim,
  isDimension,
  isPartialDate,
  LedgerEvent,
  PartialDate,
  precisionOf,
  precisionRank,
  Quote,
  SourceRegistered,
  startOf,
  streamOf,
  UnsupportedSchemaVersion,
  readEnvelope,
} from '../../events/index.js'

t.test('partial dates are real calendar dates at year, month or day precision', async (t) => {
  for (const good of ['2016', '2016-01', '2016-02-29', '2000-02-29', '0001']) t.ok(isPartialDate(good), good)
  for (const bad of ['2015-02-29', '1900-02-29', '2016-13', '2016-00', '2016-04-31', '0000', '16', '2016-1', '2016-01-1', 'x']) {
    t.notOk(isPartialDate(bad), bad)
  }
  t.ok(PartialDate.safeParse('2016-01').success)
  t.notOk(CalendarDate.safeParse('2016-01').success, 'a calendar date is a day')
  t.same(['1979', '2016-01', '2016-01-15'].map(precisionOf), ['year', 'month', 'day'])
  t.same(['1979', '2016-01', '2016-01-15'].map(precisionRank), [0, 1, 2])
  t.same(['1979', '2016-02', '2016-01-15'].map(startOf), ['1979-01-01', '2016-02-01', '2016-01-15'])
  t.same(['1979', '2016-02', '2015-02', '2016-01-15'].map(endOf), ['1979-12-31', '2016-02-29', '2015-02-28', '2016-01-15'])
})

t.test('valid-time order: by start, then coarser precision first', async (t) => {
  const dates = ['2016-01-01', '2016-01', '2016', '2015-12-31', '2016-02']
  t.same([...dates].sort(comparePartialDates), ['2015-12-31', '2016', '2016-01', '2016-01-01', '2016-02'])
  t.equal(comparePartialDates('2016', '2016'), 0)
})

t.test('the taxonomy answers for its own dimensions only', async (t) => {
  t.ok(isDimension('detainer_hold'))
  t.notOk(isDimension('toString'), 'no prototype keys')
  t.same(allowedValues('agreement_287g'), ['active', 'none', 'prohibited'])
  t.same(allowedValues('nope'), [])
})

t.test('schemas refuse what the design refuses', async (t) => {
  const source = { sourceId: 'a', kind: 'news-article', title: 'T', publisher: 'P', publishedOn: '2016' }
  t.ok(SourceRegistered.safeParse(source).success)
  t.match(SourceRegistered.safeParse({ ...source, content: 'text' }).error?.issues, [{ path: ['contentSha256'] }])
  t.match(SourceRegistered.safeParse({ ...source, via: 'a' }).error?.issues, [{ path: ['via'] }])
  t.notOk(SourceRegistered.safeParse({ ...source, url: 'ftp://example.org/x' }).success, 'http(s) urls only')
  t.match(Quote.safeParse({ exact: 'abc', start: 1 }).error?.issues, [{ message: /together/ }])
  t.match(Quote.safeParse({ exact: 'abc', start: 1, end: 5 }).error?.issues, [{ message: /length of exact/ }])
  t.ok(Quote.safeParse({ exact: 'abc', start: 1, end: 4 }).success)
  const claim = {
    jurisdictionId: 'us-x',
    actor: { id: 'a', name: 'A' },
    on: '2016',
    summary: 's',
    sourceId: 'src',
    stances: [
      { dimension: 'detainer_hold', value: 'decline_all' },
      { dimension: 'detainer_hold', value: 'honor_all' },
    ],
  }
  const twice = LedgerEvent.safeParse({ type: 'StatementMade', data: claim })
  t.match(twice.error?.issues, [{ path: ['data', 'stances', 1, 'dimension'], message: /twice/ }])
  const unknownInStatement = LedgerEvent.safeParse({ type: 'StatementMade', data: { ...claim, stances: [{ dimension: 'detainer_hold', value: 'unknown' }] } })
  t.notOk(unknownInStatement.success, 'a statement cannot assert unknown')
  const rescinded = LedgerEvent.safeParse({ type: 'PolicyRescinded', data: { ...claim, policyId: 'p', stances: [{ dimension: 'detainer_hold', value: 'unknown' }] } })
  t.ok(rescinded.success, 'a rescinded policy can say a value is no longer in force')
  t.notOk(LedgerEvent.safeParse({ type: 'StatementMade', data: { ...claim, summary: '   ', stances: [] } }).success, 'blank text')
  t.ok(isClaim(rescinded.data!))
  t.equal(streamOf(rescinded.data!), 'jurisdiction-us-x')
  t.equal(streamOf({ type: 'SourceRegistered', data: { ...source, kind: 'news-article' } } as LedgerEvent), 'source-a')
})

t.test('readEnvelope checks a stored envelope whole, in one pass', async (t) => {
  const metadata = { recordedAt: '2026-11-20T12:00:00.000Z', recordedBy: 'x', schemaVersion: 1 }
  const envelope = {
    id: '0a50ea08-bdc9-51eb-a25a-fd52a3241795',
    stream: 'source-a',
    type: 'SourceRegistered',
    data: { sourceId: 'a', kind: 'other', title: 'T', publisher: 'P', publishedOn: '2016' },
    metadata,
  }
  const read = readEnvelope(envelope)
  t.ok(read.ok)
  t.match(readEnvelope({ ...envelope, metadata: { ...metadata, schemaVersion: 9 } }), { ok: false, message: /newer than this build/ })
  t.type(new UnsupportedSchemaVersion('x'), Error)
  t.match(readEnvelope({ ...envelope, data: { ...envelope.data, publishedOn: '2016-02-30' } }), { ok: false, message: /^data\.publishedOn: / })
  t.match(readEnvelope({ ...envelope, type: 'Nope' }), { ok: false })
  t.match(readEnvelope({ ...envelope, metadata: null }), { ok: false })
})
