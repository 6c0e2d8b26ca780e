// CSV as RFC 4180 writes it: a header row, CRLF line ends, and a field quoted (its quotes
// doubled) when it holds a comma, a quote or a line break. Values are written as they are
// recorded: the export is evidence, so nothing is rewritten (open it as text, not formulas).
import { AuditEventView } from './event-view';

export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export const CSV_COLUMNS = [
  'seq',
  'workspace',
  'chain_index',
  'event_id',
  'time',
  'recorded_at',
  'type',
  'step',
  'decision_id',
  'actor_kind',
  'actor_id',
  'action',
  'manifest_version',
  'summary',
  'status',
  'verified',
  'signer',
  'refusal',
  'prev_hash',
  'hash',
  'event',
] as const;

/** One view as the values of CSV_COLUMNS; the event is its JSON. */
export function csvValues(view: AuditEventView): (string | number | boolean | null)[] {
  return [
    view.seq,
    view.workspace,
    view.chain_index,
    view.event_id,
    view.time,
    view.recorded_at,
    view.type,
    view.step,
    view.decision_id,
    view.actor.kind,
    view.actor.id,
    view.action,
    view.manifest_version,
    view.summary,
    view.status,
    view.verified,
    view.signer,
    view.refusal,
    view.prev_hash,
    view.hash,
    JSON.stringify(view.event),
  ];
}
