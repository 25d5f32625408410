import t from 'tap'
import { turnByTurn } from '../../src/http/turnByTurn.js'

t.test('a streamed answer gives the event loop a turn between its chunks', async (t) => {
  const seen: string[] = []
  function* chunks(): Generator<string> {
    for (const chunk of ['a', 'b', 'c']) {
      // what another request would do: wait for the next turn of the event loop
      setImmediate(() => seen.push(`turn after ${chunk}`))
      yield chunk
    }
  }
  for await (const chunk of turnByTurn(chunks())) seen.push(chunk)
  t.same(seen, ['a', 'turn after a', 'b', 'turn after b', 'c', 'turn after c'], 'every chunk is followed by a turn, before the next is made')
})
