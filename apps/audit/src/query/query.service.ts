import { Injectable } from '@nestjs/common';
import { Auditor, canRead, scopedWorkspace } from '@hitl/service-kit';
import { AuditEventView, EventRow, viewOf } from './event-view';
import { EventFilters, ExportParams, Position, SearchParams, encodeCursor } from './events-query';
import { EventsReader } from './events.reader';
import { decisionNotFound, decisionOutOfScope } from './query.errors';

/** How the decision was resolved, from its first approval.resolved that was not refused. */
export interface TimelineResolution {
  event_id: string;
  status: string;
  resolved_by: { kind: string; id: string };
  signer: string | null;
  summary: string;
}

export interface Timeline {
  decision_id: string;
  /** The workspaces its rows are in (one, unless an agent reused the id elsewhere). */
  workspaces: string[];
  /** Null while unresolved. A refused resolution (forged, or signed by the wrong service) never is the resolution. */
  resolution: TimelineResolution | null;
  steps: AuditEventView[];
}

export interface EventsPage {
  items: AuditEventView[];
  /** Pass as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
}

/** An export: the workspace it reads (checked before anything is sent) and its rows, a page at a time. */
export interface ExportRun {
  workspace: string;
  pages: AsyncIterable<AuditEventView[]>;
}

/** Rows read per query while exporting: memory stays flat whatever the export's size. */
const EXPORT_PAGE = 1_000;

const positionOf = (row: EventRow): Position => ({ occurred: row.occurred_key, seq: row.seq });

/** The first resolution whose signature was not refused (rows from before signatures were checked count). */
export function resolutionOf(steps: readonly AuditEventView[]): TimelineResolution | null {
  const step = steps.find((s) => s.type === 'hitl.approval.resolved.v1' && s.status !== 'refused');
  if (!step) return null;
  const data = (step.event.data ?? {}) as { status?: unknown; resolved_by?: { kind?: unknown; id?: unknown } };
  return {
    event_id: step.event_id,
    status: String(data.status),
    resolved_by: { kind: String(data.resolved_by?.kind), id: String(data.resolved_by?.id) },
    signer: step.signer,
    summary: step.summary,
  };
}

/** The auditor's reads: every one scoped to the workspaces their token may read. */
@Injectable()
export class QueryService {
  constructor(private readonly reader: EventsReader) {}

  async timeline(auditor: Auditor, decisionId: string): Promise<Timeline> {
    const rows = await this.reader.ofDecision(decisionId);
    if (rows.length === 0) throw decisionNotFound(decisionId);
    const readable = rows.filter((row) => canRead(auditor, row.workspace));
    if (readable.length === 0) throw decisionOutOfScope(decisionId);
    const steps = readable.map(viewOf);
    return { decision_id: decisionId, workspaces: [...new Set(readable.map((r) => r.workspace))], resolution: resolutionOf(steps), steps };
  }

  async search(auditor: Auditor, query: SearchParams): Promise<EventsPage> {
    const { workspace, limit, cursor, ...filters } = query;
    const rows = await this.reader.page(scopedWorkspace(auditor, workspace), filters, cursor ?? null, limit + 1);
    const items = rows.slice(0, limit);
    return { items: items.map(viewOf), next_cursor: rows.length > limit ? encodeCursor(positionOf(items[items.length - 1])) : null };
  }

  /** Throws (403, 400) before anything is read; the pages are read as the response is written. */
  export(auditor: Auditor, query: ExportParams): ExportRun {
    const { workspace: requested, format: _format, ...filters } = query;
    const workspace = scopedWorkspace(auditor, requested);
    return { workspace, pages: this.pages(workspace, filters) };
  }

  private async *pages(workspace: string, filters: EventFilters): AsyncGenerator<AuditEventView[]> {
    let after: Position | null = null;
    for (;;) {
      const rows = await this.reader.page(workspace, filters, after, EXPORT_PAGE);
      if (rows.length > 0) yield rows.map(viewOf);
      if (rows.length < EXPORT_PAGE) return;
      after = positionOf(rows[rows.length - 1]);
    }
  }
}
