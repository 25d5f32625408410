/**
 * The ceiling the ledger's reads are compared with: a bare fastify app (no plugins, no hooks, no
 * validation) answering each URL with a constant JSON body, the exact bytes the ledger answered for it.
 * Run by bench/run.ts as a child process: BENCH_BODIES names a JSON file `{ "<url>": "<body>" }`.
 */
import Fastify from 'fastify'
import { readFileSync } from 'node:fs'

const bodies = new Map(Object.entries(JSON.parse(readFileSync(process.env.BENCH_BODIES!, 'utf8')) as Record<string, string>))
const app = Fastify({ logger: false })

app.get('/__ready', async () => ({ ok: true }))
app.get('/*', async (request, reply) => {
  const body = bodies.get(request.url)
  reply.type('application/json; charset=utf-8')
  if (body === undefined) {
    reply.code(404)
    return '{"status":404}'
  }
  return body
})

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
const stop = () => void app.close().then(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
