import { commandFor } from './keys';

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
    ['?', 'browse', 'help'],
    ['Escape', 'browse', 'close'],
    ['z', 'browse', null],
    ['A', 'browse', null],
    // Typing a reason or a question never approves anything.
    ['a', 'form', null],
    ['Escape', 'form', 'close'],
    ['b', 'dialog', null],
    ['Escape', 'dialog', 'close'],
  ] as const)('%s while %s means %s', (key, mode, command) => {
    expect(commandFor(key, mode)).toBe(command);
  });

  it.each([[{ ctrl: true }], [{ alt: true }], [{ meta: true }]])('leaves keys with %j to the browser', (modifiers) => {
    expect(commandFor('a', 'browse', modifiers)).toBeNull();
  });
});
