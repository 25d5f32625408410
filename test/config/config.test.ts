import t from 'tap'
import { ConfigError, parseConfig } from '../../src/config/config.js'

function refusal(env: Record<string, string>): string {
  try {
    parseConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.message
    throw error
  }
  throw new Error(`accepted ${JSON.stringify(env)}`)
}

t.test('the web-facing variables: defaults as DESIGN.md names them', async (t) => {
  const config = parseConfig({})
  t.same(config.corsOrigins, ['*'], 'LEDGER_CORS_ORIGINS: any origin reads')
  t.equal(config.responseCacheBytes, 67_108_864, 'LEDGER_RESPONSE_CACHE_BYTES: 64 MiB')
  t.equal(config.otelEndpoint, undefined, 'OTEL_EXPORTER_OTLP_ENDPOINT: no tracing')
})

t.test('they parse, and a bad value names its variable', async (t) => {
  const config = parseConfig({
    LEDGER_CORS_ORIGINS: ' https://newsroom.example , http://127.0.0.1:8080,*',
    LEDGER_RESPONSE_CACHE_BYTES: '1048576',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
  })
  t.same(config.corsOrigins, ['https://newsroom.example', 'http://127.0.0.1:8080', '*'])
  t.equal(config.responseCacheBytes, 1_048_576)
  t.equal(config.otelEndpoint, 'http://127.0.0.1:4318')
  t.match(
    refusal({ LEDGER_CORS_ORIGINS: 'https://newsroom.example/' }),
    /LEDGER_CORS_ORIGINS: item 1 .*no path/,
  )
  t.match(refusal({ LEDGER_CORS_ORIGINS: 'newsroom.example' }), /LEDGER_CORS_ORIGINS/)
  t.match(refusal({ LEDGER_RESPONSE_CACHE_BYTES: 'lots' }), /LEDGER_RESPONSE_CACHE_BYTES/)
  t.match(refusal({ LEDGER_RESPONSE_CACHE_BYTES: '-1' }), /LEDGER_RESPONSE_CACHE_BYTES/)
  t.match(
    refusal({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }),
    /OTEL_EXPORTER_OTLP_ENDPOINT: expected an http\(s\) URL/,
  )
})
