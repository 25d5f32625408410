/**
 * Whether a request's Accept header asks for a page rather than JSON: `text/html` must be named
 * explicitly (a wildcard is not a browser) and rank at least as high as JSON does. Browsers send
 * `text/html,…,*\/*;q=0.8`; curl sends `*\/*`; API clients send `application/json`.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false
  let html = 0
  let json = 0
  let jsonSpecificity = -1
  for (const range of accept.split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase())
    const qParameter = parameters.find((parameter) => parameter.startsWith('q='))
    const q = qParameter === undefined ? 1 : Number(qParameter.slice(2))
    if (!Number.isFinite(q)) continue
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q)
    const specificity = type === 'application/json' ? 2 : type === 'application/*' ? 1 : type === '*/*' ? 0 : -1
    if (specificity > jsonSpecificity) {
      jsonSpecificity = specificity
      json = q
    }
  }
  return html > 0 && html >= json
}
