// The rows of audit.events as COPY ... FROM STDIN reads them, in its text format: a line a
// row, columns split by tabs, NULL as \N, and in a value the four characters that would
// break the line apart (backslash, tab, newline, carriage return) written as backslash
// escapes. Anything else goes as it is, in UTF-8 (the connection's client encoding): the
// transport already refused text PostgreSQL cannot store (U+0000, lone surrogates).
import { AuditRecord, ChainedRecord } from '@hitl/audit-trail';
import { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

/** The columns written, in the order every line lists them: the chain's three last, so the rest of a line is written ahead. */
export const COPY_COLUMNS = [
  'event_id',
  'workspace',
  'topic',
  'type',
  'decision_id',
  'actor_kind',
  'actor_id',
  'action',
  'occurred_at',
  'manifest_version',
  'event',
  'verified',
  'signer',
  'refusal',
  'chain_index',
  'prev_hash',
  'hash',
] as const;

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One value in COPY's text format: \N for null, the separators escaped. */
export function copyValue(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  const text = typeof value === 'string' ? value : String(value);
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : text;
}

/** A line's start: every column but the chain's, each followed by its tab (the event as its JSON text). Written before the chain is locked. */
export function linePrefix(r: AuditRecord): string {
  return (
    `${copyValue(r.event_id)}\t${copyValue(r.workspace)}\t${copyValue(r.topic)}\t${copyValue(r.type)}\t${copyValue(r.decision_id)}\t` +
    `${copyValue(r.actor_kind)}\t${copyValue(r.actor_id)}\t${copyValue(r.action)}\t${copyValue(r.occurred_at)}\t${copyValue(r.manifest_version)}\t` +
    `${copyValue(JSON.stringify(r.event))}\t${copyValue(r.verified)}\t${copyValue(r.signer)}\t${copyValue(r.refusal)}\t`
  );
}

/** A row's whole line, newline included: its prefix (linePrefix) and the chain's columns. */
export function copyLine(r: ChainedRecord, prefix: string = linePrefix(r)): string {
  return `${prefix}${copyValue(r.chain_index)}\t${copyValue(r.prev_hash)}\t${copyValue(r.hash)}\n`;
}

/** Writes `lines` (copyLine's) into `table` with one COPY on `client` (in whatever transaction it is in); returns the rows written. */
export async function copyRows(client: ClientBase, table: string, lines: readonly string[]): Promise<number> {
  const data = lines.join('');
  const stream = client.query(copyFrom(`COPY ${table} (${COPY_COLUMNS.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from([Buffer.from(data, 'utf8')]), stream);
  return stream.rowCount;
}
