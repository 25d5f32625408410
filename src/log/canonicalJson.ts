/**
 * RFC 8785 JSON Canonicalization Scheme. ECMAScript's own number and string serialisation is what the
 * RFC specifies, so primitives go through JSON.stringify; object keys are sorted by UTF-16 code units,
 * which is what Array.prototype.sort does to strings.
 */
export class NotCanonicalisable extends Error {
  readonly code = 'not_canonicalisable'
  constructor(
    message: string,
    /** JSON Pointer of the offending value. */
    readonly path: string,
  ) {
    super(message)
  }
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function pointerToken(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1')
}

function serialise(value: unknown, path: string): string {
  if (value === null || typeof value === 'boolean') return String(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotCanonicalisable('numbers must be finite', path)
    return JSON.stringify(value)
  }
  if (typeof value === 'string') {
    if (loneSurrogate.test(value)) {
      throw new NotCanonicalisable('strings must not contain lone surrogates (not valid Unicode)', path)
    }
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, index) => serialise(item, `${path}/${index}`)).join(',')}]`
  }
  if (typeof value === 'object') {
    const members: string[] = []
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key]
      if (member === undefined) continue
      const memberPath = `${path}/${pointerToken(key)}`
      members.push(`${serialise(key, memberPath)}:${serialise(member, memberPath)}`)
    }
    return `{${members.join(',')}}`
  }
  throw new NotCanonicalisable(`a ${typeof value} cannot be represented in JSON`, path)
}

export function canonicalJson(value: unknown): string {
  return serialise(value, '')
}
