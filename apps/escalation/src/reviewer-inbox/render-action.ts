// What a reviewer reads about an action, built from the action and its parameters
// themselves, never from the agent's summary (wire contract, "Consent integrity"). Every
// parameter is shown exactly once; values are quoted and invisible characters escaped, so
// text inside a parameter can neither pass for part of the rendering nor hide from it.
import { ResolvedAction, Slot, escapeInvisible, fillTemplate, showValue, templateFields } from '@hitl/policy';
import { RenderedLine, Rendering } from '@hitl/reviewer-api';

/** What a redacted value reads as, in parameters and in the rendering. */
export const REDACTED = '•••• (redacted)';
const MISSING = '(missing)';

// Values read as the template engine shows them.
export { escapeInvisible, showValue };

/** The parts of an action's policy rendering reads; undefined for an action the manifest does not know. */
export type RenderPolicy = Pick<ResolvedAction, 'redact' | 'render' | 'severity' | 'reversible'>;

type Params = Record<string, unknown>;
type Path = readonly string[];

/** The manifest's `redact` paths (decision-relative, e.g. `parameters.card_number`) that fall under `root`. */
export function redactionsUnder(root: string, redact: readonly string[]): Path[] {
  return redact.filter((p) => p === root || p.startsWith(`${root}.`)).map((p) => (p === root ? [] : p.slice(root.length + 1).split('.')));
}

function isRedacted(path: Path, redactions: readonly Path[]): boolean {
  return redactions.some((r) => r.length <= path.length && r.every((segment, i) => path[i] === segment));
}

/** A copy of `value` (the decision's `root` field) with every redacted path replaced by REDACTED. */
export function redactAt(value: unknown, root: string, redact: readonly string[]): unknown {
  const redactions = redactionsUnder(root, redact);
  const walk = (v: unknown, path: string[]): unknown => {
    if (isRedacted(path, redactions)) return REDACTED;
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, String(i)]));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, [...path, k])]));
    return v;
  };
  return redactions.length === 0 ? value : walk(value, []);
}

/** Leaf paths and values of a parameter object; redacted subtrees are one leaf. */
function leaves(value: unknown, path: string[], redactions: readonly Path[]): { path: string[]; value: unknown; redacted: boolean }[] {
  if (isRedacted(path, redactions)) return [{ path, value: undefined, redacted: true }];
  const entries: [string, unknown][] | null = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : value !== null && typeof value === 'object'
      ? Object.entries(value)
      : null;
  if (entries === null || (entries.length === 0 && path.length > 0)) return [{ path, value, redacted: false }];
  return entries.flatMap(([key, v]) => leaves(v, [...path, key], redactions));
}

const pathLabel = (path: readonly string[]) => escapeInvisible(path.map((p) => (/^[A-Za-z0-9_-]+$/.test(p) ? p : JSON.stringify(p))).join('.'));

export function consequenceOf(policy: RenderPolicy | undefined): string {
  if (!policy) return 'unknown: the action is not in the manifest in force';
  return `${policy.severity} severity; ${policy.reversible ? 'reversible' : 'irreversible: it cannot be undone'}`;
}

/** What a template's field reads as: REDACTED if the manifest redacts it, else its value with whatever is redacted under it masked. */
function slotOf(redacted: unknown, path: string[], redactions: readonly Path[]): Slot {
  if (isRedacted(path, redactions)) return { redacted: true };
  let value: unknown = redacted;
  for (const key of path) {
    const own = value !== null && typeof value === 'object' && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, key);
    value = own ? (value as Params)[key] : undefined;
  }
  return { redacted: false, value };
}

/**
 * The plain-language rendering of `action` with `parameters`. The headline is the
 * manifest's `render` template where the action has one, else every parameter by name and
 * value (never a mere count). The details list every parameter once, by path, with its exact
 * value, the template's fields first. Paths the manifest redacts for this action read as
 * REDACTED wherever they appear, the headline included.
 */
export function renderAction(action: string, parameters: Params, policy: RenderPolicy | undefined): Rendering {
  const redactions = redactionsUnder('parameters', policy?.redact ?? []);
  const redacted = redactAt(parameters, 'parameters', policy?.redact ?? []) as Params;
  const template = policy?.render ?? null;
  const own = (key: string) => Object.prototype.hasOwnProperty.call(parameters, key);
  const first = template ? [...new Set(templateFields(template).map((path) => path[0]))].filter(own) : [];
  const keys = [...first, ...Object.keys(parameters).filter((key) => !first.includes(key))];
  const details: RenderedLine[] = keys
    .flatMap((key) => leaves(redacted[key], [key], redactions))
    .map((leaf) => ({ label: pathLabel(leaf.path), value: leaf.redacted ? REDACTED : showValue(leaf.value) }));
  const headline = template
    ? fillTemplate(template, (path) => slotOf(redacted, path, redactions), { redacted: REDACTED, missing: MISSING })
    : details.length === 0
      ? `Run ${showValue(action)} with no parameters.`
      : `Run ${showValue(action)} with ${details.map((d) => `${d.label}: ${d.value}`).join(', ')}.`;
  const consequence = consequenceOf(policy);
  const text = [headline, `Consequence: ${consequence}`, ...details.map((d) => `${d.label}: ${d.value}`)].join('\n');
  return { headline, details, consequence, template: template ? template.source : 'generic', text };
}
