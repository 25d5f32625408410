/**
 * A small Atom (RFC 4287) writer: the feed's own elements and one entry per item, everything escaped.
 * Tested by parsing its output back (test/http/changes.test.ts).
 */

export interface AtomEntry {
  id: string
  title: string
  updated: string
  /** The alternate link: a page a reader opens. */
  link: string
  summary: string
  categories?: readonly string[]
}

export interface AtomFeed {
  id: string
  title: string
  /** The feed's own URL (rel="self") and the page it belongs to (rel="alternate"). */
  self: string
  alternate: string
  updated: string
  author: string
  entries: readonly AtomEntry[]
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }

export function xmlEscape(text: string): string {
  // control characters other than tab and newlines are not allowed in XML 1.0 at all
  // eslint-disable-next-line no-control-regex -- removing them is the point
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => escapes[c]!)
}

export function atomFeed(feed: AtomFeed): string {
  const e = xmlEscape
  const entries = feed.entries.map(
    (entry) => `  <entry>
    <id>${e(entry.id)}</id>
    <title>${e(entry.title)}</title>
    <updated>${e(entry.updated)}</updated>
    <link rel="alternate" type="text/html" href="${e(entry.link)}"/>
${(entry.categories ?? []).map((term) => `    <category term="${e(term)}"/>\n`).join('')}    <summary>${e(entry.summary)}</summary>
  </entry>
`,
  )
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${e(feed.id)}</id>
  <title>${e(feed.title)}</title>
  <updated>${e(feed.updated)}</updated>
  <link rel="self" type="application/atom+xml" href="${e(feed.self)}"/>
  <link rel="alternate" type="text/html" href="${e(feed.alternate)}"/>
  <author><name>${e(feed.author)}</name></author>
${entries.join('')}</feed>
`
}
