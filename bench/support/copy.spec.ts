import { copyLines, copyText } from './copy';

describe('copyText (COPY text format)', () => {
  it.each([
    { value: null, expected: '\\N' },
    { value: undefined, expected: '\\N' },
    { value: 'plain', expected: 'plain' },
    { value: 42, expected: '42' },
    { value: true, expected: 'true' },
    { value: 'tab\there', expected: 'tab\\there' },
    { value: 'two\nlines\r', expected: 'two\\nlines\\r' },
    { value: 'back\\slash', expected: 'back\\\\slash' },
    { value: new Date('2026-01-02T03:04:05.006Z'), expected: '2026-01-02T03:04:05.006Z' },
    { value: { a: 'x\ty', b: [1] }, expected: '{"a":"x\\\\ty","b":[1]}' },
    { value: ['r1', 'r2'], expected: '{r1,r2}' },
  ])('$value', ({ value, expected }) => {
    expect(copyText(value)).toBe(expected);
  });
});

describe('copyLines', () => {
  it.each([
    { rows: [], expected: '' },
    { rows: [['a', 1, null]], expected: 'a\t1\t\\N\n' },
    {
      rows: [
        ['x', 'y'],
        ['z', 'w\n'],
      ],
      expected: 'x\ty\nz\tw\\n\n',
    },
  ])('$rows.length rows', ({ rows, expected }) => {
    expect(copyLines(rows)).toBe(expected);
  });
});
