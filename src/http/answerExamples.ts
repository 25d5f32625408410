/**
 * Examples of the answers that are not JSON, for the OpenAPI document: each is what the service
 * answers for its URL on a freshly seeded store (test/http/openapi.test.ts asks and compares).
 */

/** The seed's Philadelphia detainer policy, month by month around Kenney's order. */
export const panelExampleUrl = '/panel?from=2015-11&to=2016-02&every=month&jurisdiction=us-pa-philadelphia&dimension=detainer_hold&knownAt=54'

/** RFC 4180: lines end in CRLF. */
export const panelCsvExample = [
  'jurisdictionId,name,kind,date,detainer_hold,detainer_hold_support,detainer_hold_uncertain',
  'us-pa-philadelphia,Philadelphia,city,2015-11-30,unknown,,false',
  'us-pa-philadelphia,Philadelphia,city,2015-12-31,unknown,,false',
  'us-pa-philadelphia,Philadelphia,city,2016-01-31,serious_crimes_only,policy,false',
  'us-pa-philadelphia,Philadelphia,city,2016-02-29,serious_crimes_only,policy,false',
].map((line) => `${line}\r\n`).join('')

export const panelNdjsonExample = `{"jurisdictionId":"us-pa-philadelphia","date":"2015-11-30","stance":{"detainer_hold":{"value":"unknown","support":null,"uncertain":false}}}
{"jurisdictionId":"us-pa-philadelphia","date":"2015-12-31","stance":{"detainer_hold":{"value":"unknown","support":null,"uncertain":false}}}
{"jurisdictionId":"us-pa-philadelphia","date":"2016-01-31","stance":{"detainer_hold":{"value":"serious_crimes_only","support":"policy","uncertain":false}}}
{"jurisdictionId":"us-pa-philadelphia","date":"2016-02-29","stance":{"detainer_hold":{"value":"serious_crimes_only","support":"policy","uncertain":false}}}
`

/** The feed of Philadelphia's changes, asked of http://localhost:3000. */
export const atomExampleUrl = '/jurisdictions/us-pa-philadelphia/changes.atom'

export const atomExample = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>tag:policy-ledger,2026:changes/us-pa-philadelphia</id>
  <title>policy-ledger: what changed in Philadelphia</title>
  <updated>2026-11-20T12:00:00.000Z</updated>
  <link rel="self" type="application/atom+xml" href="http://localhost:3000/jurisdictions/us-pa-philadelphia/changes.atom"/>
  <link rel="alternate" type="text/html" href="http://localhost:3000/ui/jurisdictions/us-pa-philadelphia"/>
  <author><name>policy-ledger</name></author>
  <entry>
    <id>tag:policy-ledger,2026:change/0a50ea08-bdc9-51eb-a25a-fd52a3241795/declared_status</id>
    <title>us-pa-philadelphia: declared status unknown → sanctuary (2016-01)</title>
    <updated>2026-11-20T12:00:00.000Z</updated>
    <link rel="alternate" type="text/html" href="http://localhost:3000/ui/events/0a50ea08-bdc9-51eb-a25a-fd52a3241795"/>
    <category term="us-pa-philadelphia"/>
    <category term="declared_status"/>
    <category term="policy"/>
    <summary>From 2016-01 (a date known only to the month or year), us-pa-philadelphia&apos;s declared status is sanctuary, no longer unknown; backed by a policy; source kenney-executive-order-2016-01; recorded at ledger position 39.</summary>
  </entry>
  <entry>
    <id>tag:policy-ledger,2026:change/0a50ea08-bdc9-51eb-a25a-fd52a3241795/detainer_hold</id>
    <title>us-pa-philadelphia: detainer hold unknown → serious crimes only (2016-01)</title>
    <updated>2026-11-20T12:00:00.000Z</updated>
    <link rel="alternate" type="text/html" href="http://localhost:3000/ui/events/0a50ea08-bdc9-51eb-a25a-fd52a3241795"/>
    <category term="us-pa-philadelphia"/>
    <category term="detainer_hold"/>
    <category term="policy"/>
    <summary>From 2016-01 (a date known only to the month or year), us-pa-philadelphia&apos;s detainer hold is serious crimes only, no longer unknown; backed by a policy; source kenney-executive-order-2016-01; recorded at ledger position 39.</summary>
  </entry>
  <entry>
    <id>tag:policy-ledger,2026:change/0a50ea08-bdc9-51eb-a25a-fd52a3241795/local_resources</id>
    <title>us-pa-philadelphia: local resources unknown → restricted (2016-01)</title>
    <updated>2026-11-20T12:00:00.000Z</updated>
    <link rel="alternate" type="text/html" href="http://localhost:3000/ui/events/0a50ea08-bdc9-51eb-a25a-fd52a3241795"/>
    <category term="us-pa-philadelphia"/>
    <category term="local_resources"/>
    <category term="policy"/>
    <summary>From 2016-01 (a date known only to the month or year), us-pa-philadelphia&apos;s local resources is restricted, no longer unknown; backed by a policy; source kenney-executive-order-2016-01; recorded at ledger position 39.</summary>
  </entry>
</feed>
`

/** The id the stream example's write gives its one event. */
export const streamExampleEventId = '6f1c0e52-8a51-4c4b-9f0e-2d6a3b7c9e11'

/** What `GET /changes/stream` sends for a write at position 55 that made Seattle welcoming. */
export const streamExample = `id: 55
event: changes
data: {"since":54,"knownAtPosition":55,"changes":[{"jurisdictionId":"us-wa-seattle","dimension":"declared_status","before":"sanctuary","after":"welcoming","causedBy":["${streamExampleEventId}"]}]}

`
