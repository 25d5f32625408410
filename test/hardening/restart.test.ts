import t from 'tap'
import { lastSeedPosition, pressStatement, seedId } from '../support/testLedger.js'
import { scratchStore, startServe, type Served } from '../support/serveProcess.js'

/**
 * The read models commit with the events they fold: a process killed right after a 201 restarts on
 * a file whose read models are the log at that position, so every answer is what it was before the
 * kill, and the restart folds nothing again.
 */
const TOKEN = 'restart-token-0123456789'
const env = { LEDGER_TOKENS: `editor:${TOKEN}`, LEDGER_WRITE_RATE_LIMIT: '0', LOG_LEVEL: 'info' }
const kenneyOrder = seedId('claim/kenney-2016-01-executive-order')
const murray = seedId('claim/murray-2016-11-16-remain-sanctuary')

const writes = [
  [pressStatement('us-pa-philadelphia', '2017-02-01', 'welcoming'), pressStatement('us-wa-seattle', '2015-06-01', 'welcoming')],
  [
    {
      type: 'ClaimCorrected',
      data: {
        jurisdictionId: 'us-pa-philadelphia',
        correctsEventId: kenneyOrder,
        changes: { on: '2016-02' },
        reason: 'a later report dates the order to February',
      },
    },
  ],
  [{ type: 'ClaimRetracted', data: { jurisdictionId: 'us-wa-seattle', retractsEventId: murray, reason: 'misattributed' } }],
  [pressStatement('us-il-chicago', '2016-12-24', 'sanctuary')],
]

const urls = [
  '/jurisdictions',
  '/jurisdictions?dimension=declared_status&value=sanctuary&asOf=2017-06-30',
  '/jurisdictions/us-pa-philadelphia',
  '/jurisdictions/us-pa-philadelphia/stance?asOf=2016-01-15',
  `/jurisdictions/us-pa-philadelphia/stance?asOf=2016-03-01&knownAt=${lastSeedPosition}`,
  '/jurisdictions/us-wa-seattle/history',
  `/jurisdictions/us-wa-seattle/history?knownAt=${lastSeedPosition + 2}`,
  '/jurisdictions/us-il-chicago/stance?asOf=2017-01-01',
  `/events/${kenneyOrder}`,
  `/events/${kenneyOrder}/provenance`,
  '/sources/abcnews-2016-11-17-cities-push-back',
  '/actors/press-office',
  '/ledger/checkpoint',
  '/ledger/entries',
  '/ledger/proofs/consistency?first=10',
]

async function answers(served: Served): Promise<string[]> {
  return Promise.all(
    urls.map(async (url) => {
      const response = await fetch(served.baseUrl + url)
      return `${response.status} ${await response.text()}`
    }),
  )
}

t.test('kill -9 right after a 201: the restart answers every read as before, folding nothing again', async (t) => {
  const { store: storePath } = scratchStore(t, 'restart')
  let served = await startServe(storePath, env)
  t.teardown(() => {
    if (served.child.exitCode === null && served.child.signalCode === null) served.child.kill('SIGKILL')
  })
  for (const events of writes) {
    const response = await fetch(`${served.baseUrl}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    })
    t.equal(response.status, 201, await response.text())
  }
  const before = await answers(served)
  served.child.kill('SIGKILL')
  t.equal((await served.exited).signal, 'SIGKILL')

  served = await startServe(storePath, env)
  const after = await answers(served)
  for (const [index, url] of urls.entries()) t.equal(after[index], before[index], url)
  const log = served.stdout()
  t.notMatch(log, /rebuilding read models|read models catching up/, 'nothing was folded again at the restart')
  t.match(log, /caught up with the store/)
  served.child.kill('SIGTERM')
  await served.exited
})
