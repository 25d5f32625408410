import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { StreamAppend } from '../../src/stores/eventStore.js'
import { seedStatement } from '../support/eventBuilders.js'
import { postEvents, testLedger } from '../support/testLedger.js'

const statement = (summary: string, jurisdictionId = 'us-il-chicago') => seedStatement({ summary, jurisdictionId })

t.test('concurrent writers share transactions, and each request stays all or nothing', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  const append = ledger.store.append.bind(ledger.store)
  const transactions: number[] = []
  ledger.store.append = (runs: StreamAppend[]) => {
    transactions.push(runs.reduce((n, run) => n + run.events.length, 0))
    return append(runs)
  }
  const head = ledger.runner.size
  const sharedId = randomUUID()
  const requests = [
    ...Array.from({ length: 40 }, (_, i) => [statement(`single ${i}`)]),
    [statement('fine'), statement('bad', 'us-xx-nowhere')],
    [{ id: sharedId, ...statement('first with this id') }],
    [{ id: sharedId, ...statement('first with this id') }],
    [{ id: sharedId, ...statement('other content, same id') }],
  ]
  const responses = await Promise.all(
    requests.map((events) => postEvents(ledger.app, events)),
  )
  const statuses = responses.map((response) => response.statusCode)
  t.same(statuses.slice(0, 40), Array(40).fill(201))
  t.equal(statuses[40], 422, 'the request with a bad event is refused alone')
  t.equal(statuses[41], 201)
  t.equal(statuses[42], 200, 'the same id and content in the same burst: an idempotent retry')
  t.equal(statuses[43], 409, 'the same id with other content')
  t.equal(responses[42]!.json().events[0].position, responses[41]!.json().events[0].position)

  t.ok(transactions.length < 41, `41 written requests in ${transactions.length} transactions`)
  t.equal(ledger.runner.size, head + 41, 'nothing of the refused request, nothing twice')
  const positions = responses
    .filter((response) => response.statusCode === 201)
    .flatMap((response) => response.json().events.map((event: { position: number }) => event.position))
    .sort((a: number, b: number) => a - b)
  t.same(positions, Array.from({ length: 41 }, (_, i) => head + i), 'contiguous positions')
  const checkpoint = ledger.log.latest()
  t.equal(checkpoint?.treeSize, head + 41, 'signed before the answers went out')
})
