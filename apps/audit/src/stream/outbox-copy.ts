// The stream's messages into the audit's outbox with one binary COPY: the values go as their
// bytes (no hex, no array literal for PostgreSQL to parse), in order, so the outbox ids (and
// the relay's order) follow the chain. Rows as Outbox.publishRaw writes them.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RawOutboxMessage, encodeHeaders } from '@hitl/messaging';
import { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** The columns written; `id` and `created_at` take their defaults. */
export const OUTBOX_COPY_COLUMNS = ['topic', 'message_key', 'value', 'headers', 'event_id'] as const;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** One field: its length and bytes, or -1 for NULL. */
function field(bytes: Buffer | null): Buffer[] {
  return bytes === null ? [int32(-1)] : [int32(bytes.length), bytes];
}

/** The COPY BINARY data of `messages` (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4): header, a tuple each, trailer. */
export function outboxCopyData(messages: readonly RawOutboxMessage[]): Buffer {
  const parts: Buffer[] = [SIGNATURE, int32(0), int32(0)];
  for (const m of messages) {
    parts.push(
      int16(OUTBOX_COPY_COLUMNS.length),
      ...field(Buffer.from(m.topic, 'utf8')),
      ...field(m.key === null ? null : Buffer.from(m.key)),
      ...field(m.value),
      // jsonb's binary form: version 1, then the JSON text.
      ...field(Buffer.concat([Buffer.from([1]), Buffer.from(JSON.stringify(encodeHeaders(m.headers)), 'utf8')])),
      ...field(m.messageId === null ? null : Buffer.from(m.messageId, 'utf8')),
    );
  }
  parts.push(int16(-1));
  return Buffer.concat(parts);
}

/** Writes `messages` into `table` (a service's outbox) on `client`, in whatever transaction it is in. */
export async function copyToOutbox(client: ClientBase, table: string, messages: readonly RawOutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const stream = client.query(copyFrom(`COPY ${table} (${OUTBOX_COPY_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`));
  await pipeline(Readable.from([outboxCopyData(messages)]), stream);
  if (stream.rowCount !== messages.length) throw new Error(`COPY wrote ${stream.rowCount} outbox rows of ${messages.length}`);
}
