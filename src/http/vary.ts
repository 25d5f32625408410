import type { FastifyReply } from 'fastify'

/**
 * Adds a request header to the answer's `Vary`, keeping what others put there: CORS adds `Origin`,
 * compression `Accept-Encoding`, the index page `Accept`. Setting the header outright would let a shared
 * cache hand one origin's answer (or one encoding's) to another.
 */
export function addVary(reply: FastifyReply, field: string): void {
  const current = reply.getHeader('vary')
  if (current === undefined) {
    reply.header('Vary', field)
    return
  }
  const fields = Array.isArray(current) ? current.join(', ') : String(current)
  const wanted = field.toLowerCase()
  if (fields.trim() === '*' || fields.split(',').some((name) => name.trim().toLowerCase() === wanted)) return
  reply.header('Vary', `${fields}, ${field}`)
}
