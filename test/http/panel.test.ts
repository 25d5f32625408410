import t from 'tap'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { dimensions } from '../../events/index.js'
import { panelCommand } from '../../src/cli/panelCommand.js'
import { compose } from '../../src/compose.js'
import { parseConfig } from '../../src/config/config.js'
import { csvField } from '../../src/readModels/panel.js'
import { pino } from 'pino'
import { lastSeedPosition, postEvents, seedId, testLedger } from '../support/testLedger.js'

/** RFC 4180, read back: quoted fields with doubled quotes, CRLF between records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      record.push(field)
      field = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      i++
    } else field += c
  }
  return records
}

t.test('every cell of the panel equals the stance endpoint at its date and knownAt', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  // a correction after the panel's knownAt: the panel as known then does not see it
  const correction = await postEvents(ledger.app, [
    {
      type: 'ClaimCorrected',
      data: { jurisdictionId: 'us-pa-philadelphia', correctsEventId: seedId('claim/kenney-2016-01-executive-order'), changes: { on: '2016-06' }, reason: 'a later date' },
    },
  ])
  t.equal(correction.statusCode, 201)
  const url = `/panel?from=2015-11&to=2017-02&every=month&knownAt=${lastSeedPosition}`
  const response = await ledger.app.inject({ url })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^text\/csv; charset=utf-8; header=present/)
  t.equal(response.headers['ledger-known-at-position'], String(lastSeedPosition))
  t.match(response.headers['cache-control'], /immutable/, 'pinned: the same panel forever')
  const [header, ...rows] = parseCsv(response.body)
  t.strictSame(header, ['jurisdictionId', 'name', 'kind', 'date', ...dimensions.flatMap((d) => [d, `${d}_support`, `${d}_uncertain`])])
  const jurisdictions = (await ledger.app.inject({ url: `/jurisdictions?knownAt=${lastSeedPosition}&asOf=2016-01-01` })).json().jurisdictions
  t.equal(rows.length, jurisdictions.length * 16, '16 months a jurisdiction')
  let cells = 0
  for (const row of rows) {
    const [jurisdictionId, , , date] = row
    const stance = (await ledger.app.inject({ url: `/jurisdictions/${jurisdictionId}/stance?asOf=${date}&knownAt=${lastSeedPosition}` })).json().stance
    dimensions.forEach((dimension, d) => {
      const [value, support, uncertain] = row.slice(4 + d * 3, 7 + d * 3)
      const expected = stance[dimension]
      if (value !== expected.value || support !== (expected.support ?? '') || uncertain !== String(expected.uncertain)) {
        t.fail(`${jurisdictionId} ${date} ${dimension}: panel ${value}/${support}/${uncertain}, stance ${expected.value}/${expected.support}/${expected.uncertain}`)
      }
      cells += 1
    })
  }
  t.ok(cells > 500, `${cells} cells, each equal to the stance endpoint's`)
  const january = rows.find((row) => row[0] === 'us-pa-philadelphia' && row[3] === '2016-01-31')!
  t.strictSame(january.slice(7, 10), ['serious_crimes_only', 'policy', 'false'], 'Philadelphia’s order, month precision: in force by the end of January')
  const first = parseCsv((await ledger.app.inject({ url: `/panel?from=2016-01&to=2016-01&every=month&at=start&jurisdiction=us-pa-philadelphia&dimension=detainer_hold&knownAt=${lastSeedPosition}` })).body)
  t.strictSame(first[1]!.slice(3), ['2016-01-01', 'serious_crimes_only', 'policy', 'true'], 'and uncertain at its start: signed some day in January')

  const ndjson = await ledger.app.inject({ url: `${url}&format=ndjson` })
  const lines = ndjson.body.trim().split('\n').map((line) => JSON.parse(line))
  t.equal(lines.length, rows.length)
  t.strictSame(lines.find((line) => line.jurisdictionId === 'us-pa-philadelphia' && line.date === '2016-01-31').stance.detainer_hold, {
    value: 'serious_crimes_only',
    support: 'policy',
    uncertain: false,
  })
  const now = await ledger.app.inject({ url: '/panel?from=2016-01&to=2016-01&every=month&jurisdiction=us-pa-philadelphia&dimension=detainer_hold' })
  t.strictSame(parseCsv(now.body), [
    ['jurisdictionId', 'name', 'kind', 'date', 'detainer_hold', 'detainer_hold_support', 'detainer_hold_uncertain'],
    ['us-pa-philadelphia', 'Philadelphia', 'city', '2016-01-31', 'unknown', '', 'false'],
  ], 'known now, the corrected order starts in June')
  const start = await ledger.app.inject({ url: '/panel?from=2016&to=2016&every=quarter&at=start&kind=city&dimension=declared_status&format=ndjson' })
  const dates = [...new Set(start.body.trim().split('\n').map((line) => JSON.parse(line).date))]
  t.strictSame(dates, ['2016-01-01', '2016-04-01', '2016-07-01', '2016-10-01'])

  t.equal((await ledger.app.inject({ url: '/panel?from=2017&to=2016&every=year' })).statusCode, 400)
  t.equal((await ledger.app.inject({ url: '/panel?from=1000&to=2030&every=day' })).statusCode, 400)
  t.equal((await ledger.app.inject({ url: '/panel?from=2016&to=2017' })).statusCode, 400, 'every is required')
})

t.test('csv fields are quoted as RFC 4180 says', async (t) => {
  t.equal(csvField('plain'), 'plain')
  t.equal(csvField('a, b'), '"a, b"')
  t.equal(csvField('say "hi"'), '"say ""hi"""')
  t.equal(csvField('two\nlines'), '"two\nlines"')
})

t.test('policy-ledger panel prints the same rows as GET /panel', async (t) => {
  const path = join(t.testdir(), 'ledger.sqlite')
  const config = parseConfig({ LEDGER_STORE: `sqlite:${path}` })
  const served = await compose(config, { logger: pino({ level: 'silent' }), withApp: true, seed: true })
  const http = (await served.app!.inject({ url: '/panel?from=2016&to=2017&every=quarter&knownAt=20' })).body
  await served.close()
  let printed = ''
  const out = new Writable({
    write(chunk, _encoding, done) {
      printed += String(chunk)
      done()
    },
  })
  const notes: string[] = []
  t.equal(await panelCommand({ from: '2016', to: '2017', every: 'quarter', knownAt: '20' }, config, out, (line) => notes.push(line)), 0)
  t.equal(printed, http)
  t.match(notes[0], /known at position 20/)
  await t.rejects(panelCommand({ from: '2016', to: '2017', every: 'fortnight' }, config, out), /--every/)
})
