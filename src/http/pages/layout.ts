import { html, raw, type Interpolation, type SafeHtml } from './html.js'
import { stylesheet } from './styles.js'

export interface Crumb {
  label: string
  href?: string
}

export interface LayoutOptions {
  title: string
  /** The page's <h1> and what comes before the content: breadcrumbs, when given. */
  crumbs?: Crumb[]
  body: Interpolation
  /** What the footer says about the log (tree size of the latest checkpoint). */
  treeSize?: number
  /** Atom feeds of the page's subject, linked from its head for feed readers. */
  feeds?: Array<{ href: string; title: string }>
  /** Same-origin scripts that enhance the page; it is complete without them. */
  scripts?: string[]
}

/** The document every page shares: language, viewport, inline style, skip link, landmarks. */
export function layout({ title, crumbs, body, treeSize, feeds = [], scripts = [] }: LayoutOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${title} · policy-ledger</title>
<link rel="icon" href="data:,">
<style>${raw(stylesheet)}</style>
${feeds.map((feed) => html`<link rel="alternate" type="application/atom+xml" href="${feed.href}" title="${feed.title}">
`)}${scripts.map((src) => html`<script src="${src}" defer></script>
`)}</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header class="site">
<div class="inner">
<a class="brand" href="/">policy-ledger</a>
<nav aria-label="Site">
<ul>
<li><a href="/">Jurisdictions</a></li>
<li><a href="/docs">API documentation</a></li>
<li><a href="/ledger/checkpoint">Signed checkpoint</a></li>
</ul>
</nav>
</div>
</header>
${crumbs !== undefined && crumbs.length > 0 && breadcrumbs(crumbs)}
<main id="main" tabindex="-1">
${body}
</main>
<footer class="site">
<div class="inner">
<p>A verifiable, append-only ledger of public policy stances. Every claim cites its source${treeSize !== undefined && html`; the log holds ${treeSize} ${treeSize === 1 ? 'event' : 'events'} under the latest signed checkpoint`}.</p>
</div>
</footer>
</body>
</html>
`
}

function breadcrumbs(crumbs: Crumb[]): SafeHtml {
  return html`<nav class="breadcrumbs inner" aria-label="Breadcrumbs"><ol>${crumbs.map(
    (crumb, index) =>
      html`<li>${
        crumb.href !== undefined && index < crumbs.length - 1
          ? html`<a href="${crumb.href}">${crumb.label}</a>`
          : html`<span aria-current="page">${crumb.label}</span>`
      }</li>`,
  )}</ol></nav>`
}

/** A friendly page for a 404 or any other error a page route meets. */
export function errorPage(status: number, heading: string, detail: string, treeSize?: number): SafeHtml {
  return layout({
    title: heading,
    treeSize,
    body: html`<h1>${heading}</h1>
<p>${detail}</p>
<p class="muted">HTTP status ${status}.</p>
<p><a href="/">Back to the list of jurisdictions</a></p>`,
  })
}
