import { html, type SafeHtml } from './html.js'

/**
 * The form that picks the day in valid time a page shows (`?asOf=`), and the error for an asOf that
 * is not a date. `shown` names what is shown on that day: "stances", "stance".
 */
export function asOfForm(input: {
  action: string
  asOf: string
  invalidAsOf: string | undefined
  shown: string
  hint: string
}): SafeHtml {
  const { action, asOf, invalidAsOf, shown, hint } = input
  return html`<form class="as-of" method="get" action="${action}">
<div class="field">
<label for="asOf">Show the ${shown} on</label>
<input type="date" id="asOf" name="asOf" value="${asOf}" required aria-describedby="asOf-hint${invalidAsOf !== undefined && ' asOf-error'}"${invalidAsOf !== undefined && html` aria-invalid="true"`}>
</div>
<button type="submit">Show ${shown}</button>
<p id="asOf-hint" class="muted">${hint}</p>
${invalidAsOf !== undefined && html`<p id="asOf-error" class="error" role="alert">“${invalidAsOf}” is not a date (YYYY-MM-DD); showing today instead.</p>`}
</form>`
}
