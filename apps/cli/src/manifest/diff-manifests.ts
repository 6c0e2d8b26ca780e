import { isDeepStrictEqual } from 'node:util';
import { Manifest, Mode, ResolvedAction } from '@hitl/policy';

/** One field that differs between two manifest documents; `undefined` means the field is not set. */
export interface FieldChange {
  /** Dotted, like ManifestIssue paths: `actions.process_refund.conditions.auto_approve_below_usd`. */
  path: string;
  before: unknown;
  after: unknown;
}

export interface ActionSummary {
  name: string;
  mode: Mode;
}

/** An action whose effective mode (after defaults and the severity x reversibility table) changed. */
export interface ModeChange {
  action: string;
  before: Mode;
  after: Mode;
}

export interface ManifestDiff {
  beforeVersion: string;
  afterVersion: string;
  addedActions: ActionSummary[];
  removedActions: ActionSummary[];
  /** `version`, then `defaults.*`, then `actions.<name>.*` of actions in both, in document order. */
  changes: FieldChange[];
  modeChanges: ModeChange[];
}

/** What changed in policy from `before` to `after`, field by field; key order and formatting do not count. */
export function diffManifests(before: Manifest, after: Manifest): ManifestDiff {
  const changes: FieldChange[] = [];
  diffValue('version', before.document.version, after.document.version, changes);
  diffValue('defaults', before.document.defaults, after.document.defaults, changes);

  const beforeActions = before.document.actions;
  const afterActions = after.document.actions;
  const kept = Object.keys(beforeActions).filter((name) => has(afterActions, name));
  for (const name of kept) diffValue(`actions.${name}`, beforeActions[name], afterActions[name], changes);

  const summary = (action: ResolvedAction): ActionSummary => ({ name: action.name, mode: action.mode });
  const only = (from: Manifest, other: Manifest) => [...from.actions.values()].filter((action) => !other.actions.has(action.name)).map(summary);
  const modeChanges: ModeChange[] = [];
  for (const previous of before.actions.values()) {
    const current = after.actions.get(previous.name);
    if (current && current.mode !== previous.mode) modeChanges.push({ action: previous.name, before: previous.mode, after: current.mode });
  }
  return {
    beforeVersion: before.version,
    afterVersion: after.version,
    addedActions: only(after, before),
    removedActions: only(before, after),
    changes,
    modeChanges,
  };
}

export function isEmptyDiff(diff: ManifestDiff): boolean {
  return diff.addedActions.length === 0 && diff.removedActions.length === 0 && diff.changes.length === 0;
}

/**
 * Objects are walked key by key (an absent object counts as empty, so a new
 * `conditions` block lists each of its fields); anything else, arrays included,
 * is compared and reported whole.
 */
function diffValue(path: string, before: unknown, after: unknown, out: FieldChange[]): void {
  if (isDeepStrictEqual(before, after)) return;
  const walkable = (v: unknown) => isPlainObject(v) || v === undefined;
  if ((isPlainObject(before) || isPlainObject(after)) && walkable(before) && walkable(after)) {
    const b = (before ?? {}) as Record<string, unknown>;
    const a = (after ?? {}) as Record<string, unknown>;
    const keys = [...Object.keys(b), ...Object.keys(a).filter((key) => !has(b, key))];
    for (const key of keys) diffValue(`${path}.${key}`, b[key], a[key], out);
    return;
  }
  out.push({ path, before, after });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function has(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

export interface DiffLabels {
  before: string;
  after: string;
  /** Whether the two files' text differ (so an empty diff means formatting only). */
  textsDiffer: boolean;
}

/** The diff for a code review: added and removed actions, changed fields `old → new`, effective mode changes. */
export function formatManifestDiff(diff: ManifestDiff, labels: DiffLabels): string[] {
  if (isEmptyDiff(diff)) {
    const why = labels.textsDiffer ? 'formatting only, same manifest version' : 'identical, manifest version';
    return [`no policy changes (${why} ${diff.afterVersion})`];
  }
  const lines = [`policy changes from ${labels.before} to ${labels.after}`, `  manifest version ${diff.beforeVersion} → ${diff.afterVersion}`];
  if (diff.addedActions.length > 0) {
    lines.push('added actions:', ...diff.addedActions.map((a) => `  + ${a.name} (mode ${a.mode})`));
  }
  if (diff.removedActions.length > 0) {
    lines.push('removed actions:', ...diff.removedActions.map((a) => `  - ${a.name} (mode ${a.mode})`));
  }
  if (diff.changes.length > 0) {
    lines.push('changed fields:', ...diff.changes.map((c) => `  ${c.path}: ${showValue(c.before)} → ${showValue(c.after)}`));
  }
  if (diff.modeChanges.length > 0) {
    lines.push('effective mode changes:', ...diff.modeChanges.map((m) => `  ${m.action}: ${m.before} → ${m.after}`));
  }
  return lines;
}

const BARE_WORD = /^[A-Za-z_][\w.:/@-]*$/;
const YAML_KEYWORDS = new Set(['true', 'false', 'null', 'yes', 'no', 'on', 'off', '~']);

/** Scalars as in YAML (a string is quoted only when it could be read as something else); the rest as compact JSON. */
export function showValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (typeof value === 'string' && BARE_WORD.test(value) && !YAML_KEYWORDS.has(value.toLowerCase())) return value;
  return JSON.stringify(value);
}
