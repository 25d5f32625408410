import t from 'tap'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { buildApp } from '../../src/http/app.js'
import { compose } from '../../src/compose.js'
import { parseConfig } from '../../src/config/config.js'
import { pino } from 'pino'
import { testLedger } from '../support/testLedger.js'

t.test('with a span processor, a span per request and per store call, in one trace', async (t) => {
  const config = parseConfig({ LEDGER_STORE: 'sqlite::memory:' })
  const logger = pino({ level: 'silent' })
  const ledger = await compose(config, { logger, seed: true })
  t.teardown(() => ledger.close())
  const exporter = new InMemorySpanExporter()
  const app = await buildApp({
    ...config,
    logger,
    store: ledger.store,
    runner: ledger.runner,
    reader: ledger.reader,
    log: ledger.log,
    recordEvents: ledger.recordEvents,
    clock: () => new Date('2026-11-26T10:00:00.000Z'),
    metrics: ledger.metrics,
    origin: config.origin,
    maxStreams: config.maxStreams,
    commitsAfter: () => [],
    spanProcessor: new SimpleSpanProcessor(exporter),
  })
  t.teardown(() => app.close())
  t.ok(app.hasRequestDecorator('opentelemetry'), '@fastify/otel is registered')
  const response = await app.inject({
    url: '/sources/abcnews-2016-11-17-cities-push-back?content=true',
  })
  t.equal(response.statusCode, 200)
  const spans = exporter.getFinishedSpans()
  const request = spans.find((span) => span.attributes['http.route'] === '/sources/:id')
  t.ok(request, `a request span (${spans.map((span) => span.name).join(', ')})`)
  const query = spans.find((span) => span.name === 'readModels.sourceContent')
  t.ok(query, 'a span for the read-model query')
  t.equal(query?.spanContext().traceId, request?.spanContext().traceId, 'in the request’s trace')
  const [first] = await ledger.store.readAll(0, 1)
  const event = await app.inject({ url: `/events/${first!.id}` })
  t.equal(event.statusCode, 200)
  const byId = exporter.getFinishedSpans().find((span) => span.name === 'store.eventById')
  t.ok(byId, 'a span for the store call')
  const eventRequest = exporter.getFinishedSpans().find((span) => span.attributes['http.route'] === '/events/:id')
  t.equal(byId?.spanContext().traceId, eventRequest?.spanContext().traceId, 'in its request’s trace')
})

t.test('without OTEL_EXPORTER_OTLP_ENDPOINT nothing is traced', async (t) => {
  const ledger = await testLedger()
  t.teardown(() => ledger.close())
  t.notOk(ledger.app.hasRequestDecorator('opentelemetry'), 'no instrumentation at all')
})
