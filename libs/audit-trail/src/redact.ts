export const REDACTED = '[REDACTED]';

/** Keys that look like secrets are redacted wherever they appear, whatever the manifest says. */
export const SECRET_KEY =
  /(^|[_-])(pass(word|wd)?|secret|token|api[_-]?key|authorization|auth|cookie|card[_-]?number|pan|cvv|cvc|ssn|iban|private[_-]?key|credentials?)($|[_-])/i;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A copy of `value` with secrets replaced: every key matching SECRET_KEY at any depth,
 * and every `paths` entry (manifest `redact`, e.g. `parameters.card_number`) read from
 * each of `roots` (the places in an event where a decision's fields sit).
 */
export function redact<T>(value: T, paths: readonly string[] = [], roots: readonly string[][] = [[]]): T {
  const copy = scrub(value as Json) as Json;
  for (const root of roots) {
    for (const path of paths) {
      const keys = [...root, ...path.split('.')];
      const last = keys.pop() ?? '';
      let node: Json | undefined = copy;
      for (const key of keys) node = node && typeof node === 'object' && !Array.isArray(node) ? node[key] : undefined;
      if (node && typeof node === 'object' && !Array.isArray(node) && last in node) node[last] = REDACTED;
    }
  }
  return copy as T;
}

function scrub(value: Json): Json {
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && v !== null && typeof v !== 'object' ? REDACTED : scrub(v)]));
  }
  return value;
}
