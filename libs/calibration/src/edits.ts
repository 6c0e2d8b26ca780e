// What reviewers change: the delta between the agent's proposed parameters and what a reviewer
// approved, per field, and where a clear pattern says an escalate_when rule would send those
// decisions to review before a reviewer has to fix them.
import type { EscalateWhen } from '@hitl/policy';
import { pct } from './report';

/** One reviewed decision of an action: what the agent proposed and what the reviewer approved. */
export interface ReviewedDecision {
  /** The parameters the agent proposed (redacted paths already masked by the caller). */
  proposed: Record<string, unknown>;
  /** The parameters the reviewer approved; null when denied. Equal to proposed when approved unchanged. */
  approved: Record<string, unknown> | null;
  edited: boolean;
}

export interface FieldEdit {
  /** Dotted path relative to `parameters`: `amount_usd`, `address.city`. */
  field: string;
  kind: 'lowered' | 'raised' | 'changed' | 'added' | 'removed';
  /** (after − before) / |before| for numbers with before ≠ 0, else null */
  relative: number | null;
}

export interface FieldEditSummary {
  field: string;
  /** reviews in which this field was edited, of all reviewed decisions of the action that were approved (denials excluded) */
  edited: number;
  of: number;
  share: number;
  lowered: number;
  raised: number;
  changed: number;
  added: number;
  removed: number;
  /** median of the relative changes of the numeric edits (−0.4 is −40%), null when none */
  median_relative_change: number | null;
  /** e.g. "amount_usd lowered in 23% of reviews (46 of 200), median −40%" */
  text: string;
}

/** An escalate_when rule the edits argue for, with its evidence. */
export interface EscalateWhenSuggestion {
  rule: EscalateWhen;
  /** Inside the rule: edited / approved reviews matching it. */
  edited: number;
  of: number;
  outside_edited: number;
  outside_of: number;
  /** e.g. "reviewers edited 31 of 40 reviews with amount_usd ≥ 200 (77.5%) against 4 of 160 below (2.5%)" */
  text: string;
}

export interface EditAnalysis {
  action: string;
  reviews: number;
  approved: number;
  edited: number;
  fields: FieldEditSummary[];
  suggested_rules: EscalateWhenSuggestion[];
}

/** Reviews inside a rule before it is suggested. */
export const EDIT_PATTERN_MIN_REVIEWS = 20;
/** Edited share inside the rule. */
export const EDIT_PATTERN_MIN_SHARE = 0.5;
/** Edited share outside it. */
export const EDIT_PATTERN_MAX_OUTSIDE = 0.1;
/** Reviews a single value needs before its own edited share counts for a categorical rule. */
export const EDIT_PATTERN_MIN_VALUE_REVIEWS = 5;
/** Suggested rules per action, strongest first. */
export const EDIT_PATTERN_MAX_SUGGESTIONS = 3;

/** Nesting levels of parameters compared field by field; anything deeper is compared as a whole value. */
const MAX_DEPTH = 4;

// Keys that look like secrets even when no `redact` entry names them; separators are ignored so `apiKey` and `card-number` match too.
const SECRET_KEYS = ['password', 'secret', 'token', 'apikey', 'cardnumber', 'cvv'];

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
// As report.ts `pct`: one decimal, dropped when whole (23%, 2.5%).
// A signed change with a real minus sign: −40%, +25%.
const signedPct = (x: number) => (x < 0 ? `−${pct(-x)}` : x > 0 ? `+${pct(x)}` : pct(0));

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const looksSecret = (key: string) => {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_KEYS.some((s) => k.includes(s));
};

/** Whether a value compared as a whole holds a secret-looking key anywhere inside it. */
const holdsSecret = (value: unknown): boolean =>
  Array.isArray(value) ? value.some(holdsSecret) : isPlainObject(value) ? Object.keys(value).some((k) => looksSecret(k) || holdsSecret(value[k])) : false;

/** The manifest's redact entries as paths relative to `parameters`. */
const redactedPaths = (redact: readonly string[]) => redact.map((p) => (p.startsWith('parameters.') ? p.slice('parameters.'.length) : p));

/**
 * A field is never analysed when it is redacted, sits under a redacted path, holds one (a
 * whole value compared at once would carry it), or looks like a secret: nothing about it,
 * not even the direction of an edit, may leave this module.
 */
function hidden(field: string, value: unknown, redacted: readonly string[]): boolean {
  if (field.split('.').some(looksSecret) || holdsSecret(value)) return true;
  return redacted.some((r) => field === r || field.startsWith(`${r}.`) || r.startsWith(`${field}.`));
}

/** Leaf values by dotted path; arrays, and objects deeper than MAX_DEPTH, are leaves compared whole. */
function leaves(params: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (node: Record<string, unknown>, prefix: string, depth: number) => {
    for (const key of Object.keys(node).sort()) {
      const value = node[key];
      if (value === undefined) continue;
      const path = prefix ? `${prefix}.${key}` : key;
      if (isPlainObject(value) && Object.keys(value).length > 0 && depth < MAX_DEPTH) walk(value, path, depth + 1);
      else out.set(path, value);
    }
  };
  walk(params, '', 1);
  return out;
}

