import { KEYMAP, commandFor, optionDigitFor } from './keys';

describe('the keyboard map', () => {
  it.each([
    ['a', 'browse', 'approve'],
    ['d', 'browse', 'deny'],
    ['e', 'browse', 'edit'],
    ['c', 'browse', 'clarify'],
    ['j', 'browse', 'next'],
    ['ArrowDown', 'browse', 'next'],
    ['k', 'browse', 'previous'],
    ['x', 'browse', 'toggle-select'],
    ['s', 'browse', 'select-similar'],
    ['b', 'browse', 'batch-approve'],
    ['r', 'browse', 'rollback'],
    ['q', 'browse', 'switch-queue'],
    ['?', 'browse', 'help'],
    ['Escape', 'browse', 'close'],
    ['z', 'browse', null],
    ['A', 'browse', null],
    // Typing a reason or a question never approves anything.
    ['a', 'form', null],
    ['Escape', 'form', 'close'],
    ['b', 'dialog', null],
    ['r', 'form', null],
    ['q', 'form', null],
    ['Escape', 'dialog', 'close'],
  ] as const)('%s while %s means %s', (key, mode, command) => {
    expect(commandFor(key, mode)).toBe(command);
  });

  it.each([[{ ctrl: true }], [{ alt: true }], [{ meta: true }]])('leaves keys with %j to the browser', (modifiers) => {
    expect(commandFor('a', 'browse', modifiers)).toBeNull();
  });

  it('gives every command one key of its own', () => {
    expect(new Set(KEYMAP.map((k) => k.key)).size).toBe(KEYMAP.length);
    expect(new Set(KEYMAP.map((k) => k.command)).size).toBe(KEYMAP.length);
  });
});

describe('the option keys', () => {
  it.each([
    ['1', 'browse', {}, 1],
    ['2', 'browse', {}, 2],
    ['9', 'browse', {}, 9],
    ['0', 'browse', {}, null],
    ['10', 'browse', {}, null],
    ['a', 'browse', {}, null],
    // A digit typed into a reason or an amount is text; a dialog has no options.
    ['2', 'form', {}, null],
    ['2', 'dialog', {}, null],
    ['2', 'browse', { ctrl: true }, null],
    ['2', 'browse', { alt: true }, null],
    ['2', 'browse', { meta: true }, null],
  ] as const)('%s while %s with %j chooses option %s', (key, mode, modifiers, digit) => {
    expect(optionDigitFor(key, mode, modifiers)).toBe(digit);
  });

  it('leaves the digits to the options: no command has one', () => {
    expect(KEYMAP.filter((k) => /^[0-9]$/.test(k.key))).toEqual([]);
  });
});
