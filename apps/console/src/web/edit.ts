// The parameter editor's rules: what a typed value means for the schema, and whether the
// edited parameters may be sent. Ajv with the router's options, so the console refuses
// exactly what the policy would block (and the server checks again anyway).
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import type { RegExpEngine } from 'ajv/dist/types';
import addFormats from 'ajv-formats';
import { RE2JS } from 're2js';

/**
 * Manifest patterns run on RE2 here too (linear time), as in the services (libs/policy's
 * linear-pattern.ts, which the browser cannot import for its node dependencies): a value an
 * agent wrote must not freeze a reviewer's tab. The manifest refused every pattern RE2 cannot run.
 */
const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string) => {
    const re = RE2JS.compile(RE2JS.translateRegExp(pattern));
    return { test: (text: string) => re.test(text), toString: () => `/${pattern}/${flags}` };
  },
  { code: 'linearRegExp' },
);

const ajv = new Ajv({ allErrors: true, strict: false, code: { regExp: linearRegExp } });
addFormats(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

/** The JSON Schema type declared for one parameter, if a simple one. */
export function fieldType(schema: Record<string, unknown> | null, key: string): string | null {
  const properties = schema?.properties as Record<string, { type?: unknown }> | undefined;
  const type = properties?.[key]?.type;
  return typeof type === 'string' ? type : null;
}

/** A parameter's value as the editor shows it: text as is, anything else as JSON. */
export function showField(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * What the reviewer typed, as the value to send: a number for number fields, JSON for
 * objects, arrays and booleans, text otherwise. Text that does not parse stays text, so
 * the schema check names the problem.
 */
export function parseField(text: string, type: string | null, original: unknown): unknown {
  const trimmed = text.trim();
  if (type === 'number' || type === 'integer' || (type === null && typeof original === 'number')) {
    return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
  }
  if (type === 'string' || (type === null && typeof original === 'string')) return text;
  try {
    return JSON.parse(trimmed);
  } catch {
    return text;
  }
}

/** The edited parameters, from the editor's texts over the originals. */
export function editedParameters(
  original: Record<string, unknown>,
  texts: Record<string, string>,
  schema: Record<string, unknown> | null,
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...original };
  for (const [key, text] of Object.entries(texts)) result[key] = parseField(text, fieldType(schema, key), original[key]);
  return result;
}

const describe = (e: ErrorObject) => `${e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'parameters'} ${e.message ?? 'is invalid'}`;

/**
 * Problems with the edited parameters, in plain words; empty when they may be sent. A
 * redacted value cannot be edited (the console never sees it), and an edit that changes
 * nothing is no edit.
 */
export function editProblems(
  original: Record<string, unknown>,
  edited: Record<string, unknown>,
  schema: Record<string, unknown> | null,
  redactedMark: string,
): string[] {
  const problems: string[] = [];
  if (Object.values(original).some((v) => v === redactedMark)) problems.push('some parameters are redacted and cannot be sent back: approve or deny as it is');
  if (JSON.stringify(original) === JSON.stringify(edited)) problems.push('nothing changed');
  if (schema) {
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(schema);
      compiled.set(schema, validate);
    }
    if (!validate(edited)) problems.push(...(validate.errors ?? []).map(describe));
  }
  return problems;
}
