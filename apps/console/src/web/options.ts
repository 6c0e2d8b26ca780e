// The agent's options (its context's `options`), as choices a reviewer makes with keys 1–9.
// Pure. The context is written by the agent: its shape is checked here, never assumed.

/** One option the reviewer may choose: `key` is what the agent receives as `chosen_option`. */
export interface AgentOption {
  key: string;
  label: string;
  /** The digit that chooses it (1–9); null past the ninth, which is chosen by click. */
  digit: number | null;
}

export interface AgentOptions {
  options: AgentOption[];
  /**
   * Entries that cannot be offered: not a `{ key, label }` of strings, a blank key, a key the
   * approve route would refuse (longer than it takes), or a key already used by an earlier
   * entry (choosing it would hand the agent the other entry's meaning).
   */
  unreadable: number;
}

/** The longest `chosen_option` the escalation's approve route takes. */
export const MAX_OPTION_KEY = 200;

/** How many options have a key of their own: the digits 1 to 9. */
export const KEYED_OPTIONS = 9;

const NONE: AgentOptions = { options: [], unreadable: 0 };

/** The options the agent offered in its context, in its order; none when it offered none or `options` is not a list. */
export function readOptions(context: Record<string, unknown> | null | undefined): AgentOptions {
  const raw = context?.options;
  if (raw === undefined || raw === null) return NONE;
  if (!Array.isArray(raw)) return { options: [], unreadable: 1 };
  const options: AgentOption[] = [];
  const seen = new Set<string>();
  let unreadable = 0;
  for (const entry of raw as unknown[]) {
    const key = isRecord(entry) ? entry.key : undefined;
    const label = isRecord(entry) ? entry.label : undefined;
    if (typeof key !== 'string' || key.trim() === '' || key.length > MAX_OPTION_KEY || typeof label !== 'string' || seen.has(key)) {
      unreadable += 1;
      continue;
    }
    seen.add(key);
    options.push({ key, label, digit: options.length < KEYED_OPTIONS ? options.length + 1 : null });
  }
  return { options, unreadable };
}

/** The option a digit chooses, or null (no such option: the key does nothing). */
export function optionByDigit(options: AgentOption[], digit: number): AgentOption | null {
  return options.find((o) => o.digit === digit) ?? null;
}

/**
 * The choice after choosing `key`: choosing the chosen option again clears the choice (as `x`
 * does for the selection), any other replaces it.
 */
export function choose(chosen: string | null, key: string): string | null {
  return chosen === key ? null : key;
}

/** The chosen option if the open approval still offers it (a choice never outlives its approval's options). */
export function chosenOption(options: AgentOption[], chosen: string | null): AgentOption | null {
  return chosen === null ? null : (options.find((o) => o.key === chosen) ?? null);
}

/** How the panel names an option: its number (if it has a key) and the agent's label, or its key when the label is blank. */
export function optionName(option: AgentOption): string {
  const words = option.label.trim() === '' ? option.key : option.label;
  return option.digit === null ? words : `${option.digit}. ${words}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