/** The visible leaves of some parameters: redacted and secret-looking fields left out. */
function visibleLeaves(params: Record<string, unknown>, redacted: readonly string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [field, value] of leaves(params)) if (!hidden(field, value, redacted)) out.set(field, value);
  return out;
}

/** The fields a reviewer changed between the proposed and the approved parameters, by field name. */
export function parameterEdits(proposed: Record<string, unknown>, approved: Record<string, unknown>, redact: readonly string[]): FieldEdit[] {
  const redacted = redactedPaths(redact);
  // Judged on both sides: a field hidden on either side is hidden (a secret added by the reviewer too).
  const before = leaves(proposed);
  const after = leaves(approved);
  const fields = [...new Set([...before.keys(), ...after.keys()])].sort();
  const edits: FieldEdit[] = [];
  for (const field of fields) {
    const b = before.get(field);
    const a = after.get(field);
    if (hidden(field, b, redacted) || hidden(field, a, redacted)) continue;
    if (b === undefined) edits.push({ field, kind: 'added', relative: null });
    else if (a === undefined) edits.push({ field, kind: 'removed', relative: null });
    else if (canonical(a) === canonical(b)) continue;
    else if (typeof a === 'number' && typeof b === 'number')
      edits.push({ field, kind: a < b ? 'lowered' : 'raised', relative: b !== 0 ? round((a - b) / Math.abs(b)) : null });
    else edits.push({ field, kind: 'changed', relative: null });
  }
  return edits;
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return round(s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2);
}

const KINDS = ['lowered', 'raised', 'changed', 'added', 'removed'] as const;

function summarise(field: string, edits: readonly FieldEdit[], of: number): FieldEditSummary {
  const count = (kind: FieldEdit['kind']) => edits.filter((e) => e.kind === kind).length;
  const counts = { lowered: count('lowered'), raised: count('raised'), changed: count('changed'), added: count('added'), removed: count('removed') };
  const relatives = edits.filter((e) => e.relative !== null).map((e) => e.relative as number);
  const median_relative_change = median(relatives);
  const share = of ? edits.length / of : 0;
  const kinds = KINDS.filter((k) => counts[k] > 0);
  const medianText = median_relative_change === null ? '' : `, median ${signedPct(median_relative_change)}`;
  const base = `in ${pct(share)} of reviews (${edits.length} of ${of})`;
  // One kind of edit reads as that verb; several list each, so "edited" never hides a direction.
  const text =
    kinds.length === 1
      ? `${field} ${kinds[0]} ${base}${medianText}`
      : `${field} edited ${base}: ${kinds.map((k) => `${k} ${counts[k]}`).join(', ')}${medianText}`;
  return { field, edited: edits.length, of, share: round(share), ...counts, median_relative_change, text };
}

interface Candidate {
  suggestion: EscalateWhenSuggestion;
  strength: number;
}

interface Sample {
  value: unknown;
  edited: boolean;
}

const tally = (samples: readonly Sample[]) => ({ of: samples.length, edited: samples.filter((s) => s.edited).length });

function judged(inside: readonly Sample[], outside: readonly Sample[]): { inside: ReturnType<typeof tally>; outside: ReturnType<typeof tally> } | null {
  const i = tally(inside);
  const o = tally(outside);
  if (i.of < EDIT_PATTERN_MIN_REVIEWS || o.of < EDIT_PATTERN_MIN_REVIEWS) return null;
  if (i.edited / i.of < EDIT_PATTERN_MIN_SHARE || o.edited / o.of > EDIT_PATTERN_MAX_OUTSIDE) return null;
  return { inside: i, outside: o };
}

const evidence = (field: string, inside: string, outside: string, t: NonNullable<ReturnType<typeof judged>>) =>
  `reviewers edited ${t.inside.edited} of ${t.inside.of} reviews with ${field} ${inside} (${pct(t.inside.edited / t.inside.of)}) against ${t.outside.edited} of ${t.outside.of} ${outside} (${pct(t.outside.edited / t.outside.of)})`;

const candidate = (rule: EscalateWhen, t: NonNullable<ReturnType<typeof judged>>, text: string): Candidate => ({
  suggestion: { rule, edited: t.inside.edited, of: t.inside.of, outside_edited: t.outside.edited, outside_of: t.outside.of, text },
  strength: t.inside.edited / t.inside.of - t.outside.edited / t.outside.of,
});

/**
 * A `gte` rule on a numeric field: the threshold with the most reviews at or above it where
 * reviewers edited at least MIN_SHARE, and at most MAX_OUTSIDE of the rest (every review the
 * rule would not match, an absent or non-numeric value too, as the router would not match it).
 */
