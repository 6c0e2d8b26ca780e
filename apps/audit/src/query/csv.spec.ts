import { CSV_COLUMNS, csvField, csvLine } from './csv';

describe('CSV fields (RFC 4180)', () => {
  it.each([
    ['plain text as it is', 'refund-bot', 'refund-bot'],
    ['a number', 42, '42'],
    ['null as an empty field', null, ''],
    ['a comma quoted', 'a,b', '"a,b"'],
    ['quotes doubled inside quotes', 'say "hi"', '"say ""hi"""'],
    ['a line feed quoted', 'two\nlines', '"two\nlines"'],
    ['a carriage return quoted', 'a\rb', '"a\rb"'],
    ['JSON with commas and quotes', '{"a":1,"b":"x"}', '"{""a"":1,""b"":""x""}"'],
    ['a leading formula sign kept as written (the export is evidence)', '=SUM(A1)', '=SUM(A1)'],
    ['an empty string', '', ''],
  ])('%s', (_name, value, field) => {
    expect(csvField(value)).toBe(field);
  });

  it('ends each line with CRLF', () => {
    expect(csvLine(['a', 'b,c', null])).toBe('a,"b,c",\r\n');
  });

  it('has a column for each field of a row, event last', () => {
    expect(CSV_COLUMNS[0]).toBe('seq');
    expect(CSV_COLUMNS[CSV_COLUMNS.length - 1]).toBe('event');
    expect(new Set(CSV_COLUMNS).size).toBe(CSV_COLUMNS.length);
  });
});
