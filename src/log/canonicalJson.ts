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

/** The fast path: no paths kept; on any problem it gives up and the slow path names where. */
function fast(value: unknown): string {
  switch (typeof value) {
    case 'string':
      if (loneSurrogate.test(value)) throw notFast
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw notFast
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (Array.isArray(value)) {
        let out = '['
        for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + fast(value[i])
        return out + ']'
      }
      const record = value as Record<string, unknown>
      const keys = Object.keys(record).sort()
      let out = '{'
      let first = true
      for (const key of keys) {
        const member = record[key]
        if (member === undefined) continue
        if (loneSurrogate.test(key)) throw notFast
        out += (first ? '' : ',') + JSON.stringify(key) + ':' + fast(member)
        first = false
      }
      return out + '}'
    }
    default:
      throw notFast
  }
}

const notFast = new Error('not canonicalisable')

/** The slow path, only to say where the value that cannot be canonicalised is. */
function locate(value: unknown, path: string): never {
  if (typeof value === 'number') throw new NotCanonicalisable('numbers must be finite', path)
  if (typeof value === 'string') {
    throw new NotCanonicalisable('strings must not contain lone surrogates (not valid Unicode)', path)
  }
  if (typeof value === 'object' && value !== null) {
    const entries: Array<[string, unknown]> = Array.isArray(value)
      ? value.map((item, index) => [String(index), item])
      : Object.entries(value).filter(([, member]) => member !== undefined)
    for (const [key, member] of entries) {
      const memberPath = `${path}/${pointerToken(key)}`
      if (!Array.isArray(value) && loneSurrogate.test(key)) locate(key, memberPath)
      try {
        fast(member)
      } catch {
        locate(member, memberPath)
      }
    }
  }
  throw new NotCanonicalisable(`a ${typeof value} cannot be represented in JSON`, path)
}

export function canonicalJson(value: unknown): string {
  try {
    return fast(value)
  } catch (error) {
    if (error !== notFast) throw error
    return locate(value, '')
  }
}
