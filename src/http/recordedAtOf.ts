import type { EventStore } from '../stores/eventStore.js'

/**
 * When the event at a position was recorded (Last-Modified, checkpoint age). The last one asked is
 * kept: most answers are computed at the same, latest, position.
 */
export function recordedAtOf(
  store: Pick<EventStore, 'readAll'>,
): (position: number) => Promise<string | undefined> {
  let last: { position: number; recordedAt: string | undefined } | undefined
  return async (position) => {
    if (last?.position !== position) {
      const [stored] = await store.readAll(position, 1)
      const metadata = stored?.metadata as { recordedAt?: string } | undefined
      last = { position, recordedAt: metadata?.recordedAt }
    }
    return last.recordedAt
  }
}
