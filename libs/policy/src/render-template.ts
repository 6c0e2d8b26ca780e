// The plain-language line reviewers read about an action (manifest v1.1 `render`): a
// logic-less template over the action's parameters, e.g.
// `Refund {{amount_usd | money: currency}} for order {{order_id}}.` No conditions, no loops,
// no expressions: fixed text from the manifest and fields from the parameters, each with at
// most one formatter. Values are inserted once, as inert text, after the template is parsed:
// a value that looks like template syntax or markup is only ever text.

/** The formatters a placeholder may name, with how many fields each takes as argument. */
export const FORMATTERS = {
  /** A number as money: `$1,234.50`; `money: currency` takes the ISO 4217 code from that field (US dollars when it is absent, a note when it holds anything else). */
  money: { args: [0, 1] },
  /** An ISO 8601 date or date-time as a day, in UTC: `3 Dec 2026`. */
  date: { args: [0, 0] },
  /** An ISO 8601 date-time with its offset, in UTC: `3 Dec 2026, 14:25 UTC`. */
  datetime: { args: [0, 0] },
  /** An array's items, each shown as a value, separated by commas; `(none)` when empty. */
  list: { args: [0, 0] },
} as const;
export type Formatter = keyof typeof FORMATTERS;

export type TemplatePart = { text: string } | { field: string[]; format: Formatter | null; arg: string[] | null };

/** A parsed `render` template. */
export interface ActionTemplate {
  /** The template as the manifest wrote it. */
  source: string;
  parts: TemplatePart[];
  /** Serialized (GET /manifest, logs), a template is its source. */
  toJSON(): string;
}

/** What a placeholder reads: a value (undefined when the parameter is missing), or a value the manifest redacts. */
export type Slot = { redacted: true } | { redacted: false; value: unknown };

/** The words for what a reader may not see or what is not there. */
export interface Marks {
  redacted: string;
  missing: string;
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;
// Control, format (zero-width, bidirectional overrides, tags) and separator characters: the
// template's own text must read as what it is, on one line.
const UNSEEN = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
const MAX_LENGTH = 500;

/**
 * Parses a template; `problems` say what is wrong with it, in the manifest author's words.
 * `parsed` is what could be read of it even so (so its fields can be checked too).
 */
export function parseTemplate(source: string): { template: ActionTemplate | null; parsed: ActionTemplate; problems: string[] } {
  const problems: string[] = [];
  if (source.trim() === '') problems.push('is empty');
  if (source.length > MAX_LENGTH) problems.push(`is ${source.length} characters long; at most ${MAX_LENGTH}`);
  if (UNSEEN.test(source)) problems.push('has a line break, control or invisible character; a template is one line of plain text');
  const parts: TemplatePart[] = [];
  let rest = source;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    const text = open < 0 ? rest : rest.slice(0, open);
    if (text.includes('}}')) problems.push('has "}}" without "{{" before it');
    if (text !== '') parts.push({ text });
    if (open < 0) break;
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) {
      problems.push(`has "{{" without "}}" after it: ${rest.slice(open)}`);
      break;
    }
    const inner = rest.slice(open + 2, close);
    const placeholder = parsePlaceholder(inner);
    if ('problem' in placeholder) problems.push(`{{${inner}}}: ${placeholder.problem}`);
    else parts.push(placeholder);
    rest = rest.slice(close + 2);
  }
  const parsed: ActionTemplate = { source, parts, toJSON: () => source };
  return { template: problems.length > 0 ? null : parsed, parsed, problems };
}

function parsePlaceholder(inner: string): Extract<TemplatePart, { field: string[] }> | { problem: string } {
  if (inner.includes('{{')) return { problem: 'placeholders do not nest' };
  const [fieldText, ...pipes] = inner.split('|').map((s) => s.trim());
  if (!FIELD.test(fieldText)) return { problem: `"${fieldText}" is not a field name (letters, digits, _ and -, nested fields joined by dots)` };
  const field = fieldText.split('.');
  if (pipes.length === 0) return { field, format: null, arg: null };
  if (pipes.length > 1) return { problem: 'at most one formatter' };
  const [nameText, ...args] = pipes[0].split(':').map((s) => s.trim());
  if (!Object.prototype.hasOwnProperty.call(FORMATTERS, nameText)) {
    return { problem: `unknown formatter "${nameText}" (known: ${Object.keys(FORMATTERS).join(', ')})` };
  }
  const format = nameText as Formatter;
  const [least, most] = FORMATTERS[format].args;
  if (args.length < least || args.length > most) return { problem: most === 0 ? `${format} takes no argument` : `${format} takes at most ${most} field` };
  if (args.length === 0) return { field, format, arg: null };
  if (!FIELD.test(args[0])) return { problem: `"${args[0]}" is not a field name` };
  return { field, format, arg: args[0].split('.') };
}

