import { allowedValues, dimensions, startOf } from '../../../events/index.js'
import type { ClaimView, JurisdictionRecord } from '../../../projections/index.js'
import type { LedgerReader } from '../../readModels/ledgerReader.js'
import {
  actorText,
  claimHeading,
  correctionsBlock,
  firstUrl,
  quoteBlock,
  roleBadge,
  sourceChain,
  sourceChainLine,
  stancesList,
  statusBadge,
} from './claimParts.js'
import { asOfForm } from './asOfForm.js'
import { changesTable } from './changeParts.js'
import { html, type SafeHtml } from './html.js'
import { layout } from './layout.js'
import { partialDateLabel, partialDateText, partialDateTime, supportNote, timestampTime, typeLabel, valueTag, words } from './labels.js'
import { stepChartFigure } from './stepChart.js'

export interface JurisdictionPageInput {
  reader: LedgerReader
  jurisdiction: JurisdictionRecord
  /** The day the stance table is for, YYYY-MM-DD. */
  asOf: string
  today: string
  knownAtPosition: number | null
  treeSize?: number
  /** What the reader typed when it was not a date; the page then shows `asOf` (today) instead. */
  invalidAsOf?: string
  /** The page of claims: newest in valid time first, after `before` when the reader went further. */
  claims: ClaimView[]
  /** The link to the next (earlier) page of claims, when there is one. */
  earlier?: string
  /** Whether this is a later page (a link back to the newest claims is shown). */
  paged: boolean
}

/** Claims a page shows at most. */
export const CLAIMS_A_PAGE = 100

/** Changes a page lists at most, the latest first; the rest are a link away. */
export const CHANGES_A_PAGE = 100

/** A jurisdiction's stance on a day, a step chart per dimension, and its claims in valid time. */
export function jurisdictionPage(input: JurisdictionPageInput): SafeHtml {
  const { reader, jurisdiction, asOf, today, knownAtPosition, treeSize, invalidAsOf, claims } = input
  const id = jurisdiction.jurisdictionId
  const parent = jurisdiction.parentId === undefined ? null : reader.jurisdictionOf(jurisdiction.parentId)
  const onPage = new Set(claims.map((claim) => claim.eventId))
  return layout({
    title: `${jurisdiction.name}: stance and timeline`,
    treeSize,
    crumbs: [{ label: 'Jurisdictions', href: '/' }, { label: jurisdiction.name }],
    feeds: [{ href: `/jurisdictions/${id}/changes.atom`, title: `policy-ledger: changes in ${jurisdiction.name}` }],
    body: html`<h1>${jurisdiction.name}</h1>
<p class="lede">${words(jurisdiction.kind)} · <code class="url">${jurisdiction.ocdId}</code>${parent !== null && html` · part of <a href="/ui/jurisdictions/${parent.jurisdictionId}">${parent.name}</a>`}</p>
<p class="muted">The same data as JSON: <a href="/jurisdictions/${id}">jurisdiction</a>, <a href="/jurisdictions/${id}/stance?asOf=${asOf}">stance</a>, <a href="/jurisdictions/${id}/history">history</a>.</p>
${stanceSection(reader, jurisdiction, asOf, knownAtPosition, invalidAsOf, onPage)}
${chartsSection(reader, id, asOf, today, knownAtPosition)}
${changesSection(reader, jurisdiction, knownAtPosition)}
${timelineSection(reader, input)}`,
  })
}

