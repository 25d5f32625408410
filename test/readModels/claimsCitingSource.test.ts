import t from 'tap'
import { DETAINER, fold, phillyLog } from './fixtures/ledger.js'

t.test('claims citing it as recorded or after correction, in position order', async (t) => {
  const log = phillyLog()
  log.source('wpvi')
  const moved = log.claim({ on: '2016', sourceId: 'abc', stances: { [DETAINER]: 'decline_all' } })
  const stays = log.claim({ on: '2015', sourceId: 'wpvi', stances: {} })
  const other = log.claim({ on: '2014', sourceId: 'abc', stances: {} })
  log.correct(moved, { sourceId: 'wpvi' })
  log.retract(other)
  const state = fold(log.events)
  t.strictSame(
    state.claimsCitingSource('wpvi').map((claim) => [claim.eventId, claim.sourceId, claim.status]),
    [
      [moved.id, 'wpvi', 'corrected'],
      [stays.id, 'wpvi', 'active'],
    ],
  )
  t.strictSame(
    state.claimsCitingSource('abc').map((claim) => [claim.eventId, claim.sourceId, claim.status]),
    [
      [moved.id, 'wpvi', 'corrected'],
      [other.id, 'abc', 'retracted'],
    ],
  )
  t.strictSame(state.claimsCitingSource('nope'), [])
})
