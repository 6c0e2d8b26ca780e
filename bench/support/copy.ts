// COPY ... FROM STDIN with plain pg (pg-copy-streams is not a dependency): a submittable
// that answers the server's CopyInResponse with the data, in pieces, then CopyDone.
import { Client } from 'pg';

interface CopyConnection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  query(text: string): void;
}

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

/** Runs `COPY <target> FROM STDIN` with `data` (text format); returns the rows copied. */
export function copyFrom(client: Client, statement: string, data: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let copied = 0;
    let failure: Error | undefined;
    const submittable = {
      submit(connection: CopyConnection) {
        connection.query(statement);
      },
      handleCopyInResponse(connection: CopyConnection) {
        const bytes = Buffer.from(data);
        for (let i = 0; i < bytes.length; i += 1 << 16) connection.sendCopyFromChunk(bytes.subarray(i, i + (1 << 16)));
        connection.endCopyFrom();
      },
      handleCommandComplete(message: { text: string }) {
        copied = Number(message.text.split(' ').pop());
      },
      handleError(error: Error) {
        failure = error;
      },
      handleReadyForQuery() {
        if (failure) reject(failure);
        else resolve(copied);
      },
    };
    client.query(submittable as never);
  });
}
