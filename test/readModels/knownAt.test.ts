import t from 'tap'
import { todayUtc, todayUtcOf } from '../../src/readModels/knownAt.js'

t.test('todayUtcOf answers what todayUtc does, as the clock moves either way', async (t) => {
  let now = Date.parse('2016-11-17T23:59:59.999Z')
  const clock = () => new Date(now)
  const today = todayUtcOf(clock)
  t.equal(today(), '2016-11-17', 'the last millisecond of a day')
  now += 1
  t.equal(today(), '2016-11-18', 'the first of the next')
  now -= 1
  t.equal(today(), '2016-11-17', 'and back')
  const moves = [0, 1, 86_399_999, 1, -1, -86_400_000 * 400, 86_400_000 * 3_650 + 12_345, -7, 1]
  for (const move of moves) {
    now += move
    t.equal(today(), todayUtc(clock), new Date(now).toISOString())
  }
})

t.test('the day is formatted once while the clock stays in it', async (t) => {
  let formatted = 0
  let now = Date.parse('2017-01-20T00:00:00.000Z')
  const clock = () => {
    const date = new Date(now)
    const toISOString = date.toISOString.bind(date)
    date.toISOString = () => {
      formatted += 1
      return toISOString()
    }
    return date
  }
  const today = todayUtcOf(clock)
  for (let i = 0; i < 1_000; i += 1) {
    now += 60_000
    t.equal(today(), '2017-01-20')
  }
  t.ok(formatted <= 1, `formatted ${formatted} times`)
})
