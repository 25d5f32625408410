import { roleOf, type ClaimChanges } from '../../../events/index.js'
import type { CorrectedClaim, JurisdictionRecord, SourceRecord } from '../../../projections/index.js'
import type { QuoteCheck } from '../../ledger/checkQuote.js'
import {
  actorText,
  changesList,
  claimHeading,
  correctionsBlock,
  quoteBlock,
  roleBadge,
  sourceLine,
  stancesList,
  statusBadge,
} from './claimParts.js'
import { externalHref, html, type SafeHtml } from './html.js'
import { layout } from './layout.js'
import { partialDateLabel, partialDateTime, timestampTime, typeLabel } from './labels.js'

/** The archived text a quote was checked against, and where the quote sits in it (when found). */
export interface ArchivedText {
  sourceId: string
  content: string
  at: { start: number; end: number } | null
}

export interface InclusionProof {
  leafIndex: number
  treeSize: number
  auditPath: string[]
  rootHash: string
  note: string
  publicKey: string
  leafHash: string | null
}

export interface EventPageInput {
  claim: CorrectedClaim
  jurisdiction: JurisdictionRecord | null
  /** The claim's (corrected) source and the outlets along `via`. */
  chain: SourceRecord[]
  quoteCheck: QuoteCheck | null
  archived: ArchivedText | null
  proof: InclusionProof
}

/** How much archived text the excerpt shows on each side of the quote. */
const CONTEXT = 400

/** The provenance of one claim: quote in its source, the source chain, who recorded it, corrections, proof. */
export function eventPage(input: EventPageInput): SafeHtml {
  const { claim, jurisdiction } = input
  const data = claim.corrected
  const heading = claimHeading(claim.type, data)
  const jurisdictionName = jurisdiction?.name ?? claim.jurisdictionId
  const timelineHref = `/ui/jurisdictions/${claim.jurisdictionId}`
  return layout({
    title: `Provenance: ${heading}`,
    treeSize: input.proof.treeSize,
    crumbs: [
      { label: 'Jurisdictions', href: '/' },
      { label: jurisdictionName, href: timelineHref },
      { label: 'Provenance' },
    ],
    body: html`<h1>${heading}</h1>
<p class="claim-meta"><span class="when">${partialDateTime(data.on)}</span> <span>${typeLabel(claim.type)}</span> ${statusBadge(claim.status)} ${roleBadge(roleOf(data.actor))}</p>
<p class="lede">${actorText(data.actor)} · about <a href="${timelineHref}#claim-${claim.eventId}">${jurisdictionName}</a></p>
<section aria-labelledby="claim-heading" class="claim ${claim.status}">
<h2 id="claim-heading">The claim</h2>
<div class="claimed"><p>${data.summary}</p></div>
${stancesList(data.stances)}
<dl class="facts">
<dt>Date</dt><dd>${partialDateLabel(data.on)}</dd>
${data.dateBasis !== undefined && html`<dt>Date basis</dt><dd>${data.dateBasis}</dd>`}
<dt>Event id</dt><dd><code class="hash">${claim.eventId}</code></dd>
</dl>
</section>
${quoteSection(input)}
${sourcesSection(input.chain, input.archived)}
<section aria-labelledby="recorded-heading">
<h2 id="recorded-heading">Who recorded it, and when</h2>
<dl class="facts">
<dt>Recorded by</dt><dd>${claim.recordedBy}</dd>
<dt>Recorded at</dt><dd>${timestampTime(claim.recordedAt)}</dd>
<dt>Ledger position</dt><dd>${claim.position}</dd>
<dt>Stream</dt><dd><code>${claim.stream}</code>, revision ${claim.revision}</dd>
</dl>
<p class="muted">As JSON: <a href="/events/${claim.eventId}">the event</a>, <a href="/events/${claim.eventId}/provenance">its provenance</a>.</p>
</section>
${changesSection(claim)}
${proofSection(claim, input.proof)}`,
  })
}

function quoteSection({ claim, quoteCheck, archived, chain }: EventPageInput): SafeHtml {
  const quote = claim.corrected.quote
  if (quote === undefined) {
    return html`<section aria-labelledby="quote-heading"><h2 id="quote-heading">Quote</h2><p>This claim quotes nothing; its source is listed below.</p></section>`
  }
  const checkedTitle = chain.find((source) => source.sourceId === quoteCheck?.checkedAgainst)?.title ?? quoteCheck?.checkedAgainst
  const verdict =
    quoteCheck === null || quoteCheck.verified === null
      ? html`<p><span class="badge unchecked">not checked</span> No source on the chain has archived text to check the quote against.</p>`
      : quoteCheck.verified
        ? html`<p><span class="badge verified">verified</span> The quote is in the archived text of <cite>${checkedTitle}</cite>${archived !== null && archived.at !== null && html`, characters ${archived.at.start}–${archived.at.end}`}, and that text still hashes to its recorded contentSha256.</p>`
        : html`<p><span class="badge unverified">not verified</span> ${quoteCheck.reason ?? 'the quote was not found in the archived text'}.</p>`
  return html`<section aria-labelledby="quote-heading">
<h2 id="quote-heading">The quote in its archived source</h2>
${verdict}
${archived === null
  ? quoteBlock(quote, undefined)
  : html`<h3>In context</h3>
<div class="source-text">${excerpt(archived)}</div>
<details>
<summary>The whole archived text (${archived.content.length.toLocaleString('en-US')} characters)</summary>
<div class="source-text">${highlighted(archived, null)}</div>
</details>`}
</section>`
}

