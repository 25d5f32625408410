import t from 'tap'
import { READER_TOKEN, seedSize, testLedger } from '../support/testLedger.js'

type Sample = { name: string; labels: Record<string, string>; value: number }

/** The Prometheus text format, strictly: every line a comment, a blank, or `name{labels} value`. */
function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = []
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const type =
      /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (type !== null) {
      types.set(type[1]!, type[2]!)
      continue
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(
      line,
    )
    if (sample === null) throw new Error(`not Prometheus text: ${line}`)
    const labels: Record<string, string> = {}
    for (const pair of (sample[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
      const at = pair.indexOf('=')
      labels[pair.slice(0, at)] = pair.slice(at + 2, -1)
    }
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) })
  }
  return { samples, types }
}

function value(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, v]) => sample.labels[key] === v),
  )?.value
}

const stanceRoute = { method: 'GET', route: '/jurisdictions/:id/stance', status_code: '200' }

t.test('/metrics is Prometheus text; the request counter grows by the requests made', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  await ledger.app.inject({ url: '/jurisdictions/us-pa-philadelphia/stance' })
  const before = parsePrometheus((await ledger.app.inject({ url: '/metrics' })).body)
  for (const id of ['us-pa-philadelphia', 'us-il-chicago', 'us-wa-seattle']) {
    await ledger.app.inject({ url: `/jurisdictions/${id}/stance` })
  }
  await ledger.app.inject({ url: '/jurisdictions/us-xx-nowhere/stance' })
  const response = await ledger.app.inject({ url: '/metrics' })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  t.equal(response.headers['cache-control'], 'no-store')
  t.notOk(response.headers.etag, 'metrics change without the ledger moving: no tag')
  const { samples, types } = parsePrometheus(response.body)
  t.equal(types.get('http_request_duration_seconds'), 'histogram')
  t.equal(
    value(samples, 'http_request_duration_seconds_count', stanceRoute)! -
      value(before.samples, 'http_request_duration_seconds_count', stanceRoute)!,
    3,
    'three more stance answers, counted by route pattern, not by path',
  )
  t.equal(
    value(samples, 'http_request_duration_seconds_count', { ...stanceRoute, status_code: '404' }),
    1,
    'by status',
  )
  t.equal(value(samples, 'ledger_size_events'), seedSize, 'the seed')
  t.equal(value(samples, 'ledger_checkpoint_tree_size'), seedSize)
  t.equal(
    value(samples, 'ledger_checkpoint_age_seconds'),
    (Date.parse('2026-11-26T10:00:00Z') - Date.parse('2026-11-20T12:00:00Z')) / 1_000,
    'since the seed’s last entry was recorded',
  )
  t.ok(
    value(samples, 'nodejs_eventloop_delay_seconds', { quantile: '0.99' })! >= 0,
    'event-loop delay',
  )
  for (const name of ['ledger_group_commit_requests', 'ledger_group_commit_events'])
    t.equal(types.get(name), 'histogram', `${name}: the core's to feed`)
  for (const name of ['ledger_read_model_lag_events', 'ledger_store_connected'])
    t.equal(types.get(name), 'gauge', `${name}: the core's to feed`)

  ledger.metrics.readModelLag.set({ read_model: 'stances' }, 7)
  ledger.metrics.storeConnected.set({ store: 'esdb' }, 0)
  const fed = parsePrometheus((await ledger.app.inject({ url: '/metrics' })).body).samples
  t.equal(
    value(fed, 'ledger_read_model_lag_events', { read_model: 'stances' }),
    7,
    'what the core sets is served',
  )
  t.equal(value(fed, 'ledger_store_connected', { store: 'esdb' }), 0)
})

t.test('/metrics is behind the read tokens when reads are private', async (t) => {
  const ledger = await testLedger({ LEDGER_READ_TOKENS: `reader:${READER_TOKEN}` })
  t.teardown(() => ledger.close())
  t.equal((await ledger.app.inject({ url: '/metrics' })).statusCode, 401)
  t.equal(
    (
      await ledger.app.inject({
        url: '/metrics',
        headers: { authorization: `Bearer ${READER_TOKEN}` },
      })
    ).statusCode,
    200,
  )
})
