import t from 'tap'
import { fold, phillyLog } from './fixtures/ledger.js'

t.test('latest name and office seen in ledger order, and their claims', async (t) => {
  const log = phillyLog()
  const first = log.claim({ on: '2016-11-14', actor: { id: 'kenney', name: 'Jim Kenney' } })
  const second = log.claim({
    on: '2015',
    actor: { id: 'kenney', name: 'James Kenney', office: 'Mayor' },
  })
  const third = log.claim({ on: '2016', actor: { id: 'kenney', name: 'Jim Kenney' } })
  const misattributed = log.claim({
    on: '2016',
    actor: { id: 'nutter', name: 'Michael Nutter', office: 'Mayor' },
  })
  log.correct(misattributed, {
    actor: { id: 'kenney', name: 'Jim Kenney', office: 'Mayor of Philadelphia' },
  })
  const state = fold(log.events)
  const kenney = state.actorView('kenney')
  t.equal(kenney?.actorId, 'kenney')
  t.equal(kenney?.name, 'Jim Kenney')
  t.equal(kenney?.office, 'Mayor of Philadelphia')
  t.strictSame(
    kenney?.claims.map((claim) => claim.eventId),
    [first.id, second.id, third.id, misattributed.id],
  )
  const nutter = state.actorView('nutter')
  t.strictSame(
    nutter?.claims.map((claim) => [claim.eventId, claim.actor.id]),
    [[misattributed.id, 'kenney']],
  )
  t.equal(state.actorView('nobody'), null)
  const anonymous = phillyLog()
  anonymous.claim({ on: '2016', actor: { id: 'lapd', name: 'LAPD' } })
  const lapd = fold(anonymous.events).actorView('lapd')
  t.notOk(lapd !== null && 'office' in lapd, 'no office seen, none shown')
})
