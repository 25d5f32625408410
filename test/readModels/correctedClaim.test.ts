import t from 'tap'
import { DETAINER, fold, PHILLY, phillyLog } from './fixtures/ledger.js'

t.test('as recorded and as corrected, as known at a position', async (t) => {
  const log = phillyLog()
  const claim = log.claim({ on: '2016-01-04', stances: { [DETAINER]: 'decline_all' } })
  const correction = log.correct(claim, {
    on: '2016-01-05',
    stances: { [DETAINER]: 'judicial_warrant_only' },
  })
  const state = fold(log.events)
  t.strictSame(state.correctedClaim(claim.id, 3), {
    eventId: claim.id,
    type: 'StatementMade',
    jurisdictionId: PHILLY,
    position: 2,
    stream: `jurisdiction-${PHILLY}`,
    revision: 1,
    recordedAt: claim.metadata.recordedAt,
    recordedBy: 'test',
    status: 'corrected',
    recorded: claim.data,
    corrected: {
      ...claim.data,
      on: '2016-01-05',
      stances: [{ dimension: DETAINER, value: 'judicial_warrant_only' }],
    },
    corrections: [
      {
        eventId: correction.id,
        position: 3,
        recordedAt: correction.metadata.recordedAt,
        recordedBy: 'test',
        changes: {
          on: '2016-01-05',
          stances: [{ dimension: DETAINER, value: 'judicial_warrant_only' }],
        },
        reason: 'corrected',
      },
    ],
    retraction: null,
  })
  const before = state.correctedClaim(claim.id, 2)
  t.equal(before?.status, 'active')
  t.strictSame(before?.corrected, claim.data)
  t.strictSame(before?.corrections, [])
  t.equal(state.correctedClaim(claim.id, 1), null, 'not known yet')
  t.equal(state.correctedClaim(claim.id, null), null)
  t.equal(state.correctedClaim(log.events[0]!.id, 3), null, 'not a claim')
  log.retract(claim, { reason: 'wrong' })
  t.equal(fold(log.events).correctedClaim(claim.id, 4)?.retraction?.reason, 'wrong')
})
