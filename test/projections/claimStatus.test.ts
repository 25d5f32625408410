import t from 'tap'
import { claimStatus } from '../../projections/claimStatus.js'
import { DETAINER, fold, phillyLog } from './fixtures/ledger.js'

t.test('active, corrected, retracted (which wins), or null for other events', async (t) => {
  const log = phillyLog()
  const plain = log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
  const fixed = log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
  const a = log.correct(fixed, { on: '2015' })
  const b = log.correct(fixed, { on: '2014' })
  const gone = log.retract(fixed)
  t.strictSame(claimStatus(fold(log.events.slice(0, 5)), fixed.id), {
    status: 'corrected',
    correctedBy: [a.id],
    retractedBy: null,
  })
  const state = fold(log.events)
  t.strictSame(claimStatus(state, plain.id), {
    status: 'active',
    correctedBy: [],
    retractedBy: null,
  })
  t.strictSame(claimStatus(state, fixed.id), {
    status: 'retracted',
    correctedBy: [a.id, b.id],
    retractedBy: gone.id,
  })
  t.equal(claimStatus(state, log.events[0]!.id), null)
})
