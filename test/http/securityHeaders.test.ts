import t from 'tap'
import helmet from '@fastify/helmet'
import Fastify from 'fastify'
import { securityHeaderBlock, securityHeaders } from '../../src/http/plugins/securityHeaders.js'

/** The block set once per request is what @fastify/helmet's defaults set, header for header. */
t.test("the security headers are helmet's defaults, and the API's own policy", async (t) => {
  const withHelmet = Fastify()
  await withHelmet.register(helmet, { crossOriginResourcePolicy: false, contentSecurityPolicy: false })
  withHelmet.get('/', async () => ({ ok: true }))
  const theirs = (await withHelmet.inject({ url: '/' })).headers
  const ours = Fastify()
  await ours.register(securityHeaders)
  ours.get('/', async () => ({ ok: true }))
  const mine = (await ours.inject({ url: '/' })).headers
  const security = (headers: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'content-security-policy'].includes(name)))
  t.strictSame(security(mine), security(theirs), 'every header helmet sets, with its value, and no other')
  t.equal(mine['content-security-policy'], securityHeaderBlock['content-security-policy'])
  t.match(mine['content-security-policy'], /frame-ancestors 'none'/)
  await withHelmet.close()
  await ours.close()
})
