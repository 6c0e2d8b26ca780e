import { formatNumber, formatTable } from './table';

describe('formatNumber', () => {
  it.each([
    { value: 0, digits: 2, expected: '0' },
    { value: 1234567, digits: 2, expected: '1 234 567' },
    { value: 0.7, digits: 2, expected: '0.70' },
    { value: 12.3456, digits: 1, expected: '12.3' },
    { value: -3.5, digits: 2, expected: '-3.50' },
    { value: Number.NaN, digits: 2, expected: 'n/a' },
    { value: Infinity, digits: 2, expected: 'n/a' },
  ])('$value with $digits digits is "$expected"', ({ value, digits, expected }) => {
    expect(formatNumber(value, digits)).toBe(expected);
  });
});

describe('formatTable', () => {
  it.each([
    {
      name: 'pads every column to its widest cell',
      header: ['path', 'rate'],
      rows: [
        ['raw', 12000],
        ['router', 0.75],
      ],
      expected: ['| path   | rate   |', '|--------|--------|', '| raw    | 12 000 |', '| router | 0.75   |'].join('\n'),
    },
    {
      name: 'keeps columns at least three wide',
      header: ['a'],
      rows: [[''], [Number.NaN]],
      expected: ['| a   |', '|-----|', '|     |', '| n/a |'].join('\n'),
    },
    {
      name: 'prints a header alone',
      header: ['figure', 'MiB'],
      rows: [],
      expected: ['| figure | MiB |', '|--------|-----|'].join('\n'),
    },
  ])('$name', ({ header, rows, expected }) => {
    expect(formatTable(header, rows)).toBe(expected);
  });

  it('refuses a row of the wrong width', () => {
    expect(() => formatTable(['a', 'b'], [['only one']])).toThrow('a row has 1 cells, the header 2');
  });
});
