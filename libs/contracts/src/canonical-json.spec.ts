import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { EVENT_TYPES } from './catalogue';
import { canonicalJson } from './canonical-json';
import { exampleEvent } from './examples';

// canonicalJson must write what RFC 8785's reference implementation (`canonicalize`) writes,
// byte for byte: signatures, payload hashes and the audit chain are computed over it, and
// clients in other languages recompute them.
describe('canonicalJson', () => {
  it.each([
    ['members sorted by UTF-16 code units, not code points', { '\u{1F600}': 1, '\uFB33': 2, a: 3, A: 4, '': 5 }, '{"":5,"A":4,"a":3,"\u{1F600}":1,"\uFB33":2}'],
    [
      'numbers as ECMAScript writes them',
      [1e21, 1e-7, -0, 0.1 + 0.2, 333333333.3333333, 2 ** 53 + 2, 5e-324],
      '[1e+21,1e-7,0,0.30000000000000004,333333333.3333333,9007199254740994,5e-324]',
    ],
    [
      'escapes: controls as \\u00xx except the named five, lone surrogates escaped',
      ['\u0000\b\t\n\f\r\u001f"\\/', '\ud800', '\u{1F600}', '\u2028'],
      '["\\u0000\\b\\t\\n\\f\\r\\u001f\\"\\\\/","\\ud800","\u{1F600}","\u2028"]',
    ],
    ['undefined members left out, undefined in arrays written as null', { b: undefined, a: [undefined, null, true] }, '{"a":[null,null,true]}'],
    ['dates as their JSON', { at: new Date('2026-12-06T04:00:00.000Z') }, '{"at":"2026-12-06T04:00:00.000Z"}'],
  ])('%s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
    expect(canonicalJson(value)).toBe(canonicalize(value));
  });

  it('writes every event of the contract as the reference does', () => {
    for (const type of EVENT_TYPES) {
      const event = exampleEvent(type);
      expect(canonicalJson(event)).toBe(canonicalize(event));
    }
  });

  it('writes any JSON value as the reference does: any code unit in strings and names, any number', () => {
    const values = fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 });
    const withLoneSurrogates = fc.jsonValue({ stringUnit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), maxDepth: 3 });
    const numbers = fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }));
    fc.assert(
      fc.property(fc.oneof(values, withLoneSurrogates, numbers), (value) => canonicalJson(value) === canonicalize(value)),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['NaN', { n: NaN }],
    ['Infinity', [Infinity]],
    ['a function', { f: () => 1 }],
    ['a bigint', { n: BigInt(1) }],
    [
      'a cycle',
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
    ],
    ['undefined', undefined],
  ])('refuses what JSON cannot hold: %s', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow();
  });
});
