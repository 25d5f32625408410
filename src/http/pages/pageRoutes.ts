import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type {} from '@fastify/swagger'
import { CalendarDate, EventId, Slug } from '../../../events/index.js'
import { validTimeKey } from '../../../projections/index.js'
import { LedgerError } from '../../errors.js'
import { CursorParam, decodeCursor, encodeCursor, pinnedKnownAt, queryHash } from '../paging.js'
import { checkQuote } from '../../ledger/checkQuote.js'
import { locateQuote } from '../../writeModel/locateQuote.js'
import type { LedgerReader } from '../../readModels/ledgerReader.js'
import type { LedgerLog } from '../../log/ledgerLog.js'
import type { EventStore } from '../../stores/eventStore.js'
import { problemOf, sendProblem, toLedgerError } from '../problems.js'
import { knownAtPositionFor, todayUtc } from '../../readModels/knownAt.js'
import { sourceChain } from './claimParts.js'
import { eventPage, type ArchivedText } from './eventPage.js'
import type { SafeHtml } from './html.js'
import { apiIndex, INDEX_CHANGES, indexPage } from './indexPage.js'
import { liveScript } from './liveScript.js'
import { CLAIMS_A_PAGE, jurisdictionPage } from './jurisdictionPage.js'
import { errorPage } from './layout.js'
import { prefersHtml } from './prefersHtml.js'
import { contentSecurityPolicy, liveSecurityPolicy } from './styles.js'
import { addVary } from '../vary.js'

/** Pages are for people, not the API contract: kept out of the OpenAPI document. */
const hidden = { schema: { hide: true } }

function sendPage(reply: FastifyReply, page: SafeHtml, status = 200, policy = contentSecurityPolicy): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('Content-Security-Policy', policy)
    .header('X-Content-Type-Options', 'nosniff')
    .send(page.value)
}

/** `?asOf=` as the date form sends it: empty or absent means today; anything else must be a day. */
function asOfQuery(request: FastifyRequest, today: string): { asOf: string; invalid?: string } {
  const value = (request.query as Record<string, unknown> | undefined)?.asOf
  if (value === undefined || value === '') return { asOf: today }
  const text = Array.isArray(value) ? value.join(',') : String(value)
  return CalendarDate.safeParse(text).success ? { asOf: text } : { asOf: today, invalid: text.slice(0, 100) }
}

function wantsPage(request: FastifyRequest): boolean {
  return request.url.startsWith('/ui/') || prefersHtml(request.headers.accept)
}

/**
 * Server-rendered pages for people: `GET /` (for a browser; JSON links for anyone else), a
 * jurisdiction's timeline, and one claim's provenance. No request leaves the service; the one script
 * (the index page's live list of changes) is served from here and the page is whole without it.
 */
export interface PageRouteDeps {
  store: Pick<EventStore, 'head' | 'eventById'>
  reader: LedgerReader
  runner: { readonly size: number }
  log: Pick<LedgerLog, 'latest' | 'tree'>
  clock: () => Date
}

