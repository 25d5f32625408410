import { createHash } from 'node:crypto'

/**
 * The one stylesheet, inlined in every page (no request for it, nothing from outside). Colours are
 * chosen for at least 4.5:1 contrast against their backgrounds; focus is always visible.
 */
export const stylesheet = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --line: #c8c8c8; --link: #0b57d0; --focus: #0b57d0; --paper: #fff; --panel: #f6f7f9; }
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--paper); color: var(--ink); font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif; overflow-wrap: break-word; }
a { color: var(--link); text-underline-offset: 0.15em; }
a:visited { color: #6a1b9a; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.skip { position: absolute; left: 0.5rem; top: -3rem; background: var(--ink); color: #fff; padding: 0.5rem 0.75rem; z-index: 10; }
.skip:focus { top: 0.5rem; color: #fff; }
header.site, footer.site { background: #14213d; color: #fff; }
header.site a, footer.site a { color: #fff; }
header.site .inner, footer.site .inner { display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; align-items: baseline; }
header.site .brand { font-weight: 700; font-size: 1.1rem; text-decoration: none; }
header.site nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; list-style: none; margin: 0; padding: 0; }
header.site :focus-visible, footer.site :focus-visible { outline-color: #ffd166; }
footer.site { margin-top: 3rem; font-size: 0.9rem; }
.inner { max-width: 72rem; margin: 0 auto; padding: 0.75rem 1rem; }
main { display: block; max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
main:focus { outline: none; }
h1 { font-size: 1.8rem; line-height: 1.2; margin: 1.25rem 0 0.5rem; }
h2 { font-size: 1.35rem; line-height: 1.25; margin: 2rem 0 0.75rem; border-bottom: 2px solid var(--line); padding-bottom: 0.25rem; }
h3 { font-size: 1.1rem; line-height: 1.3; margin: 0 0 0.35rem; }
section > h3 { margin-top: 1.25rem; }
.lede, .muted, .precision { color: var(--muted); }
.breadcrumbs ol { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem; margin: 1rem 0 0; padding: 0; font-size: 0.95rem; }
.breadcrumbs li + li::before { content: "›"; margin-right: 0.25rem; color: var(--muted); }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
.hash, .url { overflow-wrap: anywhere; word-break: break-all; }
.scroll { overflow-x: auto; max-width: 100%; }
.scroll:focus-visible { outline-offset: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.6rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--panel); font-size: 0.9rem; }
table.matrix { font-size: 0.95rem; }
table.matrix th[scope=col] { min-width: 6rem; vertical-align: bottom; }
table.matrix th[scope=row] { min-width: 9rem; }
table.matrix th[scope=row] .muted { font-weight: 400; }
table.matrix th, table.matrix td { padding: 0.4rem 0.4rem; }
.value { display: inline-block; padding: 0.05rem 0.45rem; border-radius: 0.3rem; border: 1px solid #7a8ca3; color: var(--ink); }
.value.level-0 { background: #eef4fb; }
.value.level-1 { background: #dbe8f6; }
.value.level-2 { background: #c6daf1; }
.value.level-3 { background: #b0cbea; }
.value.level-4 { background: #9bbde3; }
.value.unknown { background: transparent; border: 1px dashed #8a8a8a; color: var(--muted); font-style: italic; }
.support.statement { font-size: 0.75rem; font-style: italic; color: #6b4e00; border-bottom: 1px dotted #6b4e00; white-space: nowrap; }
.badge { display: inline-block; font-size: 0.8rem; font-weight: 600; letter-spacing: 0.02em; padding: 0.05rem 0.45rem; border-radius: 1rem; border: 1px solid currentColor; text-transform: uppercase; }
.badge.active { color: #1e6b2e; background: #e8f5ec; }
.badge.corrected { color: #7a4100; background: #fff3df; }
.badge.retracted { color: #a1121b; background: #fde9ea; }
.badge.third-party { color: #4a2f8f; background: #f0ebfc; }
.badge.verified { color: #1e6b2e; background: #e8f5ec; }
.badge.unverified { color: #a1121b; background: #fde9ea; }
.badge.unchecked { color: #555; background: #f2f2f2; }
form.as-of { display: flex; flex-wrap: wrap; gap: 0.5rem 0.75rem; align-items: flex-end; background: var(--panel); border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.75rem 1rem; margin: 0.5rem 0 1rem; }
form.as-of label { display: block; font-weight: 600; }
form.as-of .field { display: flex; flex-direction: column; gap: 0.25rem; }
input, button { font: inherit; }
input[type=date] { padding: 0.35rem 0.5rem; border: 1px solid #767676; border-radius: 0.3rem; background: #fff; color: var(--ink); min-height: 2.5rem; }
input[aria-invalid=true] { border: 2px solid #a1121b; }
button { padding: 0.4rem 1rem; min-height: 2.5rem; border-radius: 0.3rem; border: 1px solid #0b57d0; background: #0b57d0; color: #fff; cursor: pointer; }
button:hover { background: #0842a0; }
.error { color: #a1121b; font-weight: 600; margin: 0; }
ol.timeline { list-style: none; margin: 0; padding: 0; border-left: 3px solid var(--line); }
ol.timeline > li { position: relative; margin: 0 0 1.25rem; padding: 0 0 0 1rem; }
ol.timeline > li::before { content: ""; position: absolute; left: -0.5rem; top: 0.55rem; width: 0.8rem; height: 0.8rem; border-radius: 50%; background: #14213d; border: 2px solid #fff; }
article.claim { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.75rem 1rem; background: #fff; }
article.claim.third-party { background: #fbfaff; border-style: dashed; }
.claim.retracted .claimed { text-decoration: line-through; text-decoration-thickness: 2px; color: #444; }
.claim-meta { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; align-items: center; margin: 0 0 0.35rem; font-size: 0.95rem; }
.claim-meta .when { font-weight: 600; }
blockquote { margin: 0.75rem 0; padding: 0.5rem 0.9rem; border-left: 4px solid #7a8ca3; background: var(--panel); }
blockquote p { margin: 0; }
dl.facts { display: grid; grid-template-columns: minmax(7rem, max-content) 1fr; gap: 0.25rem 1rem; margin: 0.5rem 0; }
dl.facts dt { font-weight: 600; color: var(--muted); }
dl.facts dd { margin: 0; min-width: 0; }
@media (max-width: 36rem) {
  dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: 0.4rem; }
  ol.timeline > li { padding-left: 0.6rem; }
  article.claim { padding: 0.6rem 0.7rem; }
  blockquote { margin: 0.5rem 0; padding: 0.4rem 0.6rem; }
  h1 { font-size: 1.55rem; }
  /* the stance table stacks: one block per dimension, each cell labelled */
  table.stance thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stance, table.stance tbody, table.stance caption { display: block; }
  table.stance tr { display: grid; grid-template-columns: 1fr auto; gap: 0.15rem 0.75rem; padding: 0.5rem 0; border-bottom: 1px solid var(--line); }
  table.stance th, table.stance td { display: block; border: 0; padding: 0; }
  table.stance td[data-label] { grid-column: 1 / -1; font-size: 0.9rem; }
  table.stance td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
}
ul.stances { list-style: none; padding: 0; margin: 0.25rem 0; display: flex; flex-wrap: wrap; gap: 0.35rem 0.75rem; }
.changes { margin: 0.5rem 0 0; padding: 0.5rem 0.75rem; border-left: 4px solid #b36b00; background: #fffaf0; }
.changes.retraction { border-left-color: #a1121b; background: #fff5f5; }
.changes ul { margin: 0.25rem 0; padding-left: 1.25rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 32rem), 1fr)); gap: 0.5rem 2rem; }
figure.chart { margin: 0 0 1.5rem; min-width: 0; }
figure.chart figcaption { font-weight: 600; margin-bottom: 0.25rem; }
figure.chart svg { display: block; width: 100%; max-width: 540px; min-width: 27rem; height: auto; }
figure.chart table { font-size: 0.9rem; }
.source-text { white-space: pre-wrap; font-family: Georgia, "Times New Roman", serif; background: var(--panel); border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.75rem 1rem; max-width: 100%; }
mark { background: #ffe066; color: var(--ink); padding: 0 0.1em; box-shadow: 0 0 0 1px #c99a00; }
details { margin: 0.75rem 0; }
summary { cursor: pointer; font-weight: 600; }
ol.audit-path { padding-left: 2rem; }
pre.note { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--panel); border: 1px solid var(--line); padding: 0.5rem 0.75rem; border-radius: 0.3rem; }
.cards { list-style: none; padding: 0; display: grid; gap: 0.75rem; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); }
.cards li { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.6rem 0.8rem; }
ol.chain { list-style: none; padding: 0; margin: 0; }
ol.chain > li { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.6rem 1rem; margin: 0 0 0.75rem; }
ol.chain > li > p { margin: 0.25rem 0; }
ol.change-list { padding-left: 1.25rem; }
ol.change-list > li { margin: 0.35rem 0; }
ol.change-list > li.live { background: #fff8d6; }
ol.change-list .when { color: var(--muted); font-variant-numeric: tabular-nums; }
td.stale .value { opacity: 0.55; }
.live-note { font-size: 0.8rem; color: #6b4e00; }
.live-status { font-weight: 600; }
`

const pagePolicy = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(stylesheet).digest('base64')}'`,
  'img-src data:',
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
]

/** Inline style is allowed by its hash only; no script may run and nothing loads from elsewhere. */
export const contentSecurityPolicy = pagePolicy.join('; ')

/** The index page's: the same, and the one same-origin script with the change stream it follows. */
export const liveSecurityPolicy = [...pagePolicy, "script-src 'self'", "connect-src 'self'"].join('; ')
