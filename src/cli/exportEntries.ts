import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { openStoreOnly } from '../compose.js'
import type { Config } from '../config/config.js'
import { createLogger } from './logger.js'

/** Writes every entry line in position order; runs beside a server (it only reads). */
export async function exportEntries(config: Config, out: Writable = process.stdout): Promise<number> {
  const store = await openStoreOnly(config, createLogger(config.logLevel, 'stderr'))
  try {
    for (let from = 0; ; ) {
      const batch = await store.readAll(from, 1_000)
      if (batch.length === 0) break
      if (!out.write(batch.map((event) => `${event.entry}\n`).join(''))) await once(out, 'drain')
      from = batch[batch.length - 1]!.position + 1
    }
    return 0
  } finally {
    await store.close()
  }
}
