// Patterns written in a manifest run against parameters an agent wrote. A backtracking
// engine (JavaScript's own) can take exponential time on a pattern like `^(a+)+$`, so one
// manifest line could freeze the router on one proposal. RE2 matches in time linear in the
// input; a pattern it cannot express (backreferences, lookaround) is refused at validation.
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types';
import { RE2JS } from 're2js';

/** Compiles an ECMA-262 pattern for RE2; throws, saying why, when it has no linear-time form. */
function compileLinear(pattern: string): RE2JS {
  // JSON Schema patterns are ECMA-262: one JavaScript refuses is no pattern at all. Only
  // compiled here, never run.
  new RegExp(pattern, 'u');
  return RE2JS.compile(RE2JS.translateRegExp(pattern));
}

/** Ajv's `code.regExp`: every `pattern` and `patternProperties` of a schema runs on RE2. */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string): RegExpLike => {
    const re = compileLinear(pattern);
    // Ajv keys compiled patterns by toString(): each must name its own pattern.
    const linear = { test: (text: string) => re.test(text), toString: () => `/${pattern}/${flags}` };
    return linear;
  },
  // Only for Ajv's standalone code (not used here): how the generated module would get the engine.
  { code: 'require("@hitl/policy").linearRegExp' },
);

/** Why `pattern` cannot be used, or null when it runs in linear time. */
export function patternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return `${JSON.stringify(pattern)} is not a valid pattern (${(error as Error).message})`;
  }
  try {
    RE2JS.compile(RE2JS.translateRegExp(pattern));
    return null;
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, '');
    return `${JSON.stringify(pattern)} is refused: patterns run on a linear-time engine (RE2), which has no backreferences or lookaround (${reason})`;
  }
}

export interface PatternIssue {
  /** Dotted path inside the schema, e.g. `properties.order_id.pattern`. */
  path: string;
  message: string;
}

// Keywords whose values are data, not schemas: a `pattern` key inside them is no pattern.
const DATA_KEYWORDS = new Set(['const', 'default', 'enum', 'examples']);

/** Every `pattern` and `patternProperties` key of a JSON Schema that cannot run on RE2, each with its path. */
export function patternIssues(schema: unknown, path: string[] = []): PatternIssue[] {
  if (Array.isArray(schema)) return schema.flatMap((item, i) => patternIssues(item, [...path, String(i)]));
  if (schema === null || typeof schema !== 'object') return [];
  const issues: PatternIssue[] = [];
  for (const [key, value] of Object.entries(schema)) {
    const at = [...path, key];
    if (key === 'pattern' && typeof value === 'string') issues.push(...refusal(value, at));
    if (key === 'patternProperties' && value !== null && typeof value === 'object') {
      for (const property of Object.keys(value)) issues.push(...refusal(property, [...at, property]));
    }
    if (!DATA_KEYWORDS.has(key)) issues.push(...patternIssues(value, at));
  }
  return issues;
}

function refusal(pattern: string, at: string[]): PatternIssue[] {
  const problem = patternProblem(pattern);
  return problem === null ? [] : [{ path: at.join('.'), message: problem }];
}
