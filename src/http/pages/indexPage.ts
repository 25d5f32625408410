import { allowedValues, dimensions } from '../../../events/index.js'
import type { JurisdictionList } from '../../../projections/index.js'
import { html, type SafeHtml } from './html.js'
import { layout } from './layout.js'
import { partialDateText, supportNote, valueTag, words } from './labels.js'

export interface IndexPageInput {
  list: JurisdictionList
  today: string
  treeSize?: number
  invalidAsOf?: string
}

/** Where the API starts: the links `GET /` answers with when JSON is wanted. */
export const apiIndex = {
  name: 'policy-ledger',
  description: 'A verifiable, bitemporal, event-sourced ledger of public policy stances.',
  links: [
    { rel: 'jurisdictions', href: '/jurisdictions', title: 'Every jurisdiction with its stance per dimension (filters: kind, dimension, value, asOf, knownAt)' },
    { rel: 'docs', href: '/docs', title: 'API documentation (Swagger UI)' },
    { rel: 'openapi', href: '/openapi.json', title: 'The OpenAPI 3.1 document' },
    { rel: 'checkpoint', href: '/ledger/checkpoint', title: 'The latest signed checkpoint of the log' },
    { rel: 'pages', href: '/', title: 'Readable pages: ask for text/html' },
  ],
}

/** Every jurisdiction with its value per dimension on a day: rows are jurisdictions, columns dimensions. */
export function indexPage({ list, today, treeSize, invalidAsOf }: IndexPageInput): SafeHtml {
  const asOf = list.asOf
  return layout({
    title: 'Jurisdictions',
    treeSize,
    body: html`<h1>Policy stances by jurisdiction</h1>
<p class="lede">Each cell is what the jurisdiction’s own official claims put in force on ${partialDateText(asOf)}${asOf === today && ' (today)'}. <span class="value unknown">unknown</span> means nothing is recorded; <span class="support statement">words only</span> marks a value that only statements back, no enacted policy. Open a jurisdiction for its timeline, sources and corrections.</p>
<form class="as-of" method="get" action="/">
<div class="field">
<label for="asOf">Show the stances on</label>
<input type="date" id="asOf" name="asOf" value="${asOf}" required aria-describedby="asOf-hint${invalidAsOf !== undefined && ' asOf-error'}"${invalidAsOf !== undefined && html` aria-invalid="true"`}>
</div>
<button type="submit">Show stances</button>
<p id="asOf-hint" class="muted">Valid time: what was in force on that day.</p>
${invalidAsOf !== undefined && html`<p id="asOf-error" class="error" role="alert">“${invalidAsOf}” is not a date (YYYY-MM-DD); showing today instead.</p>`}
</form>
<div class="scroll" tabindex="0" role="group" aria-labelledby="matrix-caption">
<table class="matrix">
<caption id="matrix-caption">Stances on ${partialDateText(asOf)}, ${list.jurisdictions.length} ${list.jurisdictions.length === 1 ? 'jurisdiction' : 'jurisdictions'}, as known at ledger position ${list.knownAtPosition ?? 'none'}</caption>
<thead><tr><th scope="col">Jurisdiction</th>${dimensions.map((dimension) => html`<th scope="col">${words(dimension)}</th>`)}</tr></thead>
<tbody>
${list.jurisdictions.map(
  (jurisdiction) => html`<tr data-jurisdiction="${jurisdiction.jurisdictionId}"><th scope="row"><a href="/ui/jurisdictions/${jurisdiction.jurisdictionId}${asOf !== today ? `?asOf=${asOf}` : ''}">${jurisdiction.name}</a> <span class="muted">(${jurisdiction.kind})</span></th>${dimensions.map(
    (dimension) => html`<td data-dimension="${dimension}">${valueTag(allowedValues(dimension), jurisdiction.stance[dimension] ?? 'unknown')}${supportNote(jurisdiction.support[dimension])}</td>`,
  )}</tr>`,
)}
</tbody>
</table>
</div>
${list.jurisdictions.length === 0 && html`<p>No jurisdiction is registered yet.</p>`}
<h2>For developers</h2>
<ul class="cards">
${apiIndex.links
  .filter((link) => link.rel !== 'pages')
  .map((link) => html`<li><a href="${link.href}"><code>${link.href}</code></a><br><span class="muted">${link.title}</span></li>`)}
</ul>`,
  })
}
