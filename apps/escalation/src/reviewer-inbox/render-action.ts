// What a reviewer reads about an action, built from the action and its parameters
// themselves, never from the agent's summary (wire contract, "Consent integrity"). Every
// parameter is shown exactly once; values are quoted and invisible characters escaped, so
// text inside a parameter can neither pass for part of the rendering nor hide from it.
import { ResolvedAction } from '@hitl/policy';
import { RenderedLine, Rendering } from '@hitl/reviewer-api';

/** What a redacted value reads as, in parameters and in the rendering. */
export const REDACTED = '•••• (redacted)';

/** The parts of an action's policy rendering reads; undefined for an action the manifest does not know. */
export type RenderPolicy = Pick<ResolvedAction, 'redact' | 'amountField' | 'severity' | 'reversible'>;

type Params = Record<string, unknown>;
type Path = readonly string[];

/** A reader of one parameter's display, aware of redaction. */
interface View {
  has(key: string): boolean;
  /** The value as shown: quoted text, a number, JSON, REDACTED or `(missing)`. */
  show(key: string): string;
  raw(key: string): unknown;
}

interface Field {
  key: string;
  label: string;
  format?: (view: View, key: string) => string;
}

interface Template {
  fields: (policy: RenderPolicy | undefined) => Field[];
  headline: (view: View, policy: RenderPolicy | undefined) => string;
}

const MISSING = '(missing)';

// Zero-width, bidirectional overrides, Unicode tag characters (invisible text that models
// still read) and other format characters, and line/paragraph separators: they could make
// a value read differently from what it is.
const INVISIBLE = /[\p{Cf}\u2028\u2029]/gu;

/** Escapes what could make text look other than it is (JSON already escapes control characters). */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A value as inert text: strings quoted, everything else as compact JSON. */
export function showValue(value: unknown): string {
  if (value === undefined) return MISSING;
  return escapeInvisible(JSON.stringify(value) ?? String(value));
}

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

function money(view: View, key: string, currencyKey = 'currency'): string {
  const amount = view.raw(key);
  if (typeof amount !== 'number' || !Number.isFinite(amount)) return view.show(key);
  const stated = view.raw(currencyKey);
  const currency = typeof stated === 'string' && /^[A-Za-z]{3}$/.test(stated) ? stated.toUpperCase() : key.endsWith('_usd') ? 'USD' : null;
  if (currency === null) return String(amount);
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
}

const optional = (view: View, key: string, text: (shown: string) => string) => (view.has(key) ? text(view.show(key)) : '');

/** Per-action templates for the refunds manifest's actions. */
const TEMPLATES: Record<string, Template> = {
  process_refund: {
    fields: (policy) => [
      { key: 'order_id', label: 'Order' },
      { key: policy?.amountField ?? 'amount_usd', label: 'Amount', format: (v, k) => money(v, k) },
      { key: 'currency', label: 'Currency' },
      { key: 'customer_tier', label: 'Customer tier' },
      { key: 'card_number', label: 'Card' },
    ],
    headline: (v, policy) =>
      `Refund ${money(v, policy?.amountField ?? 'amount_usd')} for order ${v.show('order_id')}${optional(v, 'customer_tier', (t) => ` (customer tier ${t})`)}.`,
  },
  send_customer_email: {
    fields: () => [
      { key: 'to', label: 'To' },
      { key: 'subject', label: 'Subject' },
      { key: 'body', label: 'Body (exact text sent)' },
    ],
    headline: (v) => `Send an email to ${v.show('to')} with the subject ${v.show('subject')}.`,
  },
  cancel_subscription: {
    fields: () => [
      { key: 'subscription_id', label: 'Subscription' },
      { key: 'reason', label: 'Reason' },
    ],
    headline: (v) => `Cancel subscription ${v.show('subscription_id')}${optional(v, 'reason', (r) => ` because ${r}`)}.`,
  },
  close_ticket: {
    fields: () => [
      { key: 'ticket_id', label: 'Ticket' },
      { key: 'resolution', label: 'Resolution' },
    ],
    headline: (v) => `Close ticket ${v.show('ticket_id')}${optional(v, 'resolution', (r) => ` as ${r}`)}.`,
  },
  query_crm: {
    fields: () => [
      { key: 'customer_id', label: 'Customer' },
      { key: 'query', label: 'Query' },
    ],
    headline: (v) =>
      `Read CRM records${optional(v, 'customer_id', (c) => ` of customer ${c}`)}${optional(v, 'query', (q) => ` matching ${q}`)} (changes nothing).`,
  },
  create_jira_ticket: {
    fields: () => [
      { key: 'project', label: 'Project' },
      { key: 'summary', label: 'Title' },
      { key: 'issue_type', label: 'Type' },
      { key: 'priority', label: 'Priority' },
      { key: 'description', label: 'Description' },
    ],
    headline: (v) => `Create a Jira ticket in project ${v.show('project')}: ${v.show('summary')}.`,
  },
};

export function consequenceOf(policy: RenderPolicy | undefined): string {
  if (!policy) return 'unknown: the action is not in the manifest in force';
  return `${policy.severity} severity; ${policy.reversible ? 'reversible' : 'irreversible: it cannot be undone'}`;
}

/**
 * The plain-language rendering of `action` with `parameters`: a per-action template
 * where there is one, else every parameter listed by path. Paths the manifest redacts for
 * this action read as REDACTED wherever they appear.
 */
export function renderAction(action: string, parameters: Params, policy: RenderPolicy | undefined): Rendering {
  const redactions = redactionsUnder('parameters', policy?.redact ?? []);
  const redacted = redactAt(parameters, 'parameters', policy?.redact ?? []) as Params;
  const own = (key: string) => Object.prototype.hasOwnProperty.call(parameters, key);
  const view: View = {
    has: own,
    raw: (key) => (own(key) && !isRedacted([key], redactions) ? parameters[key] : undefined),
    show: (key) => (isRedacted([key], redactions) ? REDACTED : showValue(own(key) ? redacted[key] : undefined)),
  };
  const template = Object.prototype.hasOwnProperty.call(TEMPLATES, action) ? TEMPLATES[action] : undefined;
  const fields = template?.fields(policy) ?? [];
  const shownKeys = new Set(fields.map((f) => f.key));
  const details: RenderedLine[] = fields.filter((f) => own(f.key)).map((f) => ({ label: f.label, value: f.format ? f.format(view, f.key) : view.show(f.key) }));
  const rest = Object.keys(parameters).filter((key) => !shownKeys.has(key));
  for (const leaf of rest.flatMap((key) => leaves(redacted[key], [key], redactions))) {
    details.push({ label: pathLabel(leaf.path), value: leaf.redacted ? REDACTED : showValue(leaf.value) });
  }
  const count = Object.keys(parameters).length;
  const headline = template
    ? template.headline(view, policy)
    : `Run ${showValue(action)} with ${count} parameter${count === 1 ? '' : 's'}${count === 0 ? '' : ' (listed below)'}.`;
  const consequence = consequenceOf(policy);
  const text = [headline, `Consequence: ${consequence}`, ...details.map((d) => `${d.label}: ${d.value}`)].join('\n');
  return { headline, details, consequence, template: template ? action : 'generic', text };
}
