/**
 * The as-of query's own cost, in process and without HTTP: the ledger composed read-only on a store,
 * then `stanceAnswer` for a jurisdiction with many claims and one with few, at many valid times.
 */
import { pino } from 'pino'
import { compose } from '../src/compose.js'
import { parseConfig } from '../src/config/config.js'

export interface AsOfSide {
  jurisdictionId: string
  /** The first query after the replay (it may build indexes the later ones reuse). */
  firstQueryMicros: number
  meanMicros: number
  queries: number
}

export interface InProcessAsOf {
  replaySeconds: number
  hot: AsOfSide
  cold: AsOfSide
  /** hot mean / cold mean */
  ratio: number
}

export async function inProcessAsOf(storePath: string, hot: string, cold: string, dates: readonly string[], seconds: number): Promise<InProcessAsOf> {
  const config = parseConfig({ LEDGER_STORE: `sqlite:${storePath}`, LEDGER_SEED: 'false', LOG_LEVEL: 'silent' })
  const started = performance.now()
  const ledger = await compose(config, { logger: pino({ level: 'silent' }), access: 'read' })
  const replaySeconds = (performance.now() - started) / 1000
  try {
    const { reader } = ledger
    const known = reader.resolveKnownAt(undefined)
    const first = (id: string) => {
      const at = performance.now()
      reader.stanceAnswer(id, dates[0]!, known)
      return (performance.now() - at) * 1000
    }
    const side = (id: string, firstQueryMicros: number): AsOfSide => ({ jurisdictionId: id, firstQueryMicros, meanMicros: 0, queries: 0 })
    const result = { hot: side(hot, first(hot)), cold: side(cold, first(cold)) }
    // alternate short rounds so drift (GC, frequency) falls on both alike
    const spent = { hot: 0, cold: 0 }
    const round = 200
    let sink = 0
    while (spent.hot + spent.cold < seconds * 1000) {
      for (const which of ['hot', 'cold'] as const) {
        const id = result[which].jurisdictionId
        const at = performance.now()
        for (let i = 0; i < round; i += 1) {
          const answer = reader.stanceAnswer(id, dates[(result[which].queries + i) % dates.length]!, known)
          sink += answer.asOf.length
        }
        spent[which] += performance.now() - at
        result[which].queries += round
      }
    }
    if (sink < 0) throw new Error('unreachable')
    result.hot.meanMicros = (spent.hot * 1000) / result.hot.queries
    result.cold.meanMicros = (spent.cold * 1000) / result.cold.queries
    return { replaySeconds, ...result, ratio: result.hot.meanMicros / result.cold.meanMicros }
  } finally {
    await ledger.close()
  }
}
