import t from 'tap'
import { EventId } from '../../events/index.js'
import { importedEventId } from '../../src/ledger/importedEventId.js'

t.test('an id-less line gets the same id on every run, a valid version 5 UUID, and another for other content', async (t) => {
  const data = '{"jurisdictionId":"us-il-chicago","summary":"x"}'
  const id = importedEventId('StatementMade', data)
  t.equal(importedEventId('StatementMade', data), id, 'the same content, the same id')
  t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'version 5, RFC 9562 variant')
  t.ok(EventId.safeParse(id).success, 'an event id the schema accepts')
  t.not(importedEventId('StatementMade', '{"jurisdictionId":"us-il-chicago","summary":"y"}'), id, 'other data')
  t.not(importedEventId('PolicyReaffirmed', data), id, 'another type')
})
