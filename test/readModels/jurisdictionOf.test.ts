import t from 'tap'
import { eventLog } from '../support/eventBuilders.js'
import { fold, PHILLY } from './fixtures/ledger.js'

t.test('the registered fields with the registering event and position', async (t) => {
  const log = eventLog()
  log.jurisdiction('us-pa', {
    name: 'Pennsylvania',
    kind: 'state',
    ocdId: 'ocd-division/country:us/state:pa',
  })
  const philly = log.jurisdiction(PHILLY, { name: 'Philadelphia', parentId: 'us-pa' })
  const state = fold(log.events)
  t.strictSame(state.jurisdictionOf(PHILLY), {
    jurisdictionId: PHILLY,
    name: 'Philadelphia',
    kind: 'city',
    ocdId: 'ocd-division/country:us/place:us_pa_philadelphia',
    parentId: 'us-pa',
    eventId: philly.id,
    position: 1,
  })
  t.equal(state.jurisdictionOf('us-nowhere'), null)
})
