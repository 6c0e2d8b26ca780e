import { once } from 'node:events';
import { ServerResponse } from 'node:http';
import { CSV_COLUMNS, csvLine, csvValues } from './csv';
import { AuditEventView } from './event-view';
import { ExportFormat } from './events-query';

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** What comes before the rows: CSV's header row. */
export function exportHead(format: ExportFormat): string {
  return format === 'csv' ? csvLine(CSV_COLUMNS) : '';
}

/** One page of rows in the export's format. */
export function exportChunk(format: ExportFormat, views: readonly AuditEventView[]): string {
  return views.map((view) => (format === 'csv' ? csvLine(csvValues(view)) : `${JSON.stringify(view)}\n`)).join('');
}

/**
 * Writes the export a page at a time, waiting for the client to take each one (so a slow
 * reader never makes the service hold the whole export), and stops reading the record
 * when the client goes away.
 */
export async function writeExport(response: ServerResponse, format: ExportFormat, pages: AsyncIterable<AuditEventView[]>): Promise<void> {
  await write(response, exportHead(format));
  for await (const views of pages) {
    if (response.destroyed) return;
    await write(response, exportChunk(format, views));
  }
  response.end();
}

async function write(response: ServerResponse, chunk: string): Promise<void> {
  if (chunk === '' || response.write(chunk)) return;
  const stop = new AbortController();
  try {
    await Promise.race([once(response, 'drain', { signal: stop.signal }), once(response, 'close', { signal: stop.signal })]);
  } finally {
    stop.abort();
  }
}