function stanceSection(
  reader: LedgerReader,
  jurisdiction: JurisdictionRecord,
  asOf: string,
  knownAtPosition: number | null,
  invalidAsOf: string | undefined,
  onPage: ReadonlySet<string>,
): SafeHtml {
  const id = jurisdiction.jurisdictionId
  const answer = reader.stanceAnswer(id, asOf, knownAtPosition)
  return html`<section aria-labelledby="stance-heading">
<h2 id="stance-heading">Stance on ${partialDateText(asOf)}</h2>
${asOfForm({
  action: `/ui/jurisdictions/${id}`,
  asOf,
  invalidAsOf,
  shown: 'stance',
  hint: 'Valid time: what was in force on that day, from every official claim recorded so far.',
})}
<div class="scroll" tabindex="0" role="group" aria-labelledby="stance-caption">
<table class="stance">
<caption id="stance-caption">${jurisdiction.name} on ${partialDateText(asOf)}, as known at ledger position ${knownAtPosition ?? 'none'}</caption>
<thead><tr><th scope="col">Dimension</th><th scope="col">Value</th><th scope="col">Backed by</th><th scope="col">Since</th><th scope="col">Basis</th><th scope="col">Uncertain</th></tr></thead>
<tbody>
${dimensions.map((dimension) => {
  const stance = answer.stance[dimension]!
  const newest = stance.basis[0]
  return html`<tr data-dimension="${dimension}"><th scope="row">${words(dimension)}</th><td>${valueTag(allowedValues(dimension), stance.value)}${supportNote(stance.support)}</td><td data-label="Backed by">${stance.support === 'policy' ? 'an enacted policy' : stance.support === 'statement' ? 'statements only' : html`<span class="muted">—</span>`}</td><td data-label="Since">${stance.since === null ? html`<span class="muted">—</span>` : partialDateLabel(stance.since)}</td><td data-label="Basis">${newest === undefined ? html`<span class="muted">none</span>` : html`<a href="${onPage.has(newest) ? `#claim-${newest}` : `/ui/events/${newest}`}">${stance.basisCount} ${stance.basisCount === 1 ? 'claim' : 'claims'}</a>`}</td><td data-label="Uncertain">${stance.uncertain ? html`<strong>yes</strong> <span class="muted">(a counted claim’s date is known only to the month or year, and covers this day)</span>` : 'no'}</td></tr>`
})}
</tbody>
</table>
</div>
</section>`
}

function chartsSection(
  reader: LedgerReader,
  id: string,
  asOf: string,
  today: string,
  knownAtPosition: number | null,
): SafeHtml {
  const timelines = new Map(dimensions.map((dimension) => [dimension, reader.timelinePoints(id, dimension, knownAtPosition)]))
  const charted = dimensions.filter((dimension) => timelines.get(dimension)!.length > 0)
  const silent = dimensions.filter((dimension) => !charted.includes(dimension))
  // the whole timeline, from its first claim to its last (or today): two claims, not every claim's body
  const first = reader.historyOf(id, { knownAtPosition }, { limit: 1 }, 'asc').claims[0]?.on
  const last = reader.historyOf(id, { knownAtPosition }, { limit: 1 }, 'desc').claims[0]?.on
  const from = `${(first ?? today).slice(0, 4)}-01-01`
  const to = last !== undefined && startOf(last) > today ? startOf(last) : today
  return html`<section aria-labelledby="charts-heading">
<h2 id="charts-heading">How each dimension changed</h2>
${charted.length === 0
  ? html`<p>No official claim asserts any dimension yet.</p>`
  : html`<p class="muted">Official claims only, from ${from.slice(0, 4)} to ${partialDateText(today)}. Each dot is a claim; the dashed red line is ${partialDateText(asOf)}, the day of the table above.</p>
<div class="charts">
${charted.map((dimension) =>
  stepChartFigure({
    dimension,
    values: allowedValues(dimension),
    points: timelines.get(dimension)!,
    from,
    to,
    asOf,
  }),
)}
</div>`}
${silent.length > 0 && html`<p>No official claim asserts ${silent.map((dimension, index) => html`${index > 0 && (index === silent.length - 1 ? ' or ' : ', ')}${words(dimension)}`)}: ${silent.length === 1 ? 'it is' : 'they are'} <span class="value unknown">unknown</span> throughout.</p>`}
</section>`
}

function changesSection(reader: LedgerReader, jurisdiction: JurisdictionRecord, knownAtPosition: number | null): SafeHtml {
  const id = jurisdiction.jurisdictionId
  const changes = reader.newestChangesOf(id, knownAtPosition, CHANGES_A_PAGE + 1)
  const shown = changes.slice(0, CHANGES_A_PAGE)
  // every change: from the year of the jurisdiction's first claim to that of its latest change
  const first = reader.historyOf(id, { knownAtPosition }, { limit: 1 }, 'asc').claims[0]?.on ?? ''
  const all = `/changes?jurisdiction=${id}&from=${first.slice(0, 4)}&to=${shown[0]?.on.slice(0, 4) ?? ''}`
  return html`<section aria-labelledby="changes-heading">
