// Tables as Markdown: the same text is printed and appended to docs/benchmarks.md.

export type Cell = string | number;

/** A number for a table: NaN as "n/a", whole numbers grouped, the rest with `digits` decimals. */
export function formatNumber(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Number.isInteger(value)) return value.toLocaleString('en-US').replace(/,/g, ' ');
  return value.toFixed(digits);
}

/** A Markdown table, columns padded so it also reads in a terminal. */
export function formatTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = [header, ...rows].map((row) => {
    if (row.length !== header.length) throw new Error(`a row has ${row.length} cells, the header ${header.length}`);
    return row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell));
  });
  const widths = header.map((_, i) => Math.max(3, ...text.map((row) => row[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(text[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...text.slice(1).map(line)].join('\n');
}
