// COPY ... FROM STDIN with pg-copy-streams, the way the audit service writes its rows.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ClientBase } from 'pg';
import { from as copyStreamFrom } from 'pg-copy-streams';

/** A value in COPY's text format: \N for null, backslash escapes for the separators. */
export function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text =
    value instanceof Date
      ? value.toISOString()
      : Array.isArray(value)
        ? `{${value.join(',')}}`
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** Lines of COPY's text format for `rows` (arrays of column values, in the statement's column order). */
export function copyLines(rows: readonly (readonly unknown[])[]): string {
  let out = '';
  for (const row of rows) out += `${row.map(copyText).join('\t')}\n`;
  return out;
}

/** Runs `COPY <target> FROM STDIN` with `data` (text format) through pg-copy-streams, as the audit writes; returns the rows copied. */
export async function copyFrom(client: ClientBase, statement: string, data: string): Promise<number> {
  const stream = client.query(copyStreamFrom(statement));
  await pipeline(Readable.from([Buffer.from(data, 'utf8')]), stream);
  return stream.rowCount;
}
