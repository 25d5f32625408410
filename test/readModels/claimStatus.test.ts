import t from 'tap'
import { DETAINER, fold, phillyLog } from './fixtures/ledger.js'

t.test('active, corrected, retracted (which wins), or null for other events', async (t) => {
  const log = phillyLog()
  const plain = log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
  const fixed = log.claim({ on: '2016', stances: { [DETAINER]: 'decline_all' } })
  const a = log.correct(fixed, { on: '2015' })
  const b = log.correct(fixed, { on: '2014' })
  const gone = log.retract(fixed)
  t.strictSame(fold(log.events.slice(0, 5)).claimStatus(fixed.id), {
    status: 'corrected',
    correctedBy: [a.id],
    retractedBy: null,
  })
  const state = fold(log.events)
  t.strictSame(state.claimStatus(plain.id), {
    status: 'active',
    correctedBy: [],
    retractedBy: null,
  })
  t.strictSame(state.claimStatus(fixed.id), {
    status: 'retracted',
    correctedBy: [a.id, b.id],
    retractedBy: gone.id,
  })
  t.equal(state.claimStatus(log.events[0]!.id), null)
})
