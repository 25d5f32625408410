import { allowedValues } from '../../../events/index.js'
import type { RecordedChange, ValidTimeChange } from '../../../projections/index.js'
import { html, type SafeHtml } from './html.js'
import { partialDateTime, timestampTime, valueTag, words } from './labels.js'

/** What a change page part says: a value moving from `before` to `after`, and the claim that did it. */
function move(change: ValidTimeChange): SafeHtml {
  const values = allowedValues(change.dimension)
  return html`${valueTag(values, change.before)} → ${valueTag(values, change.after)}${change.support === 'statement' && html` <span class="support statement" title="the claim that made the change is a statement, not an enacted policy">words only</span>`}`
}

/** A jurisdiction's changes in valid time, as a table: when, which dimension, from what to what, by which claim. */
export function changesTable(changes: readonly ValidTimeChange[], caption: string): SafeHtml {
  return html`<div class="scroll" tabindex="0" role="group" aria-labelledby="changes-caption">
<table class="change-table">
<caption id="changes-caption">${caption}</caption>
<thead><tr><th scope="col">On</th><th scope="col">Dimension</th><th scope="col">Change</th><th scope="col">Claim</th></tr></thead>
<tbody>
${changes.map(
  (change) =>
    html`<tr data-dimension="${change.dimension}"><td data-label="On">${partialDateTime(change.on)}${change.uncertain && html` <span class="muted">(some day in it)</span>`}</td><th scope="row">${words(change.dimension)}</th><td data-label="Change">${move(change)}</td><td data-label="Claim"><a href="/ui/events/${change.eventId}">provenance<span class="visually-hidden"> of the ${words(change.dimension)} change on ${change.on}</span></a></td></tr>`,
)}
</tbody>
</table>
</div>`
}

/** The latest recorded changes across jurisdictions, newest recorded first: the index page's list. */
export function recordedChangesList(changes: readonly RecordedChange[], nameOf: (jurisdictionId: string) => string): SafeHtml {
  return html`<ol class="change-list" id="live-changes">
${changes.map(
  (change) =>
    html`<li data-position="${change.position}"><span class="when">${timestampTime(change.recordedAt)}</span> <a href="/ui/jurisdictions/${change.jurisdictionId}">${nameOf(change.jurisdictionId)}</a>, ${words(change.dimension)}: ${move(change)} from ${partialDateTime(change.on)} · <a href="/ui/events/${change.eventId}">the claim</a></li>`,
)}
</ol>`
}
