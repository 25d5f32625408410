import t from 'tap'
import { locateQuote } from '../../src/writeModel/locateQuote.js'

const text = 'one two one two one two one two one two one two one'

t.test('at offsets', async (t) => {
  t.strictSame(locateQuote(text, { exact: 'two', start: 4, end: 7 }), {
    found: true,
    start: 4,
    end: 7,
  })
  t.strictSame(
    locateQuote(text, { exact: 'two', prefix: 'one ', suffix: ' one', start: 4, end: 7 }),
    {
      found: true,
      start: 4,
      end: 7,
    },
  )
  t.strictSame(locateQuote(text, { exact: 'one', prefix: 'zero ', start: 0, end: 3 }), {
    found: false,
    reason: 'exact is at 0..3, but the text before it does not end with prefix "zero "',
  })
  t.strictSame(locateQuote(text, { exact: 'one', prefix: '', suffix: '', start: 0, end: 3 }), {
    found: true,
    start: 0,
    end: 3,
  })
  t.strictSame(locateQuote(text, { exact: 'two', suffix: ' two', start: 4, end: 7 }), {
    found: false,
    reason: 'exact is at 4..7, but the text after it does not start with suffix " two"',
  })
  t.strictSame(locateQuote(text, { exact: 'one', start: 4, end: 7 }), {
    found: false,
    reason: 'the text at 4..7 is "two", not "one"; exact occurs at start 0, 8, 16, 24, 32, …',
  })
  t.strictSame(locateQuote(text, { exact: 'six', start: 4, end: 7 }), {
    found: false,
    reason: 'the text at 4..7 is "two", not "six"; exact does not occur anywhere in the text',
  })
  t.strictSame(locateQuote(text, { exact: 'one', start: 50, end: 53 }), {
    found: false,
    reason: '50..53 runs past the end of the text (51 code units)',
  })
})

t.test('offsets count UTF-16 code units', async (t) => {
  t.strictSame(locateQuote('🗽 said', { exact: 'said', start: 3, end: 7 }), {
    found: true,
    start: 3,
    end: 7,
  })
})

t.test('by prefix and suffix', async (t) => {
  // Only the second "one two" has "two " before it and the rest of the text after it.
  t.strictSame(locateQuote(text, { exact: 'one two', prefix: 'two ', suffix: text.slice(15) }), {
    found: true,
    start: 8,
    end: 15,
  })
  t.strictSame(locateQuote(text, { exact: 'two one', suffix: ' three' }), {
    found: false,
    reason:
      '"two one" occurs at start 4, 12, 20, 28, 36, …, but not with the given prefix and suffix',
  })
  t.strictSame(locateQuote(text, { exact: 'one two one two' }), {
    found: false,
    reason:
      'the quote is ambiguous: it occurs 5 times (at start 0, 8, 16, 24, 32); ' +
      'pin it with start and end, or a longer prefix or suffix',
  })
  t.strictSame(locateQuote(text, { exact: 'three' }), {
    found: false,
    reason: '"three" does not occur in the text',
  })
})

t.test('long texts are cut short in messages', async (t) => {
  const long = 'x'.repeat(100)
  t.strictSame(locateQuote(text, { exact: long }), {
    found: false,
    reason: `"${'x'.repeat(57)}…" does not occur in the text`,
  })
})

t.test('an empty quote is found nowhere (the schema refuses it; this must not loop)', async (t) => {
  t.strictSame(locateQuote(text, { exact: '' }), {
    found: false,
    reason: '"" does not occur in the text',
  })
})