function numericRule(field: string, samples: readonly Sample[]): Candidate | null {
  const thresholds = [...new Set(samples.filter((s) => s.edited && typeof s.value === 'number').map((s) => s.value as number))].sort((a, b) => a - b);
  let best: { t: number; judged: NonNullable<ReturnType<typeof judged>> } | null = null;
  for (const t of thresholds) {
    const matches = (s: Sample) => typeof s.value === 'number' && s.value >= t;
    const j = judged(
      samples.filter((s) => matches(s)),
      samples.filter((s) => !matches(s)),
    );
    // Thresholds ascend: only strictly more reviews inside replaces a lower one.
    if (j && (!best || j.inside.of > best.judged.inside.of)) best = { t, judged: j };
  }
  if (!best) return null;
  return candidate({ field: `parameters.${field}`, gte: best.t }, best.judged, evidence(field, `≥ ${best.t}`, 'below', best.judged));
}

/** An `in` (or `equals`) rule on a string or boolean field: the values reviewers mostly edit, against the rest. */
function categoricalRule(field: string, samples: readonly Sample[]): Candidate | null {
  const byValue = new Map<string | boolean, Sample[]>();
  for (const s of samples) {
    if (typeof s.value !== 'string' && typeof s.value !== 'boolean') continue;
    byValue.set(s.value, [...(byValue.get(s.value) ?? []), s]);
  }
  const values = [...byValue.entries()]
    .filter(([, group]) => group.length >= EDIT_PATTERN_MIN_VALUE_REVIEWS && tally(group).edited / group.length >= EDIT_PATTERN_MIN_SHARE)
    .map(([v]) => v)
    .sort((a, b) => canonical(a).localeCompare(canonical(b)));
  if (values.length === 0) return null;
  const matches = (s: Sample) => (typeof s.value === 'string' || typeof s.value === 'boolean') && values.includes(s.value);
  const j = judged(
    samples.filter((s) => matches(s)),
    samples.filter((s) => !matches(s)),
  );
  if (!j) return null;
  const rule: EscalateWhen = values.length === 1 ? { field: `parameters.${field}`, equals: values[0] } : { field: `parameters.${field}`, in: values };
  return candidate(rule, j, evidence(field, values.map(String).join(' or '), 'with other values', j));
}

/** Whether an existing rule on the same field already escalates everything the suggestion would. */
function covered(suggested: EscalateWhen, existing: readonly EscalateWhen[]): boolean {
  return existing.some((rule) => {
    if (rule.field !== suggested.field) return false;
    if (suggested.gte !== undefined) {
      return (rule.gte !== undefined && rule.gte <= suggested.gte) || (rule.gt !== undefined && rule.gt < suggested.gte);
    }
    const wanted: unknown[] = suggested.equals !== undefined ? [suggested.equals] : (suggested.in ?? []);
    const has: unknown[] = rule.equals !== undefined ? [rule.equals] : (rule.in ?? []);
    return wanted.length > 0 && wanted.every((v) => has.includes(v));
  });
}

/**
 * Per action: which fields reviewers change and how, and escalate_when rules where the
 * pattern is clear. Only approved reviews count: a denial says the decision was wrong, not
 * which parameter was, so it is left out of the edit counts and of both sides of a rule.
 */
export function analyseEdits(
  action: string,
  reviews: readonly ReviewedDecision[],
  options: { redact: readonly string[]; escalate_when: readonly EscalateWhen[] },
): EditAnalysis {
  const redacted = redactedPaths(options.redact);
  const approved = reviews.filter((r): r is ReviewedDecision & { approved: Record<string, unknown> } => r.approved !== null);
  // The reviewer's flag decides whether a review was edited (an edit to a redacted field still is one).
  const editsOf = approved.map((r) => (r.edited ? parameterEdits(r.proposed, r.approved, options.redact) : []));

  const byField = new Map<string, FieldEdit[]>();
  for (const edits of editsOf) for (const e of edits) byField.set(e.field, [...(byField.get(e.field) ?? []), e]);
  const fields = [...byField.entries()]
    .map(([field, edits]) => summarise(field, edits, approved.length))
    .sort((a, b) => b.share - a.share || a.field.localeCompare(b.field));

  const proposed = approved.map((r) => visibleLeaves(r.proposed, redacted));
  const names = [...new Set(proposed.flatMap((p) => [...p.keys()]))].sort();
  const candidates: Candidate[] = [];
  for (const field of names) {
    const samples = approved.map((r, i) => ({ value: proposed[i].get(field), edited: r.edited }));
    for (const c of [numericRule(field, samples), categoricalRule(field, samples)]) {
      if (c && !covered(c.suggestion.rule, options.escalate_when)) candidates.push(c);
    }
  }
  const suggested_rules = candidates
    .sort((a, b) => b.strength - a.strength || a.suggestion.rule.field.localeCompare(b.suggestion.rule.field))
    .slice(0, EDIT_PATTERN_MAX_SUGGESTIONS)
    .map((c) => c.suggestion);

  return {
    action,
    reviews: reviews.length,
    approved: approved.length,
    edited: approved.filter((r) => r.edited).length,
    fields,
    suggested_rules,
  };
}
