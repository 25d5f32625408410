/**
 * The panel's chunks (a jurisdiction's rows each), one per turn of the event loop. Read from SQLite
 * synchronously and written to a socket that keeps accepting, a whole panel would otherwise be made
 * in one go, and every other request would wait for it.
 */
export async function* turnByTurn(chunks: Iterable<string>): AsyncGenerator<string> {
  for (const chunk of chunks) {
    yield chunk
    await new Promise((resolve) => setImmediate(resolve))
  }
}