function highlighted(archived: ArchivedText, id: string | null): SafeHtml {
  const { content, at } = archived
  if (at === null) return html`${content}`
  return html`${content.slice(0, at.start)}<mark${id !== null && html` id="${id}"`}>${content.slice(at.start, at.end)}</mark>${content.slice(at.end)}`
}

/** The quote with some of the text around it, cut at spaces. */
function excerpt(archived: ArchivedText): SafeHtml {
  const { content, at } = archived
  if (at === null) return html`${content.slice(0, CONTEXT * 2)}${content.length > CONTEXT * 2 && '…'}`
  let from = Math.max(0, at.start - CONTEXT)
  let to = Math.min(content.length, at.end + CONTEXT)
  if (from > 0) from = Math.max(content.indexOf(' ', from) + 1, from)
  if (to < content.length) {
    const space = content.lastIndexOf(' ', to)
    if (space > at.end) to = space
  }
  const part = { ...archived, content: content.slice(from, to), at: { start: at.start - from, end: at.end - from } }
  return html`${from > 0 && '…'}${highlighted(part, 'quote')}${to < content.length && '…'}`
}

function sourcesSection(chain: readonly SourceRecord[], archived: ArchivedText | null): SafeHtml {
  return html`<section aria-labelledby="sources-heading">
<h2 id="sources-heading">Source chain</h2>
${chain.length === 0
  ? html`<p>The source is not registered.</p>`
  : html`<ol class="chain">${chain.map((source, index) => {
      const href = externalHref(source.url)
      return html`<li>
<p><strong>${index === 0 ? 'Cited source' : 'Reported by'}</strong></p>
<p>${sourceLine(source)}</p>
<dl class="facts">
<dt>Publisher</dt><dd>${source.publisher}</dd>
<dt>Published</dt><dd>${partialDateLabel(source.publishedOn)}</dd>
<dt>Address</dt><dd>${href === undefined ? html`<span class="muted">none recorded</span>` : html`<a class="url" href="${href}" rel="noreferrer">${href}</a>`}</dd>
<dt>Archived text</dt><dd>${source.hasContent ? html`yes${archived?.sourceId === source.sourceId && ' (the quote was checked against it)'}` : 'no'}</dd>
<dt>contentSha256</dt><dd>${source.contentSha256 === undefined ? html`<span class="muted">none</span>` : html`<code class="hash">${source.contentSha256}</code>`}</dd>
</dl>
</li>`
    })}</ol>`}
</section>`
}

function changesSection(claim: CorrectedClaim): SafeHtml {
  if (claim.corrections.length === 0 && claim.retraction === null) {
    return html`<section aria-labelledby="changes-heading"><h2 id="changes-heading">Corrections and retraction</h2><p>None: the claim stands as recorded.</p></section>`
  }
  const changed = new Set(claim.corrections.flatMap((correction) => Object.keys(correction.changes)))
  const recorded = claim.recorded as Record<string, unknown>
  const asRecorded = Object.fromEntries([...changed].filter((field) => recorded[field] !== undefined).map((field) => [field, recorded[field]])) as ClaimChanges
  return html`<section aria-labelledby="changes-heading">
<h2 id="changes-heading">Corrections and retraction</h2>
${correctionsBlock(claim.corrections, claim.retraction)}
${changed.size > 0 && html`<h3>As first recorded</h3>${Object.keys(asRecorded).length > 0 ? changesList(asRecorded) : html`<p class="muted">The corrected fields were not set when it was recorded.</p>`}`}
</section>`
}

function proofSection(claim: CorrectedClaim, proof: InclusionProof): SafeHtml {
  return html`<section aria-labelledby="proof-heading">
<h2 id="proof-heading">Inclusion proof</h2>
<p>This event is leaf ${proof.leafIndex} of the Merkle log (RFC 9162) of ${proof.treeSize} ${proof.treeSize === 1 ? 'event' : 'events'} that the latest signed checkpoint covers. Hash the event’s entry line as SHA-256(0x00 ‖ entry), combine it with each hash of the audit path in turn (SHA-256(0x01 ‖ left ‖ right)), and you reach the checkpoint’s root.</p>
<dl class="facts">
<dt>Leaf index</dt><dd>${proof.leafIndex}</dd>
<dt>Tree size</dt><dd>${proof.treeSize}</dd>
<dt>Leaf hash</dt><dd>${proof.leafHash === null ? html`<span class="muted">not stored</span>` : html`<code class="hash">${proof.leafHash}</code>`}</dd>
<dt>Audit path</dt><dd>${proof.auditPath.length === 0
  ? html`<span class="muted">empty: the leaf is the whole tree</span>`
  : html`<ol class="audit-path">${proof.auditPath.map((hash) => html`<li><code class="hash">${hash}</code></li>`)}</ol>`}</dd>
<dt>Root hash</dt><dd><code class="hash">${proof.rootHash}</code></dd>
<dt>Verifier key</dt><dd><code class="hash">${proof.publicKey}</code></dd>
</dl>
<h3>Signed checkpoint</h3>
<pre class="note">${proof.note}</pre>
<p class="muted">As JSON: <a href="/ledger/entries?start=${claim.position}&amp;end=${claim.position + 1}">the entry line</a>, <a href="/ledger/proofs/inclusion?eventId=${claim.eventId}&amp;treeSize=${proof.treeSize}">the proof</a>, <a href="/ledger/checkpoint">the checkpoint</a>.</p>
</section>`
}

