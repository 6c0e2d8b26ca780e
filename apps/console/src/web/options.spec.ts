import { AgentOption, choose, chosenOption, optionByDigit, optionName, readOptions } from './options';

const three = [
  { key: 'refund_full', label: 'Refund in full' },
  { key: 'refund_part', label: 'Refund half' },
  { key: 'replace', label: 'Send a replacement' },
];
const twelve = Array.from({ length: 12 }, (_, i) => ({ key: `o${i + 1}`, label: `Option ${i + 1}` }));

describe('the agent’s options, read from its context', () => {
  it.each([
    ['no context', null, [], 0],
    ['no options', { situation: 'The blender arrived cracked.' }, [], 0],
    ['options null', { options: null }, [], 0],
    ['options not a list', { options: 'refund_full' }, [], 1],
    ['options an object', { options: { key: 'a', label: 'A' } }, [], 1],
    ['an empty list', { options: [] }, [], 0],
    [
      'three options',
      { options: three },
      [
        ['refund_full', 1],
        ['refund_part', 2],
        ['replace', 3],
      ],
      0,
    ],
    // Agent-written: anything not a { key, label } of strings cannot be chosen, and says so.
    ['a string entry', { options: ['refund_full', three[1]] }, [['refund_part', 1]], 1],
    ['a null entry', { options: [null, three[0]] }, [['refund_full', 1]], 1],
    ['a list entry', { options: [['a', 'b'], three[0]] }, [['refund_full', 1]], 1],
    ['a number key', { options: [{ key: 2, label: 'Two' }] }, [], 1],
    ['a blank key', { options: [{ key: '  ', label: 'Blank' }] }, [], 1],
    ['no label', { options: [{ key: 'a' }] }, [], 1],
    ['a key the approve route refuses (over 200 characters)', { options: [{ key: 'k'.repeat(201), label: 'Long' }] }, [], 1],
    ['a key of 200 characters', { options: [{ key: 'k'.repeat(200), label: 'Long' }] }, [['k'.repeat(200), 1]], 0],
    // Choosing the second would hand the agent the first's key: only the first is offered.
    [
      'a key used twice',
      { options: [three[0], { key: 'refund_full', label: 'Something else' }, three[2]] },
      [
        ['refund_full', 1],
        ['replace', 2],
      ],
      1,
    ],
    ['an empty label (shown by its key)', { options: [{ key: 'a', label: '' }] }, [['a', 1]], 0],
    ['extra fields', { options: [{ ...three[0], cost: 120 }] }, [['refund_full', 1]], 0],
    // Past the ninth there is no digit: chosen by click.
    ['twelve options', { options: twelve }, twelve.map((o, i) => [o.key, i < 9 ? i + 1 : null]), 0],
  ] as const)('%s', (_, context, expected, unreadable) => {
    const read = readOptions(context as Record<string, unknown> | null);
    expect(read.options.map((o) => [o.key, o.digit])).toEqual(expected);
    expect(read.unreadable).toBe(unreadable);
  });
});

describe('choosing an option', () => {
  const { options } = readOptions({ options: three });
  const { options: many } = readOptions({ options: twelve });

  it.each([
    [options, 1, 'refund_full'],
    [options, 2, 'refund_part'],
    [options, 3, 'replace'],
    // A digit past the options does nothing.
    [options, 4, null],
    [[], 1, null],
    [many, 9, 'o9'],
    [many, 10, null],
  ] as const)('digit %# chooses %s', (offered, digit, key) => {
    expect(optionByDigit(offered as AgentOption[], digit)?.key ?? null).toBe(key);
  });

  it.each([
    [null, 'refund_part', 'refund_part'],
    ['refund_full', 'refund_part', 'refund_part'],
    // The chosen one again: none.
    ['refund_part', 'refund_part', null],
  ])('chosen %s, choosing %s gives %s', (chosen, key, after) => {
    expect(choose(chosen, key)).toBe(after);
  });

  it.each([
    [null, null],
    ['refund_part', 'refund_part'],
    // A choice the approval no longer offers is no choice.
    ['gone', null],
  ])('chosen %s is %s on screen', (chosen, key) => {
    expect(chosenOption(options, chosen)?.key ?? null).toBe(key);
  });

  it.each([
    [{ key: 'refund_part', label: 'Refund half', digit: 2 }, '2. Refund half'],
    [{ key: 'o10', label: 'Option 10', digit: null }, 'Option 10'],
    [{ key: 'a', label: ' ', digit: 1 }, '1. a'],
  ])('names %j "%s"', (option, name) => {
    expect(optionName(option)).toBe(name);
  });
});
