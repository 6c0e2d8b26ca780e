import { DECISION_PROPOSED, Topics, decodeEvent, exampleEvent } from './index';
import { isStorableText, mayHoldUnstorable, storableJson, storableText, unstorableTextPath } from './text';

describe('text PostgreSQL can store', () => {
  it.each([
    ['plain text', 'Refund $20', true],
    ['an emoji (a surrogate pair)', 'ok \u{1F600}', true],
    ['U+0000', 'a\u0000b', false],
    ['a lone high surrogate', 'a\ud800b', false],
    ['a lone low surrogate', 'a\udc00', false],
    ['a low before a high', '\udc00\ud800', false],
    ['the escape as text (a backslash and "u0000")', 'a\\u0000', true],
  ])('%s: %s', (_name, text, storable) => {
    expect(isStorableText(text)).toBe(storable);
    expect(isStorableText(storableText(text))).toBe(true);
    if (storable) expect(storableText(text)).toBe(text);
  });

  it.each([
    ['clean', { a: ['x', { b: 'y' }] }, null],
    ['in a nested string', { data: { parameters: { note: ['ok', 'bad\u0000'] } } }, 'data.parameters.note[1]'],
    ['in a key', { data: { 'k\u0000': 1 } }, 'data.(a key)'],
    ['at the root', '\ud800', '(root)'],
  ])('finds the path of an unstorable string: %s', (_name, value, path) => {
    expect(unstorableTextPath(value)).toBe(path);
  });

  it('walks values deeper than the call stack', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(unstorableTextPath(deep)).toMatch(/^(\[0\])+$/);
  });

  it('skips the walk when the JSON text has no suspect escape, and walks when it has', () => {
    expect(unstorableTextPath({ a: 'x' }, '{"a":"x"}')).toBeNull();
    expect(unstorableTextPath({ a: 'x\u0000' }, '{"a":"x\\u0000"}')).toBe('a');
  });

  it.each([
    ['an id with an e and digits in it', '{"id":"3fe1234a-9e12-4e55-8e99-0e1234567890","k":"9e123","n":1.5e10}', false],
    ['a signature with an e and digits', '{"sig":"Ke1234_x-e999"}', false],
    ['plain text saying 1e400', '{"summary":"about 1e400 things"}', true],
    ['an escape of U+0000', '{"a":"x\\u0000"}', true],
    ['an escape of a surrogate', '{"a":"\\uD83D"}', true],
    ['an exponent too large, then a comma', '{"a":1e400,"b":1}', true],
    ['an exponent with a sign, then a brace', '{"a":-1.5E+309}', true],
    ['an exponent in an array, then spaces', '[1e999 ]', true],
    ['a number alone', '1e400', true],
    ['300 digits', `{"a":${'9'.repeat(300)}}`, true],
  ])('says whether JSON text may hold something unstorable: %s', (_name, text, suspect) => {
    expect(mayHoldUnstorable(text)).toBe(suspect);
  });

  it('makes refused bytes readable: every string and key storable, the rest unchanged', () => {
    expect(storableJson({ 'k\u0000': ['a\ud800', 1, null, true] })).toEqual({ 'k\ufffd': ['a\ufffd', 1, null, true] });
  });

  it('refuses an event holding a number beyond a double anywhere, even where the schema takes anything', () => {
    const event = exampleEvent(DECISION_PROPOSED);
    for (const big of ['1e400', '-1E+309', '9'.repeat(400)]) {
      const text = JSON.stringify(event).replace('"amount_usd":129.5', `"amount_usd":${big}`);
      const decoded = decodeEvent(Topics.DecisionProposed, Buffer.from(text));
      expect(decoded.ok ? 'ok' : `${decoded.violation.code}: ${decoded.violation.message}`).toBe(
        'invalid_data: data.parameters.amount_usd: a number out of range (beyond a double)',
      );
    }
    expect(decodeEvent(Topics.DecisionProposed, Buffer.from(JSON.stringify(event).replace('"amount_usd":129.5', '"amount_usd":1e300'))).ok).toBe(true);
  });

  it('refuses an event holding U+0000 or a lone surrogate, with the path and the decision', () => {
    const event = exampleEvent(DECISION_PROPOSED);
    for (const bad of ['Refund\u0000 now', 'Refund \ud83d now']) {
      const decoded = decodeEvent(Topics.DecisionProposed, Buffer.from(JSON.stringify({ ...event, data: { ...event.data, summary: bad } })));
      expect(decoded.ok).toBe(false);
      if (decoded.ok) continue;
      expect(decoded.violation.code).toBe('unsupported_character');
      expect(decoded.violation.message).toContain('data.summary');
      expect(decoded.violation.decisionId).toBe(event.data.decision_id);
    }
    expect(decodeEvent(Topics.DecisionProposed, Buffer.from(JSON.stringify(event))).ok).toBe(true);
  });
});
