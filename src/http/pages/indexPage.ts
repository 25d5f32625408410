import { allowedValues, dimensions, UNKNOWN } from '../../../events/index.js'
import type { JurisdictionList, RecordedChange } from '../../../projections/index.js'
import { asOfForm } from './asOfForm.js'
import { recordedChangesList } from './changeParts.js'
import { html, type SafeHtml } from './html.js'
import { layout } from './layout.js'
import { partialDateText, supportNote, valueTag, words } from './labels.js'

export interface IndexPageInput {
  list: JurisdictionList
  today: string
  treeSize?: number
  invalidAsOf?: string
  /** The latest changes recorded, newest first. */
  changes: RecordedChange[]
}

/** Changes the index page lists before live ones arrive. */
export const INDEX_CHANGES = 20

/** The script that makes the index page's list of changes live. */
export const LIVE_SCRIPT = '/ui/live.js'

/** Where the API starts: the links `GET /` answers with when JSON is wanted. */
export const apiIndex = {
  name: 'policy-ledger',
  description: 'A verifiable, bitemporal, event-sourced ledger of public policy stances.',
  links: [
    { rel: 'jurisdictions', href: '/jurisdictions', title: 'Every jurisdiction with its stance per dimension (filters: kind, dimension, value, asOf, knownAt)' },
    { rel: 'docs', href: '/docs', title: 'API documentation (Swagger UI)' },
    { rel: 'openapi', href: '/openapi.json', title: 'The OpenAPI 3.1 document' },
    { rel: 'changes', href: '/changes?since=0', title: 'What changed since a ledger position (or between two dates: from, to); /changes/stream follows it live' },
    { rel: 'feed', href: '/changes.atom', title: 'An Atom feed of the changes, newest recorded first' },
    { rel: 'panel', href: '/panel?from=2016-01&to=2016-12&every=month', title: 'Every jurisdiction by period: a CSV or NDJSON panel for research' },
    { rel: 'checkpoint', href: '/ledger/checkpoint', title: 'The latest signed checkpoint of the log' },
    { rel: 'pages', href: '/', title: 'Readable pages: ask for text/html' },
  ],
}

/** Every jurisdiction with its value per dimension on a day: rows are jurisdictions, columns dimensions. */
export function indexPage({ list, today, treeSize, invalidAsOf, changes }: IndexPageInput): SafeHtml {
  const asOf = list.asOf
  const names = new Map(list.jurisdictions.map((jurisdiction) => [jurisdiction.jurisdictionId, jurisdiction.name]))
  return layout({
    title: 'Jurisdictions',
    treeSize,
    feeds: [{ href: '/changes.atom', title: 'policy-ledger: changes' }],
    scripts: [LIVE_SCRIPT],
    body: html`<h1>Policy stances by jurisdiction</h1>
<p class="lede">Each cell is what the jurisdiction’s own official claims put in force on ${partialDateText(asOf)}${asOf === today && ' (today)'}. <span class="value unknown">unknown</span> means nothing is recorded; <span class="support statement">words only</span> marks a value that only statements back, no enacted policy. Open a jurisdiction for its timeline, sources and corrections.</p>
${asOfForm({ action: '/', asOf, invalidAsOf, shown: 'stances', hint: 'Valid time: what was in force on that day.' })}
<div class="scroll" tabindex="0" role="group" aria-labelledby="matrix-caption">
<table class="matrix">
<caption id="matrix-caption">Stances on ${partialDateText(asOf)}, ${list.jurisdictions.length} ${list.jurisdictions.length === 1 ? 'jurisdiction' : 'jurisdictions'}, as known at ledger position ${list.knownAtPosition ?? 'none'}</caption>
<thead><tr><th scope="col">Jurisdiction</th>${dimensions.map((dimension) => html`<th scope="col">${words(dimension)}</th>`)}</tr></thead>
<tbody>
${list.jurisdictions.map(
  (jurisdiction) => html`<tr data-jurisdiction="${jurisdiction.jurisdictionId}"><th scope="row"><a href="/ui/jurisdictions/${jurisdiction.jurisdictionId}${asOf !== today ? `?asOf=${asOf}` : ''}">${jurisdiction.name}</a> <span class="muted">(${jurisdiction.kind})</span></th>${dimensions.map(
    (dimension) => html`<td data-dimension="${dimension}">${valueTag(allowedValues(dimension), jurisdiction.stance[dimension] ?? UNKNOWN)}${supportNote(jurisdiction.support[dimension])}</td>`,
  )}</tr>`,
)}
</tbody>
</table>
</div>
${list.jurisdictions.length === 0 && html`<p>No jurisdiction is registered yet.</p>`}
<section id="changes" aria-labelledby="changes-heading" data-stream="/changes/stream?since=${list.knownAtPosition ?? -1}" data-shows-today="${asOf === today ? 'true' : 'false'}">
<h2 id="changes-heading">Latest changes</h2>
<p class="muted">Where a jurisdiction’s value for a dimension changed, newest recorded first: the value before and after, from the day of the claim that changed it. Follow them in a feed reader (<a href="/changes.atom" type="application/atom+xml">Atom feed</a>) or as JSON (<a href="/changes?since=0">/changes</a>).</p>
<p class="live-status" role="status" hidden></p>
${changes.length === 0 && html`<p class="no-changes">No change is recorded yet.</p>`}
${recordedChangesList(changes, (id) => names.get(id) ?? id)}
</section>
<h2>For developers</h2>
<ul class="cards">
${apiIndex.links
  .filter((link) => link.rel !== 'pages')
  .map((link) => html`<li><a href="${link.href}"><code>${link.href}</code></a><br><span class="muted">${link.title}</span></li>`)}
</ul>`,
  })
}
