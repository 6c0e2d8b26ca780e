import { linearRegExp, patternIssues, patternProblem } from './linear-pattern';

describe('manifest patterns on the linear-time engine', () => {
  // Everyday schema patterns answer as JavaScript would (on input that is harmless for it).
  it.each([
    ['^ORD-\\d{5}$', ['ORD-10492', 'ORD-1049', 'xORD-10492', 'ORD-10492\n']],
    ['^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$', ['DE89370400440532013000', 'de89', 'DE89 3704']],
    ['^\\u00e9+$', ['ééé', 'e', '']],
    ['^.$', ['😀', 'ab', '\n']],
    ['^(?<year>\\d{4})-(?<month>\\d{2})$', ['2026-11', '2026-1']],
    ['https?://', ['see https://x', 'ftp://x']],
    ['^\\p{L}+$', ['Zoë', 'Zoë1']],
    ['a/b', ['a/b', 'ab']],
  ])('%s matches as JavaScript does', (pattern, inputs) => {
    const linear = linearRegExp(pattern, 'u');
    const native = new RegExp(pattern, 'u');
    for (const input of inputs) expect([input, linear.test(input)]).toEqual([input, native.test(input)]);
  });

  it('answers a catastrophic pattern on 50 kB of input (a backtracking engine would not return)', () => {
    const nested = linearRegExp('^(a+)+$', 'u');
    expect(nested.test('a'.repeat(50_000) + '!')).toBe(false);
    expect(nested.test('a'.repeat(50_000))).toBe(true);
    expect(linearRegExp('(x+x+)+y', 'u').test('x'.repeat(50_000))).toBe(false);
  });

  it.each([
    ['^(a+)+$', null],
    ['(a)\\1', 'is refused'],
    ['(?=a)b', 'is refused'],
    ['(?<!a)b', 'is refused'],
    ['(?i)abc', 'is not a valid pattern'],
    ['[', 'is not a valid pattern'],
  ])('%s: %s', (pattern, problem) => {
    const found = patternProblem(pattern);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });

  it('names every refused pattern by its path in the schema, and leaves data alone', () => {
    const schema = {
      type: 'object',
      properties: { code: { type: 'string', pattern: '(a)\\1' }, tags: { type: 'array', items: [{ pattern: '(?=x)' }] } },
      patternProperties: { '^(?!x)': {}, '^ok$': { pattern: '^fine$' } },
      allOf: [{ properties: { n: { pattern: '\\k<n>' } } }],
      enum: [{ pattern: '(a)\\1' }],
      default: { pattern: '(a)\\1' },
    };
    expect(patternIssues(schema).map((i) => i.path)).toEqual([
      'properties.code.pattern',
      'properties.tags.items.0.pattern',
      'patternProperties.^(?!x)',
      'allOf.0.properties.n.pattern',
    ]);
  });
});
