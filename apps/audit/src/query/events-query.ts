// Searching the record as data: the query string's schema, the opaque keyset cursor and
// the SQL that reads one page in (occurred_at, seq) order. Pure: the caller runs the SQL.
import { EVENT_TYPES, ResolutionStatus } from '@hitl/contracts';
import { z } from 'zod';
import { DEAD_LETTER_TYPE, RETENTION_EVENT_TYPE } from './record-types';

export const SEARCH_MAX_LIMIT = 500;
export const SEARCH_DEFAULT_LIMIT = 100;
export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Every `type` a row of the record can have. */
export const RECORD_TYPES = [...EVENT_TYPES, DEAD_LETTER_TYPE, RETENTION_EVENT_TYPE] as const;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** A real instant written as RFC 3339 with a zone (a local time would mean different things on different machines). */
export function isRfc3339(text: string): boolean {
  const m = RFC3339.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60 && !Number.isNaN(Date.parse(text));
}

// Ids are matched as they are written (bound as parameters, never spliced into SQL).
const Id = z
  .string({ error: 'must be given once' })
  .trim()
  .min(1, { error: 'must not be blank' })
  .max(200, { error: 'must be at most 200 characters' })
  .regex(/^[^\p{Cc}]*$/u, { error: 'must not hold control characters' });

const Instant = z
  .string({ error: 'must be given once' })
  .refine(isRfc3339, { error: 'must be an RFC 3339 time with a zone, e.g. 2026-11-22T09:00:00Z' })
  .transform((text) => new Date(text));

const LIMIT = `must be a whole number from 1 to ${SEARCH_MAX_LIMIT}`;

/** The filters of GET /audit/events and GET /audit/export. */
const filters = {
  workspace: Id.optional().describe("The workspace to read; required unless the caller's token reads exactly one"),
  agent: Id.optional().describe(
    'What this agent did, or was done about its proposals (actor agent, or the agent named in the event); an event whose signature was refused is not what the agent did (find those with verified=false)',
  ),
  action: Id.optional().describe('Only this action, e.g. process_refund'),
  reviewer: Id.optional().describe('What this reviewer did (actor kind reviewer; never an event whose signature was refused)'),
  status: z
    .enum(ResolutionStatus.options, { error: `must be one of ${ResolutionStatus.options.join(', ')}` })
    .optional()
    .describe('Only resolutions (approval.resolved) with this status; one whose signature was refused is no resolution and never matches'),
  verified: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((text) => text === 'true')
    .optional()
    .describe(
      'true: only events whose signature verified; false: only events refused (kept, marked, never counted). Rows never checked (dead letters, retention records, rows from before signatures) match neither',
    ),
  type: z
    .enum(RECORD_TYPES, { error: 'must be an event type of the contract, hitl.dead_letter or hitl.audit.retention.v1' })
    .optional()
    .describe('Only this event type, e.g. hitl.approval.resolved.v1'),
  from: Instant.optional().describe('Occurred at or after this instant (RFC 3339)'),
  to: Instant.optional().describe('Occurred before this instant (RFC 3339)'),
};

const fromBeforeTo = (q: { from?: Date; to?: Date }) => q.from === undefined || q.to === undefined || q.from < q.to;
const LATER = { path: ['to'], error: 'must be later than from' };

/** GET /audit/events query parameters. */
export const SearchQuery = z
  .strictObject({
    ...filters,
    limit: z.coerce
      .number({ error: LIMIT })
      .int({ error: LIMIT })
      .min(1, { error: LIMIT })
      .max(SEARCH_MAX_LIMIT, { error: LIMIT })
      .default(SEARCH_DEFAULT_LIMIT)
      .describe(`Rows per page, at most ${SEARCH_MAX_LIMIT}`),
    cursor: z
      .string({ error: 'must be given once' })
      .transform((text, ctx) => {
        const position = decodeCursor(text);
        if (position === null) ctx.addIssue({ code: 'custom', message: 'is not a cursor of this API (use next_cursor of the previous page)' });
        return position ?? z.NEVER;
      })
      .optional()
      .describe('`next_cursor` of the previous page'),
  })
  .refine(fromBeforeTo, LATER);
