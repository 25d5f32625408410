import { allowedValues, type Actor, type ClaimChanges, type Quote, type Role, type Stance } from '../../../events/index.js'
import type { ClaimStatus, SourceRecord } from '../../../projections/index.js'
import type { SourceLookup } from '../../ledger/checkQuote.js'
import { externalHref, html, type SafeHtml } from './html.js'
import { partialDateLabel, timestampTime, typeLabel, valueTag, words } from './labels.js'

/** Pieces of a claim that the timeline and the provenance page both show. */

export function statusBadge(status: ClaimStatus): SafeHtml {
  return html`<span class="badge ${status}">${status}</span>`
}

export function roleBadge(role: Role): SafeHtml | null {
  return role === 'third-party'
    ? html`<span class="badge third-party" title="a characterisation by someone else: shown in history, never counted in the stance">third party</span>`
    : null
}

/** A policy's title, or what kind of claim it is and whose. */
export function claimHeading(type: string, data: { title?: string; actor: Actor }): string {
  if (data.title !== undefined) return data.title
  return `${type === 'StatementMade' ? 'Statement' : typeLabel(type)} by ${data.actor.name}`
}

export function actorText(actor: Actor): string {
  return actor.office === undefined ? actor.name : `${actor.name}, ${actor.office}`
}

export function stancesList(stances: readonly Stance[]): SafeHtml {
  if (stances.length === 0) return html`<p class="muted">Asserts no stance.</p>`
  return html`<ul class="stances" aria-label="Stances asserted">${stances.map(
    ({ dimension, value }) => html`<li>${words(dimension)}: ${valueTag(allowedValues(dimension), value)}</li>`,
  )}</ul>`
}

export function quoteBlock(quote: Quote | undefined, cite: string | undefined): SafeHtml | null {
  if (quote === undefined) return null
  return html`<blockquote${cite !== undefined && html` cite="${cite}"`}><p>${quote.exact}</p></blockquote>`
}

/** The sources from `sourceId` along `via`, as registered (a cycle or a missing source ends it). */
export function sourceChain(sources: SourceLookup, sourceId: string): SourceRecord[] {
  const chain: SourceRecord[] = []
  const seen = new Set<string>()
  for (let id: string | undefined = sourceId; id !== undefined && !seen.has(id); ) {
    seen.add(id)
    const source = sources.sourceOf(id)
    if (source === null) break
    chain.push(source)
    id = source.via
  }
  return chain
}

/** The first http(s) address along the chain: where a reader can check the quote. */
export function firstUrl(chain: readonly SourceRecord[]): string | undefined {
  for (const source of chain) {
    const href = externalHref(source.url)
    if (href !== undefined) return href
  }
  return undefined
}

/** One source: its title (linked to its address when it has one), publisher, date, and its record. */
export function sourceLine(source: SourceRecord): SafeHtml {
  const href = externalHref(source.url)
  return html`${href === undefined ? html`<cite>${source.title}</cite>` : html`<a href="${href}" rel="noreferrer"><cite>${source.title}</cite></a>`}, ${source.publisher}, ${partialDateLabel(source.publishedOn)} <span class="muted">(${words(source.kind.replaceAll('-', '_'))}; <a href="/sources/${source.sourceId}">source record</a>)</span>`
}

/** The source and the outlets that report it: "X, reported by Y". */
export function sourceChainLine(sources: SourceLookup, sourceId: string): SafeHtml {
  const chain = sourceChain(sources, sourceId)
  if (chain.length === 0) return html`<code>${sourceId}</code> <span class="muted">(not registered)</span>`
  return html`${sourceLine(chain[0]!)}${chain.slice(1).map((source) => html`; reported by ${sourceLine(source)}`)}`
}

function changeValue(field: string, changes: ClaimChanges): SafeHtml {
  switch (field) {
    case 'on':
      return html`${partialDateLabel(changes.on!)}`
    case 'stances':
      return stancesList(changes.stances!)
    case 'actor':
      return html`${actorText(changes.actor!)}${changes.actor!.role === 'third-party' && ' (third party)'}`
    case 'quote':
      return html`“${changes.quote!.exact}”`
    case 'sourceId':
      return html`<a href="/sources/${changes.sourceId!}"><code>${changes.sourceId!}</code></a>`
    default:
      return html`${String((changes as Record<string, unknown>)[field])}`
  }
}

/** What a correction changed, field by field. */
export function changesList(changes: ClaimChanges): SafeHtml {
  return html`<ul>${Object.keys(changes).map(
    (field) => html`<li><strong>${words(field === 'sourceId' ? 'source' : field === 'on' ? 'date' : field === 'dateBasis' ? 'date_basis' : field)}</strong>: ${changeValue(field, changes)}</li>`,
  )}</ul>`
}

interface CorrectionLike {
  eventId: string
  recordedAt: string
  recordedBy: string
  reason: string
  evidenceSourceId?: string
  changes?: ClaimChanges
}

function evidence(record: CorrectionLike): SafeHtml | null {
  return record.evidenceSourceId === undefined
    ? null
    : html` Evidence: <a href="/sources/${record.evidenceSourceId}"><code>${record.evidenceSourceId}</code></a>.`
}

/** The corrections and the retraction of a claim, each with its reason. */
export function correctionsBlock(corrections: readonly CorrectionLike[], retraction: CorrectionLike | null): SafeHtml {
  return html`${corrections.length > 0 && html`<div class="changes">
<p><strong>Corrected ${corrections.length === 1 ? 'once' : `${corrections.length} times`}</strong></p>
<ol>${corrections.map(
  (correction) => html`<li>${timestampTime(correction.recordedAt)} by ${correction.recordedBy}: ${correction.reason}${evidence(correction)}${correction.changes !== undefined && html` Changed:${changesList(correction.changes)}`}</li>`,
)}</ol>
</div>`}${retraction !== null && html`<div class="changes retraction">
<p><strong>Retracted</strong> ${timestampTime(retraction.recordedAt)} by ${retraction.recordedBy}: ${retraction.reason}${evidence(retraction)} It no longer counts toward any stance.</p>
</div>`}`
}

