// The keyboard map: one key per action. Pure: the key and what the screen is doing in, a command out.

export type Command =
  | 'approve'
  | 'deny'
  | 'edit'
  | 'clarify'
  | 'rollback'
  | 'next'
  | 'previous'
  | 'toggle-select'
  | 'select-similar'
  | 'batch-approve'
  | 'switch-queue'
  | 'help'
  | 'close';

/** What has the keyboard: the list and decision view, or a form (reason, question, editor), or a dialog. */
export type KeyMode = 'browse' | 'form' | 'dialog';

export const KEYMAP: { key: string; command: Command; label: string }[] = [
  { key: 'a', command: 'approve', label: 'approve (sends the edit when editing); after the fact: confirm it stands' },
  { key: 'd', command: 'deny', label: 'deny: type a reason, Enter sends' },
  { key: 'e', command: 'edit', label: 'edit the parameters (checked against the action’s schema)' },
  { key: 'c', command: 'clarify', label: 'ask the agent for clarification' },
  { key: 'r', command: 'rollback', label: 'after the fact: roll the action back, type a reason, Enter sends' },
  { key: 'j', command: 'next', label: 'next item' },
  { key: 'k', command: 'previous', label: 'previous item' },
  { key: 'x', command: 'toggle-select', label: 'select for a batch' },
  { key: 's', command: 'select-similar', label: 'select every similar item (same action, same agent)' },
  { key: 'b', command: 'batch-approve', label: 'approve the selection (Enter confirms)' },
  { key: 'q', command: 'switch-queue', label: 'switch queue: waiting on you / after the fact' },
  { key: '?', command: 'help', label: 'this help' },
  { key: 'Escape', command: 'close', label: 'close the form, dialog or help' },
];

const BY_KEY = new Map(KEYMAP.map((k) => [k.key, k.command]));

/**
 * The command a key press means, or null. In a form or dialog only Escape acts (typing
 * must never approve anything); modifiers (Ctrl, Alt, Meta) are the browser's.
 */
export function commandFor(key: string, mode: KeyMode, modifiers: { ctrl?: boolean; alt?: boolean; meta?: boolean } = {}): Command | null {
  if (modifiers.ctrl || modifiers.alt || modifiers.meta) return null;
  if (mode !== 'browse') return key === 'Escape' ? 'close' : null;
  if (key === 'ArrowDown') return 'next';
  if (key === 'ArrowUp') return 'previous';
  return BY_KEY.get(key) ?? null;
}

/** The keys that choose among the agent's options, as the help lists them (not commands: which option depends on the approval). */
export const OPTION_KEYS = {
  key: '1–9',
  label: 'choose the agent’s option of that number (again: no option); a then approves with it',
};

/**
 * The option number a key press chooses (1–9), or null. Like the commands, only while
 * browsing: a digit typed into a reason or an amount is text.
 */
export function optionDigitFor(key: string, mode: KeyMode, modifiers: { ctrl?: boolean; alt?: boolean; meta?: boolean } = {}): number | null {
  if (modifiers.ctrl || modifiers.alt || modifiers.meta || mode !== 'browse') return null;
  return /^[1-9]$/.test(key) ? Number(key) : null;
}