export function pageRoutes(context: PageRouteDeps): FastifyPluginAsync {
  return async (fastify) => {
    const treeSize = () => context.log.latest()?.treeSize

    function notFound(reply: FastifyReply, heading: string, detail: string): FastifyReply {
      return sendPage(reply, errorPage(404, heading, detail, treeSize()), 404)
    }

    fastify.setErrorHandler((error, request, reply) => {
      const ledgerError = toLedgerError(error as Error, request)
      if (ledgerError.code === 'internal') request.log.error({ err: error }, 'request failed')
      if (!wantsPage(request)) return sendProblem(reply, ledgerError)
      const problem = problemOf(ledgerError)
      if (problem.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="policy-ledger"')
      if (ledgerError.extra.retryAfter !== undefined) reply.header('Retry-After', String(ledgerError.extra.retryAfter))
      return sendPage(reply, errorPage(problem.status, problem.title, problem.detail, treeSize()), problem.status)
    })

    fastify.get(
      '/',
      {
        config: { negotiatesHtml: true },
        schema: {
          operationId: 'getIndex',
          summary: 'Where to start',
          description: 'JSON links to the API; a browser (Accept: text/html) gets the readable index of jurisdictions instead.',
        },
      },
      async (request, reply) => {
        addVary(reply, 'Accept')
        if (!prefersHtml(request.headers.accept)) return apiIndex
        const today = todayUtc(context.clock)
        const { asOf, invalid } = asOfQuery(request, today)
        const knownAtPosition = await knownAtPositionFor(context, undefined)
        const list = context.reader.listJurisdictions({ asOf, knownAtPosition })
        const changes = knownAtPosition === null ? [] : context.reader.recordedChanges(undefined, INDEX_CHANGES)
        const page = indexPage({ list, today, treeSize: treeSize(), invalidAsOf: invalid, changes })
        return sendPage(reply, page, invalid === undefined ? 200 : 400, liveSecurityPolicy)
      },
    )

    await fastify.register(
      async (ui) => {
        ui.setNotFoundHandler((request, reply) =>
          notFound(reply, 'Page not found', `There is no page at ${request.url.split('?')[0]}.`),
        )

        ui.get('/live.js', hidden, async (_request, reply) =>
          reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'public, max-age=300').header('X-Content-Type-Options', 'nosniff').send(liveScript),
        )

        ui.get('/jurisdictions/:id', hidden, async (request, reply) => {
          const { id } = request.params as { id: string }
          const { reader } = context
          const jurisdiction = Slug.safeParse(id).success ? reader.jurisdictionOf(id) : null
          if (jurisdiction === null) {
            return notFound(reply, 'No such jurisdiction', `No jurisdiction “${id}” is registered in the ledger.`)
          }
          const today = todayUtc(context.clock)
          const { asOf, invalid } = asOfQuery(request, today)
          const hash = queryHash(`ui history ${id}`, {})
          const before = (request.query as { before?: unknown }).before
          const cursor = typeof before === 'string' && CursorParam.safeParse(before).success ? decodeCursor(before, hash) : undefined
          const knownAtPosition = await knownAtPositionFor(context, pinnedKnownAt(cursor))
          const [key, position] = (cursor?.a as [number, number] | undefined) ?? []
          const history = reader.historyOf(
            id,
            { knownAtPosition },
            { after: key === undefined ? undefined : { key, position: position! }, limit: CLAIMS_A_PAGE + 1 },
            'desc',
          )
          const claims = history.claims.slice(0, CLAIMS_A_PAGE)
          const last = claims.at(-1)
          const earlier =
            history.claims.length > CLAIMS_A_PAGE && last !== undefined
              ? `/ui/jurisdictions/${id}?before=${encodeCursor({ q: hash, k: knownAtPosition ?? -1, a: [validTimeKey(last.on), last.position] })}${asOf !== today ? `&asOf=${asOf}` : ''}#timeline-heading`
              : undefined
          const page = jurisdictionPage({
            reader,
            jurisdiction,
            asOf,
            today,
            knownAtPosition,
            treeSize: treeSize(),
            invalidAsOf: invalid,
            claims,
            ...(earlier === undefined ? {} : { earlier }),
            paged: cursor !== undefined,
          })
          return sendPage(reply, page, invalid === undefined ? 200 : 400)
        })

        ui.get('/events/:id', hidden, async (request, reply) => {
          const { id } = request.params as { id: string }
          if (!EventId.safeParse(id).success) {
            return notFound(reply, 'No such claim', `“${id}” is not an event id (a UUID).`)
          }
          const checkpoint = context.log.latest()
          if (checkpoint === undefined) throw new LedgerError('not_ready', 'no checkpoint is signed yet')
          const { reader } = context
          const claim = reader.correctedClaim(id, checkpoint.treeSize - 1)
          if (claim === null) {
            const stored = await context.store.eventById(id)
            return stored === undefined || stored.position >= checkpoint.treeSize
              ? notFound(reply, 'No such claim', `No event ${id} is in the ledger under the latest checkpoint.`)
              : notFound(reply, 'Not a claim', `Event ${id} is a ${stored.type}, not a claim; its record is at /events/${id}.`)
          }
          const quote = claim.corrected.quote
          const quoteCheck = quote === undefined ? null : checkQuote(reader, claim.corrected.sourceId, quote)
          let archived: ArchivedText | null = null
          if (quote !== undefined && quoteCheck !== null && quoteCheck.checkedAgainst !== null) {
            const content = reader.sourceContent(quoteCheck.checkedAgainst)
            if (content !== undefined) {
              const location = locateQuote(content, quote)
              archived = {
                sourceId: quoteCheck.checkedAgainst,
                content,
                at: location.found ? { start: location.start, end: location.end } : null,
              }
            }
          }
          const stored = await context.store.eventById(id)
          const page = eventPage({
            claim,
            jurisdiction: reader.jurisdictionOf(claim.jurisdictionId),
            chain: sourceChain(reader, claim.corrected.sourceId),
            quoteCheck,
            archived,
            proof: {
              leafIndex: claim.position,
              treeSize: checkpoint.treeSize,
              auditPath: context.log.tree.inclusionProof(claim.position, checkpoint.treeSize).map((hash) => hash.toString('hex')),
              rootHash: checkpoint.rootHash,
              note: checkpoint.note,
              publicKey: checkpoint.publicKey,
              leafHash: stored?.leafHash.toString('hex') ?? null,
            },
          })
          return sendPage(reply, page)
        })
      },
      { prefix: '/ui' },
    )
  }
}
