import t from 'tap'
import { eventLog } from '../support/eventBuilders.js'
import { fold } from './fixtures/ledger.js'

t.test('the registered fields without content, saying whether there is any', async (t) => {
  const log = eventLog()
  const article = log.source('abc', {
    kind: 'news-article',
    title: 'Cities push back',
    publisher: 'ABC News',
    url: 'https://abcnews.go.com/story',
    publishedOn: '2016-11-17',
    content: 'hello',
    contentSha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
  })
  log.source('latimes', { via: 'abc' })
  const state = fold(log.events)
  t.strictSame(state.sourceOf('abc'), {
    sourceId: 'abc',
    kind: 'news-article',
    title: 'Cities push back',
    publisher: 'ABC News',
    url: 'https://abcnews.go.com/story',
    publishedOn: '2016-11-17',
    contentSha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    hasContent: true,
    eventId: article.id,
    position: 0,
  })
  t.equal(state.sourceOf('latimes')?.hasContent, false)
  t.equal(state.sourceOf('latimes')?.via, 'abc')
  t.equal(state.sourceOf('nope'), null)
})
