import { editProblems, editedParameters, fieldType, parseField } from './edit';
import { cleanToken } from './session';

const schema = {
  type: 'object',
  required: ['order_id', 'amount_usd'],
  properties: { order_id: { type: 'string', minLength: 1 }, amount_usd: { type: 'number', exclusiveMinimum: 0 }, to: { type: 'string', format: 'email' } },
};
const REDACTED = '•••• (redacted)';

describe('editing parameters', () => {
  it.each([
    ['80', 'number', 120, 80],
    [' 80.5 ', 'number', 120, 80.5],
    ['eighty', 'number', 120, 'eighty'],
    ['', 'number', 120, ''],
    ['80', null, 120, 80],
    ['80', 'string', 'x', '80'],
    ['{"a":1}', 'object', {}, { a: 1 }],
    ['true', 'boolean', false, true],
    ['{broken', null, {}, '{broken'],
  ])('reads %j typed into a %s field (was %j) as %j', (text, type, original, value) => {
    expect(parseField(text, type, original)).toEqual(value);
  });

  it('knows the declared type of a field', () => {
    expect(fieldType(schema, 'amount_usd')).toBe('number');
    expect(fieldType(schema, 'nope')).toBeNull();
    expect(fieldType(null, 'amount_usd')).toBeNull();
  });

  const original = { order_id: 'ORD-1', amount_usd: 120 };
  it.each([
    ['a smaller amount is fine', { amount_usd: '80' }, []],
    ['zero is refused by the schema', { amount_usd: '0' }, ['amount_usd must be > 0']],
    ['text where a number goes is refused', { amount_usd: 'eighty' }, ['amount_usd must be number']],
    ['an emptied order id is refused', { order_id: '' }, ['order_id must NOT have fewer than 1 characters']],
    ['no change is no edit', {}, ['nothing changed']],
  ])('%s', (_case, texts, problems) => {
    expect(editProblems(original, editedParameters(original, texts, schema), schema, REDACTED)).toEqual(problems);
  });

  it('refuses to send back redacted values, and checks formats like the router', () => {
    const withCard = { ...original, card_number: REDACTED };
    expect(editProblems(withCard, { ...withCard, amount_usd: 80 }, schema, REDACTED)).toEqual([
      'some parameters are redacted and cannot be sent back: approve or deny as it is',
    ]);
    expect(editProblems({ to: 'a@b.co' }, { to: 'not an email' }, schema, REDACTED)).toEqual(expect.arrayContaining(['to must match format "email"']));
  });

  it.each([
    ['  abc-0123456789  ', 'abc-0123456789'],
    ['Bearer abc-0123456789', 'abc-0123456789'],
    ['', null],
    ['two words', null],
  ])('reads the token %j as %j', (text, token) => {
    expect(cleanToken(text)).toBe(token);
  });
});

describe('patterns in the editor', () => {
  it('runs a manifest pattern in linear time: a catastrophic one on 50 kB of an agent-written value answers', () => {
    const catastrophic = { type: 'object', properties: { code: { type: 'string', pattern: '^(a+)+$' } } };
    const value = `${'a'.repeat(50_000)}!`;
    expect(editProblems({ code: 'a' }, { code: value }, catastrophic, REDACTED)).toEqual(['code must match pattern "^(a+)+$"']);
    expect(editProblems({ code: 'a' }, { code: 'a'.repeat(50_000) }, catastrophic, REDACTED)).toEqual([]);
  });
});