/** Every field a template reads, in order of first use (formatter arguments included). */
export function templateFields(template: ActionTemplate): string[][] {
  const seen = new Map<string, string[]>();
  for (const part of template.parts) {
    if (!('field' in part)) continue;
    for (const path of part.arg ? [part.field, part.arg] : [part.field]) if (!seen.has(path.join('.'))) seen.set(path.join('.'), path);
  }
  return [...seen.values()];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The fields a template reads that the action's `parameters_schema` does not declare (by
 * `properties`, nested objects' included): what exists is what the schema says exists.
 */
export function undeclaredFields(template: ActionTemplate, parametersSchema: Record<string, unknown> | undefined): string[] {
  const declared = (path: string[]) => {
    let schema: unknown = parametersSchema;
    for (const key of path) {
      const properties = isObject(schema) ? schema.properties : undefined;
      if (!isObject(properties) || !Object.prototype.hasOwnProperty.call(properties, key)) return false;
      schema = properties[key];
    }
    return true;
  };
  return templateFields(template)
    .filter((path) => !declared(path))
    .map((path) => path.join('.'));
}

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

/** A value as inert text: strings quoted, everything else as compact JSON; `missing` when there is none. */
export function showValue(value: unknown, missing = '(missing)'): string {
  if (value === undefined) return missing;
  return escapeInvisible(JSON.stringify(value) ?? String(value));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A time needs its offset: without one, which moment it names depends on where it is read.
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** The moment an ISO 8601 text names, and whether it has a time; null for anything else (a calendar date that does not exist included). */
function instant(value: unknown): { at: Date; hasTime: boolean } | null {
  if (typeof value !== 'string') return null;
  const day = ISO_DATE.exec(value);
  const time = day ? null : ISO_DATE_TIME.exec(value);
  const fields = day ?? time;
  if (!fields) return null;
  const [year, month, date] = [Number(fields[1]), Number(fields[2]), Number(fields[3])];
  const real = new Date(Date.UTC(year, month - 1, date));
  if (real.getUTCFullYear() !== year || real.getUTCMonth() !== month - 1 || real.getUTCDate() !== date) return null;
  if (time && (Number(time[4]) > 23 || Number(time[5]) > 59 || Number(time[6] ?? 0) > 59)) return null;
  const at = day ? real : new Date(value.replace(' ', 'T'));
  return Number.isNaN(at.getTime()) ? null : { at, hasTime: time !== null };
}

const dayOf = (d: Date) => `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
const pad = (n: number) => String(n).padStart(2, '0');

function money(amount: unknown, currency: { field: string; slot: Slot } | null, marks: Marks): string {
  if (typeof amount !== 'number' || !Number.isFinite(amount)) return showValue(amount, marks.missing);
  const slot = currency?.slot ?? { redacted: false, value: undefined };
  if (slot.redacted) return `${amount} ${marks.redacted}`;
  const code = slot.value === undefined ? 'USD' : slot.value;
  // Whatever else the field holds stays out of the line (it is listed with the parameters): it could be any text.
  if (typeof code !== 'string' || !/^[A-Za-z]{3}$/.test(code)) return `${amount} (${currency?.field}: not a currency code)`;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: code.toUpperCase() }).format(amount);
}

function format(value: unknown, part: Extract<TemplatePart, { field: string[] }>, read: (path: string[]) => Slot, marks: Marks): string {
  switch (part.format) {
    case null:
      return showValue(value, marks.missing);
    case 'money':
      return money(value, part.arg ? { field: part.arg.join('.'), slot: read(part.arg) } : null, marks);
    case 'date':
    case 'datetime': {
      const when = instant(value);
      if (!when) return showValue(value, marks.missing);
      const { at, hasTime } = when;
      return part.format === 'date' || !hasTime ? dayOf(at) : `${dayOf(at)}, ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())} UTC`;
    }
    case 'list':
      if (!Array.isArray(value)) return showValue(value, marks.missing);
      return value.length === 0 ? '(none)' : value.map((item) => showValue(item, marks.missing)).join(', ');
  }
}

/**
 * The template with each placeholder replaced by its field's value, read through `read`
 * (which knows what the manifest redacts): a redacted field reads as `marks.redacted`
 * whatever its formatter.
 */
export function fillTemplate(template: ActionTemplate, read: (path: string[]) => Slot, marks: Marks): string {
  return template.parts
    .map((part) => {
      if (!('field' in part)) return part.text;
      const slot = read(part.field);
      return slot.redacted ? marks.redacted : format(slot.value, part, read, marks);
    })
    .join('');
}