// Named apart from the schema: decorator metadata would otherwise name the schema object as the parameter's type.
export type SearchParams = z.output<typeof SearchQuery>;

/** GET /audit/export query parameters: the search filters and a format. */
export const ExportQuery = z
  .strictObject({
    ...filters,
    format: z
      .enum(EXPORT_FORMATS, { error: 'must be ndjson or csv' })
      .default('ndjson')
      .describe('ndjson (one JSON object a line) or csv (a header row, RFC 4180 quoting)'),
  })
  .refine(fromBeforeTo, LATER);
export type ExportParams = z.output<typeof ExportQuery>;

export type EventFilters = Omit<SearchParams, 'limit' | 'cursor' | 'workspace'>;

/**
 * Where a page ended: the row's occurred_at as PostgreSQL writes it in UTC to the
 * microsecond (a JavaScript Date would round it) and its seq.
 */
export interface Position {
  occurred: string;
  seq: string;
}

const OCCURRED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const SEQ = /^[1-9]\d{0,18}$/;

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.occurred, position.seq]), 'utf8').toString('base64url');
}

/** The position a cursor names, or null when it is not one this API handed out. */
export function decodeCursor(cursor: string): Position | null {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return null;
  const [occurred, seq] = parsed as unknown[];
  if (typeof occurred !== 'string' || !OCCURRED.test(occurred) || Number.isNaN(Date.parse(occurred)) || typeof seq !== 'string' || !SEQ.test(seq)) return null;
  return { occurred, seq };
}

/** The columns every read selects; `occurred_key` is the cursor's form of occurred_at. */
export const EVENT_COLUMNS = `seq, event_id, workspace, chain_index, topic, type, decision_id, actor_kind, actor_id, action, occurred_at,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_key, recorded_at, manifest_version, event, prev_hash, hash,
  verified, signer, refusal`;

export interface Statement {
  text: string;
  params: unknown[];
}

/** One page of a workspace's rows matching `filters`, after `after`, in (occurred_at, seq) order; `limit` rows at most. */
export function searchStatement(events: string, workspace: string, filters: EventFilters, after: Position | null, limit: number): Statement {
  const params: unknown[] = [workspace];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ['workspace = $1'];
  if (filters.agent !== undefined) {
    const agent = p(filters.agent);
    // actor_kind is 'unverified' on a refused event, and a refused proposal is not the agent's proposal: neither matches.
    where.push(
      `((actor_kind = 'agent' AND actor_id = ${agent}) OR (verified IS NOT FALSE AND (event #>> '{data,agent,id}' = ${agent} OR event #>> '{data,decision,agent,id}' = ${agent})))`,
    );
  }
  if (filters.action !== undefined) where.push(`action = ${p(filters.action)}`);
  if (filters.reviewer !== undefined) where.push(`actor_kind = 'reviewer' AND actor_id = ${p(filters.reviewer)}`);
  // A refused resolution resolved nothing (rows from before signatures were checked still count).
  if (filters.status !== undefined)
    where.push(`type = 'hitl.approval.resolved.v1' AND verified IS NOT FALSE AND event #>> '{data,status}' = ${p(filters.status)}`);
  if (filters.verified !== undefined) where.push(`verified = ${p(filters.verified)}`);
  if (filters.type !== undefined) where.push(`type = ${p(filters.type)}`);
  if (filters.from !== undefined) where.push(`occurred_at >= ${p(filters.from.toISOString())}::timestamptz`);
  if (filters.to !== undefined) where.push(`occurred_at < ${p(filters.to.toISOString())}::timestamptz`);
  if (after !== null) where.push(`(occurred_at, seq) > (${p(after.occurred)}::timestamptz, ${p(after.seq)}::bigint)`);
  return { text: `SELECT ${EVENT_COLUMNS} FROM ${events} WHERE ${where.join(' AND ')} ORDER BY occurred_at, seq LIMIT ${p(limit)}`, params };
}
