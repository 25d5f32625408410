/**
 * Markup that is safe to send: built only by `html` (which escapes every interpolated value) or by
 * `raw` (for text the code itself wrote). Keeping it a distinct type means a plain string can never
 * reach a page unescaped.
 */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value
  }
}

/** What a template may interpolate: false, null and undefined render nothing, so `cond && html`…`` works. */
export type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[]

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character]!)
}

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === null || value === undefined || typeof value === 'boolean') return ''
  return escapeHtml(String(value))
}

/** A template whose interpolations are escaped unless they are already SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: readonly Interpolation[]): SafeHtml {
  let out = strings[0]!
  values.forEach((value, index) => {
    out += render(value) + strings[index + 1]!
  })
  return new SafeHtml(out)
}

/** Trusts markup the code wrote itself (the stylesheet); never data. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup)
}

/** An href for an outside link, or undefined when the address is not http(s) (no `javascript:` links). */
export function externalHref(url: string | undefined | null): string | undefined {
  if (url === undefined || url === null) return undefined
  try {
    const protocol = new URL(url).protocol
    return protocol === 'http:' || protocol === 'https:' ? url : undefined
  } catch {
    return undefined
  }
}
