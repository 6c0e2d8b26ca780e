// Text PostgreSQL cannot keep. JSON can carry U+0000 and lone UTF-16 surrogates as
// escapes (`\u0000`, `\ud800`), but `text` and `jsonb` refuse both, so an event holding
// one could never be recorded, reviewed or audited. The contract refuses such events
// rather than cleaning them: what a reviewer reads and the audit keeps must be exactly
// what the agent signed.

/** Whether PostgreSQL can store this string as it is: no U+0000, no lone surrogate. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** U+0000, or a high surrogate without its low half, or a low one without its high half. */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/**
 * What in JSON text can decode to something unstorable: an escape of U+0000 or of a
 * surrogate, or a number too large for a double (it parses as Infinity, which JSON cannot
 * carry onward): an exponent of three digits or more ending the number, or 300 digits in a
 * row. Absent, the parsed value is clean. The exponent must follow a digit and end where a
 * number ends, because hex ids and signatures are full of an `e` and three digits (`3fe1234`)
 * and would otherwise send four messages in ten through the walk.
 */
const SUSPECT = /\\u(0000|[dD][89a-fA-F])|[0-9][eE]\+?[0-9]{3,}(?:[\s,\]}]|$)|[0-9]{300,}/;

/** Whether JSON text may decode to something findUnstorable would find (false: it cannot). */
export function mayHoldUnstorable(json: string): boolean {
  return SUSPECT.test(json);
}

export interface Unstorable {
  /** Where, like `data.summary`. */
  path: string;
  problem: 'character' | 'number';
}

/**
 * The first thing in a parsed JSON value that cannot be kept as it came: a string (or
 * object key) with U+0000 or a lone surrogate, or a number that is not finite. Iterative,
 * so depth cannot overflow the stack. `json` given: skips the walk when the text shows
 * nothing suspect.
 */
export function findUnstorable(value: unknown, json?: string): Unstorable | null {
  if (json !== undefined && !mayHoldUnstorable(json)) return null;
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { value: current, path } = top;
    if (typeof current === 'string') {
      if (!isStorableText(current)) return { path: path || '(root)', problem: 'character' };
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) return { path: path || '(root)', problem: 'number' };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: `${path}[${i}]` });
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        const childPath = path ? `${path}.${key}` : key;
        if (!isStorableText(key)) return { path: `${path ? `${path}.` : ''}(a key)`, problem: 'character' };
        stack.push({ value: child, path: childPath });
      }
    }
  }
  return null;
}

/** Where the first unstorable string (or key) is; null when there is none. */
export function unstorableTextPath(value: unknown, json?: string): string | null {
  const found = findUnstorable(value, json);
  return found?.problem === 'character' ? found.path : null;
}

/** A string with every unstorable character replaced by U+FFFD, for text kept only to be read. */
export function storableText(text: string): string {
  return isStorableText(text) ? text : text.replace(UNSTORABLE_ALL, '\ufffd');
}

/**
 * `value` with every string and key made storable (records of bytes someone refused), the
 * clean parts unchanged. Recursive: a value nested deeper than the stack throws a RangeError.
 */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [storableText(key), storableJson(child)]));
  }
  return value;
}