<h2 id="changes-heading">Changes</h2>
${shown.length === 0
  ? html`<p>No official claim has set a value yet, so nothing has changed.</p>`
  : html`<p class="muted">Each point where an official claim put a dimension at another value, ${changes.length > CHANGES_A_PAGE ? `the latest ${CHANGES_A_PAGE}` : 'all of them'}, latest first; a reaffirmation of the value in force is no change. As JSON: <a href="${all}">/changes</a>; in a feed reader: <a href="/jurisdictions/${id}/changes.atom" type="application/atom+xml">Atom feed</a>.</p>
${changesTable(shown, `Changes in ${jurisdiction.name}, as known at ledger position ${knownAtPosition ?? 'none'}`)}`}
</section>`
}

function timelineSection(reader: LedgerReader, input: JurisdictionPageInput): SafeHtml {
  const { claims, earlier, paged, jurisdiction } = input
  const newest = `/ui/jurisdictions/${jurisdiction.jurisdictionId}${input.asOf !== input.today ? `?asOf=${input.asOf}` : ''}`
  const nav = html`<nav class="pager" aria-label="More claims">${paged && html`<a href="${newest}">Newest claims</a>`}${paged && earlier !== undefined && ' · '}${earlier !== undefined && html`<a href="${earlier}" rel="next">Earlier claims</a>`}</nav>`
  return html`<section aria-labelledby="timeline-heading">
<h2 id="timeline-heading">Timeline of claims</h2>
<p class="muted">${paged ? 'Earlier claims' : 'The newest claims'} in valid time (when it was said or took effect), newest first, ${CLAIMS_A_PAGE} a page: official and third-party, with corrections applied. The whole history is at <a href="/jurisdictions/${jurisdiction.jurisdictionId}/history">/jurisdictions/${jurisdiction.jurisdictionId}/history</a>, page by page.</p>
${claims.length === 0 ? html`<p>Nothing is recorded about this jurisdiction yet.</p>` : html`<ol class="timeline">${claims.map((claim) => html`<li>${claimArticle(reader, claim)}</li>`)}</ol>`}
${(paged || earlier !== undefined) && nav}
</section>`
}

function claimArticle(reader: LedgerReader, claim: ClaimView): SafeHtml {
  const anchor = `claim-${claim.eventId}`
  const heading = claimHeading(claim.type, claim)
  return html`<article class="claim ${claim.status} ${claim.role}" id="${anchor}" aria-labelledby="${anchor}-title">
<p class="claim-meta"><span class="when">${partialDateTime(claim.on)}</span> <span>${typeLabel(claim.type)}${claim.instrument !== undefined && ` · ${words(claim.instrument.replaceAll('-', '_'))}`}</span> ${statusBadge(claim.status)} ${roleBadge(claim.role)}</p>
<h3 id="${anchor}-title">${heading}</h3>
<p class="actor">${actorText(claim.actor)}${claim.role === 'third-party' && html` <span class="muted">— a third party: shown here, never counted in the stance</span>`}</p>
<div class="claimed">
<p>${claim.summary}</p>
${quoteBlock(claim.quote, firstUrl(sourceChain(reader, claim.sourceId)))}
</div>
${stancesList(claim.stances)}
<dl class="facts">
${claim.dateBasis !== undefined && html`<dt>Date basis</dt><dd>${claim.dateBasis}</dd>`}
${claim.policyId !== undefined && html`<dt>Policy</dt><dd><code>${claim.policyId}</code></dd>`}
<dt>Source</dt><dd>${sourceChainLine(reader, claim.sourceId)}</dd>
<dt>Recorded</dt><dd>${timestampTime(claim.recordedAt)} by ${claim.recordedBy} <span class="muted">(ledger position ${claim.position})</span></dd>
</dl>
${correctionsBlock(claim.corrections, claim.retraction)}
<p><a href="/ui/events/${claim.eventId}">Provenance and proof<span class="visually-hidden"> of “${heading}”, ${partialDateLabel(claim.on)}</span></a></p>
</article>`
}
