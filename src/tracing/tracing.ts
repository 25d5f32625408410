import { context, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api'
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base'

/**
 * OpenTelemetry, loaded only when asked for (OTEL_EXPORTER_OTLP_ENDPOINT, or a processor a test
 * passes): otherwise nothing of it is imported, no request pays for it, and undefined comes back.
 */
export async function startTracing(options: {
  otelEndpoint?: string
  spanProcessor?: SpanProcessor
}) {
  const spanProcessor =
    options.spanProcessor ??
    (options.otelEndpoint === undefined ? undefined : await otlpSpanProcessor(options.otelEndpoint))
  if (spanProcessor === undefined) return undefined
  const [
    { BasicTracerProvider },
    { AsyncLocalStorageContextManager },
    { FastifyOtelInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/context-async-hooks'),
    import('@fastify/otel'),
  ])
  // a span started in a handler (a store call) finds its request's span through async context;
  // the first manager set in the process wins, so a second app shares it
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  const provider = new BasicTracerProvider({ spanProcessors: [spanProcessor] })
  const instrumentation = new FastifyOtelInstrumentation()
  instrumentation.setTracerProvider(provider)
  return {
    tracer: provider.getTracer('policy-ledger'),
    plugin: instrumentation.plugin(),
    shutdown: () => provider.shutdown(),
  }
}

/** The OTLP/HTTP exporter for OTEL_EXPORTER_OTLP_ENDPOINT, batching as the SDK recommends. */
export async function otlpSpanProcessor(endpoint: string): Promise<SpanProcessor> {
  const [{ BatchSpanProcessor }, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ])
  // the variable names the collector's base URL; traces go to /v1/traces under it (OTLP spec)
  return new BatchSpanProcessor(
    new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }),
  )
}

/** The store with a span around each call (`store.readAll`, …), as a child of the request's span. */
export function tracedStore<S extends object>(store: S, tracer: Tracer): S {
  return withSpans(store, tracer, 'store', async (span, call) => {
    try {
      return await call()
    } catch (error) {
      return failed(span, error)
    } finally {
      span.end()
    }
  })
}

/** The read models' queries with a span around each (`readModels.stanceAnswer`, …); they are synchronous. */
export function tracedReader<R extends object>(reader: R, tracer: Tracer): R {
  return withSpans(reader, tracer, 'readModels', (span, call) => {
    try {
      return call()
    } catch (error) {
      return failed(span, error)
    } finally {
      span.end()
    }
  })
}

/**
 * `target` with each method call run by `around` inside a span `<prefix>.<method>`; `around` ends
 * the span, when the call is over (a store's calls are over when their promise settles).
 */
function withSpans<T extends object>(
  target: T,
  tracer: Tracer,
  prefix: string,
  around: (span: Span, call: () => unknown) => unknown,
): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown
      if (typeof value !== 'function' || typeof property !== 'string') return value
      return (...args: unknown[]) =>
        tracer.startActiveSpan(`${prefix}.${property}`, (span) =>
          around(span, () => (value as (...a: unknown[]) => unknown).apply(object, args)),
        )
    },
  })
}

function failed(span: Span, error: unknown): never {
  span.recordException(error as Error)
  span.setStatus({ code: SpanStatusCode.ERROR })
  throw error
}
