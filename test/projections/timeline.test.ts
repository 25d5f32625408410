import t from 'tap'
import {
  entriesOf,
  insertEntry,
  newTimeline,
  removeEntry,
  sortedEntries,
  stanceAt,
  valueAt,
} from '../../projections/timeline.js'

const claim = (on: string, value: string, sourceId = 'abc') => ({
  jurisdictionId: 'us-pa-philadelphia',
  actor: { id: 'mayor', name: 'Mayor' },
  on,
  summary: 'said so',
  sourceId,
  stances: [{ dimension: 'detainer_hold', value }],
})

t.test('a third-party claim contributes no entries', async (t) => {
  t.strictSame(
    entriesOf('x', 1, {
      ...claim('2016', 'decline_all'),
      actor: { id: 'doj', name: 'DOJ', role: 'third-party' },
    }),
    [],
  )
})

t.test('changes are buffered and merged in order by the next read', async (t) => {
  const timeline = newTimeline()
  const entry = (claimId: string, position: number, on: string) =>
    entriesOf(claimId, position, claim(on, 'decline_all'))[0]!
  insertEntry(timeline, entry('a', 1, '2016-03-01'))
  insertEntry(timeline, entry('b', 2, '2016-01-01'))
  t.strictSame(
    sortedEntries(timeline).map((e) => e.claimId),
    ['b', 'a'],
  )
  insertEntry(timeline, entry('c', 3, '2016-02'))
  insertEntry(timeline, entry('d', 4, '2017'))
  insertEntry(timeline, entry('e', 5, '2016-02-01'))
  t.strictSame(
    sortedEntries(timeline).map((e) => e.claimId),
    ['b', 'c', 'e', 'a', 'd'],
    'merged',
  )
  insertEntry(timeline, entry('f', 6, '2018'))
  t.strictSame(
    sortedEntries(timeline).map((e) => e.claimId),
    ['b', 'c', 'e', 'a', 'd', 'f'],
    'appended',
  )
  removeEntry(timeline, entry('c', 3, '2016-02'))
  t.strictSame(
    sortedEntries(timeline).map((e) => e.claimId),
    ['b', 'e', 'a', 'd', 'f'],
    'removed',
  )
  // a correction moves a claim: its old entry goes, its new one comes, maybe more than once before a read
  removeEntry(timeline, entry('b', 2, '2016-01-01'))
  insertEntry(timeline, entry('b', 2, '2019'))
  removeEntry(timeline, entry('b', 2, '2019'))
  insertEntry(timeline, entry('b', 2, '2016-02-15'))
  t.strictSame(
    sortedEntries(timeline).map((e) => [e.claimId, e.on]),
    [
      ['e', '2016-02-01'],
      ['b', '2016-02-15'],
      ['a', '2016-03-01'],
      ['d', '2017'],
      ['f', '2018'],
    ],
  )
  t.equal(sortedEntries(timeline), sortedEntries(timeline), 'nothing to merge: the same array')
})

t.test('the index is rebuilt after a change', async (t) => {
  const timeline = newTimeline()
  insertEntry(timeline, entriesOf('a', 1, claim('2016-01-01', 'decline_all', 'one'))[0]!)
  t.strictSame(stanceAt(timeline, '2016-06-01').sources, ['one'])
  insertEntry(timeline, entriesOf('b', 2, claim('2016-02-01', 'decline_all', 'two'))[0]!)
  t.strictSame(stanceAt(timeline, '2016-06-01').sources, ['two', 'one'])
  t.equal(valueAt(timeline, '2015-06-01'), 'unknown')
})

t.test('distinct sources of a long run with many sources, newest first', async (t) => {
  const timeline = newTimeline()
  for (let i = 0; i < 37; i++) {
    const on = `2016-01-${String(1 + (i % 28)).padStart(2, '0')}`
    insertEntry(timeline, entriesOf(`c${i}`, i, claim(on, 'decline_all', `s${i % 5}`))[0]!)
  }
  const expected: string[] = []
  for (const entry of [...sortedEntries(timeline)].reverse()) {
    if (!expected.includes(entry.sourceId)) expected.push(entry.sourceId)
  }
  t.strictSame(stanceAt(timeline, '2016-12-31').sources, expected)
  t.equal(stanceAt(timeline, '2016-12-31').basisCount, 37)
})
