import { configure } from 'safe-stable-stringify';

// RFC 8785 (JCS) for the values events hold: members sorted by UTF-16 code units, numbers and
// strings as ECMAScript's JSON.stringify writes them, no whitespace. safe-stable-stringify does
// exactly that with sorted keys, in about half the time of the reference implementation
// (`canonicalize`, which canonical-json.spec.ts compares it with); strict, so what JSON
// cannot hold (NaN, functions, cycles, bigints) throws instead of being written some other way.
const jcs = configure({ deterministic: true, strict: true, bigint: false, circularValue: Error });

/** The RFC 8785 canonical JSON of a JSON value; throws when the value is not one. */
export function canonicalJson(value: unknown): string {
  const canonical = jcs(value);
  if (canonical === undefined) throw new TypeError('the value cannot be canonicalized: it is not JSON');
  return canonical;
}
