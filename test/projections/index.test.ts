import t from 'tap'
import { eventTypes } from '../../events/index.js'
import { readModels } from '../../projections/index.js'

t.test('every read model is registered under its own name, and every event type reaches one', async (t) => {
  for (const [key, model] of Object.entries(readModels)) t.equal(model.name, key, `${key} is stored under its name`)
  const unfolded = eventTypes.filter((type) => !Object.values(readModels).some((model) => model.canHandle(type)))
  t.same(unfolded, [], 'no event type is left out of every read model')
})
