import { z } from 'zod'

/**
 * The service's configuration, parsed once from the environment. A bad value stops start-up with a
 * message naming the variable.
 */

const tokenList = z
  .string()
  .transform((text, ctx) => {
    const tokens: Array<{ name: string; token: string }> = []
    for (const [index, item] of text.split(',').entries()) {
      const trimmed = item.trim()
      if (trimmed === '') continue
      const colon = trimmed.indexOf(':')
      const name = colon > 0 ? trimmed.slice(0, colon) : ''
      const token = colon > 0 ? trimmed.slice(colon + 1) : ''
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) {
        ctx.addIssue({ code: 'custom', message: `item ${index + 1}: expected name:token with a name of letters, digits, ".", "_" or "-"` })
      } else if (token.length < 16) {
        ctx.addIssue({ code: 'custom', message: `item ${index + 1} (${name}): a token needs at least 16 characters` })
      } else {
        tokens.push({ name, token })
      }
    }
    return tokens
  })

/**
 * Origins as a browser sends them (`scheme://host[:port]`, no path), or `*`. A trailing slash or a path
 * would never equal an Origin header, so it is refused here rather than silently matching nothing.
 */
const originList = z.string().transform((text, ctx) => {
  const origins: string[] = []
  for (const [index, item] of text.split(',').entries()) {
    const origin = item.trim()
    if (origin === '') continue
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      ctx.addIssue({ code: 'custom', message: `item ${index + 1} (${origin}): expected * or an origin such as https://newsroom.example (scheme, host, optional port; no path)` })
    } else {
      origins.push(origin)
    }
  }
  return origins
})

const booleanText = z.enum(['true', 'false']).transform((text) => text === 'true')

export const StoreLocation = z.union([
  z
    .string()
    .regex(/^sqlite:.+$/)
    .transform((text) => ({ kind: 'sqlite' as const, path: text.slice('sqlite:'.length) })),
  z
    .string()
    .regex(/^(esdb|kurrentdb|esdb\+discover|kurrentdb\+discover):\/\/.+$/)
    .transform((text) => ({ kind: 'esdb' as const, connectionString: text })),
], { error: 'expected sqlite:<path>, sqlite::memory: or esdb://host:port?tls=false' })
export type StoreLocation = z.infer<typeof StoreLocation>

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LEDGER_STORE: StoreLocation.default({ kind: 'sqlite', path: './var/ledger.sqlite' }),
  LEDGER_SEED: booleanText.default(true),
  LEDGER_TOKENS: tokenList.default([]),
  LEDGER_READ_TOKENS: tokenList.default([]),
  LEDGER_ORIGIN: z
    .string()
    .regex(/^[^\s+]+$/, 'a signed-note key name: no spaces and no "+"')
    .default('policy-ledger'),
  LEDGER_SIGNING_KEY: z.string().min(1).optional(),
  LEDGER_BODY_LIMIT: z.coerce.number().int().min(1_024).max(1_073_741_824).default(4_194_304),
  LEDGER_WRITE_RATE_LIMIT: z.coerce.number().int().min(0).default(600),
  LEDGER_CORS_ORIGINS: originList.default(['*']),
  LEDGER_RESPONSE_CACHE_BYTES: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(67_108_864),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://127.0.0.1:4318' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LEDGER_READ_MODELS: z.string().min(1).optional(),
  LEDGER_MAX_STREAMS: z.coerce.number().int().min(0).max(1_000_000).default(1_000),
})

export interface Config {
  port: number
  host: string
  store: StoreLocation
  seed: boolean
  writeTokens: Array<{ name: string; token: string }>
  readTokens: Array<{ name: string; token: string }>
  origin: string
  signingKeyPath: string | undefined
  bodyLimit: number
  writeRateLimit: number
  /** Origins allowed to read (`*`: any); writes need one listed explicitly. */
  corsOrigins: string[]
  /** The response cache's size limit in bytes (0: no cache). */
  responseCacheBytes: number
  /** OTLP/HTTP base URL; unset means no tracing at all. */
  otelEndpoint: string | undefined
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /**
   * Where an EventStoreDB replica keeps its copy of the log and its read models (`:memory:` for one
   * that lives only as long as the process). The embedded store keeps them in its own file.
   */
  readModelsPath: string
  /** Concurrent `/changes/stream` connections (503 beyond). */
  maxStreams: number
}

export class ConfigError extends Error {
  readonly code = 'config'
}

/** Unset and empty variables both take the default. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  const parsed = Env.safeParse(present)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`)
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`)
  }
  const env_ = parsed.data
  if (env_.LEDGER_STORE.kind === 'esdb' && env_.LEDGER_SIGNING_KEY === undefined) {
    throw new ConfigError(
      'invalid configuration:\n  LEDGER_SIGNING_KEY: required with an EventStoreDB store, so that every replica signs alike',
    )
  }
  if (env_.LEDGER_STORE.kind === 'sqlite' && env_.LEDGER_READ_MODELS !== undefined && env_.LEDGER_READ_MODELS !== env_.LEDGER_STORE.path) {
    throw new ConfigError(
      'invalid configuration:\n  LEDGER_READ_MODELS: the embedded store keeps its read models in its own file (they commit with the events); leave it unset, or set it to the LEDGER_STORE path',
    )
  }
  const names = new Set<string>()
  for (const { name } of [...env_.LEDGER_TOKENS, ...env_.LEDGER_READ_TOKENS]) {
    if (names.has(name)) throw new ConfigError(`invalid configuration:\n  token name "${name}" is used twice`)
    names.add(name)
  }
  return {
    port: env_.PORT,
    host: env_.HOST,
    store: env_.LEDGER_STORE,
    seed: env_.LEDGER_SEED,
    writeTokens: env_.LEDGER_TOKENS,
    readTokens: env_.LEDGER_READ_TOKENS,
    origin: env_.LEDGER_ORIGIN,
    signingKeyPath: env_.LEDGER_SIGNING_KEY,
    bodyLimit: env_.LEDGER_BODY_LIMIT,
    writeRateLimit: env_.LEDGER_WRITE_RATE_LIMIT,
    corsOrigins: env_.LEDGER_CORS_ORIGINS,
    responseCacheBytes: env_.LEDGER_RESPONSE_CACHE_BYTES,
    otelEndpoint: env_.OTEL_EXPORTER_OTLP_ENDPOINT,
    logLevel: env_.LOG_LEVEL,
    maxStreams: env_.LEDGER_MAX_STREAMS,
    readModelsPath:
      env_.LEDGER_STORE.kind === 'sqlite' ? env_.LEDGER_STORE.path : (env_.LEDGER_READ_MODELS ?? './var/read-models.sqlite'),
  }
}
