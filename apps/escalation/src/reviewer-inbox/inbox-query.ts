// "My inbox" as data: the query string's schema, the opaque cursor, and the SQL that
// selects what a reviewer may decide, in the order they should decide it. Pure: the
// caller runs the SQL. The filter is `refuse(actor, state, 'deny') === null` of
// libs/approvals written for PostgreSQL (the integration spec checks the two agree).
import { ApprovalRoute, Urgency } from '@hitl/contracts';
import { Actor } from '@hitl/approvals';
import { InboxQueue } from '@hitl/reviewer-api';
import { z } from 'zod';

export const INBOX_MAX_LIMIT = 200;
export const INBOX_DEFAULT_LIMIT = 50;

const Id = z.string().trim().min(1, { error: 'must not be blank' }).max(200, { error: 'must be at most 200 characters' });

/** The queue an approval of `route` is in. */
export const queueOf = (route: ApprovalRoute): InboxQueue => (route === 'post_review' ? 'post_review' : 'blocking');

/** GET /approvals query parameters. */
export const InboxQuery = z
  .strictObject({
    queue: InboxQueue.default('blocking').describe(
      '`blocking` (default): what agents wait on (human review, escalations, clarifications), by urgency then deadline; `post_review`: actions that already ran, reviewed after the fact, by the end of their review window',
    ),
    assigned: z
      .enum(['me', 'queue', 'all'], { error: 'must be me, queue or all' })
      .default('all')
      .describe("`me`: assigned to the caller; `queue`: the rest of their roles' queues (unassigned, or a colleague's); `all`: both, theirs first"),
    action: Id.optional().describe('Only this action, e.g. process_refund'),
    agent: Id.optional().describe("Only this agent's (agent id)"),
    route: ApprovalRoute.optional().describe('Only this route (within the queue: human_review or escalate in `blocking`, post_review in `post_review`)'),
    status: z
      .enum(['pending', 'clarifying'], { error: 'must be pending or clarifying (the inbox holds open approvals only)' })
      .optional()
      .describe('Only this status'),
    workspace: Id.optional().describe("Only this workspace (one of the caller's)"),
    limit: z.coerce
      .number({ error: `must be a whole number from 1 to ${INBOX_MAX_LIMIT}` })
      .int({ error: `must be a whole number from 1 to ${INBOX_MAX_LIMIT}` })
      .min(1, { error: `must be a whole number from 1 to ${INBOX_MAX_LIMIT}` })
      .max(INBOX_MAX_LIMIT, { error: `must be a whole number from 1 to ${INBOX_MAX_LIMIT}` })
      .default(INBOX_DEFAULT_LIMIT)
      .describe(`Items per page, at most ${INBOX_MAX_LIMIT}`),
    cursor: z.string().max(500, { error: 'is not a cursor of this API' }).optional().describe('`next_cursor` of the previous page'),
  })
  .superRefine((q, ctx) => {
    if (q.route !== undefined && queueOf(q.route) !== q.queue) {
      ctx.addIssue({ code: 'custom', path: ['route'], message: `is in the ${queueOf(q.route)} queue, not ${q.queue}: pass queue=${queueOf(q.route)}` });
    }
  });
export type InboxQuery = z.output<typeof InboxQuery>;
/**
 * The same type under a name no value has: a route parameter typed `InboxQuery` would
 * carry the zod schema as its design type, which @nestjs/swagger takes for a class to explore.
 */
export type InboxQueryParams = InboxQuery;

/**
 * Where a page ended, in the sort order: whether it was the caller's own (0) or not (1),
 * the urgency rank (0 critical .. 3 low; always 0 in the post-review queue), the deadline
 * as PostgreSQL wrote it in UTC (`infinity` while the clock is paused), and the approval id
 * as the tie-breaker.
 */
export interface InboxPosition {
  group: 0 | 1;
  rank: number;
  deadline: string;
  approvalId: string;
}

const DEADLINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z|infinity)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(position: InboxPosition): string {
  return Buffer.from(JSON.stringify([position.group, position.rank, position.deadline, position.approvalId]), 'utf8').toString('base64url');
}

/** The position a cursor names, or null when it is not one this API handed out. */
export function decodeCursor(cursor: string): InboxPosition | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) return null;
  const [group, rank, deadline, approvalId] = parsed as unknown[];
  if (
    (group !== 0 && group !== 1) ||
    !(rank === 0 || rank === 1 || rank === 2 || rank === 3) ||
    typeof deadline !== 'string' ||
    !DEADLINE.test(deadline) ||
    typeof approvalId !== 'string' ||
    !UUID.test(approvalId)
  )
    return null;
  return { group, rank, deadline, approvalId };
}

const URGENCY_RANK: Record<Urgency, number> = { critical: 0, high: 1, normal: 2, low: 3 };

interface Ordered {
  assignee: string | null;
  urgency: Urgency;
  sla_deadline: Date | null;
  approval_id: string;
}

/**
 * The inbox order as a rule: the viewer's own first; in the blocking queue the most urgent
 * next; then the deadline soonest first (paused clocks last), then id. inboxSql's ORDER BY
 * says the same.
 */
export function compareInbox(viewerId: string, queue: InboxQueue = 'blocking') {
  const key = (a: Ordered) =>
    [
      a.assignee === viewerId ? 0 : 1,
      queue === 'blocking' ? URGENCY_RANK[a.urgency] : 0,
      a.sla_deadline === null ? Number.POSITIVE_INFINITY : a.sla_deadline.getTime(),
    ] as const;
  return (a: Ordered, b: Ordered): number => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return a.approval_id < b.approval_id ? -1 : a.approval_id > b.approval_id ? 1 : 0;
  };
}

export interface InboxSql {
  text: string;
  params: unknown[];
}

/** Selected beside each row: where it sits in the order, for the next page's cursor. */
export interface InboxSortColumns {
  sort_group: 0 | 1;
  sort_rank: number;
  sort_deadline: string;
}

/** Collects a statement's parameters, handing back their placeholders. */
function parameters() {
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  return { params, p };
}

/**
 * What the caller may decide, as SQL conditions: open approvals of their workspaces whose
 * current role they hold, or outrank in the action's escalation path, narrowed by the
 * query's filters (but not by its queue or route).
 */
function visibleTo(viewer: Actor, query: InboxQuery, p: (value: unknown) => string, me: () => string): string[] {
  const roles = p(viewer.roles);
  const workspaces = p(viewer.workspaces);
  const where = [
    `a.status IN ('pending', 'clarifying')`,
    `('*' = ANY (${workspaces}::text[]) OR a.workspace = ANY (${workspaces}::text[]))`,
    // refuse(): the tier's role, or a role ranked at or above it in the action's path.
    `(a.reviewer_role = ANY (${roles}::text[]) OR EXISTS (
       SELECT 1 FROM unnest(a.action_path) WITH ORDINALITY AS path(role, rank)
        WHERE path.role = ANY (${roles}::text[]) AND path.rank >= array_position(a.action_path, a.reviewer_role)))`,
  ];
  if (query.assigned === 'me') where.push(`a.assignee = ${me()}`);
  if (query.assigned === 'queue') where.push(`a.assignee IS DISTINCT FROM ${me()}`);
  if (query.action !== undefined) where.push(`a.action = ${p(query.action)}`);
  if (query.agent !== undefined) where.push(`a.agent_id = ${p(query.agent)}`);
  if (query.status !== undefined) where.push(`a.status = ${p(query.status)}`);
  if (query.workspace !== undefined) where.push(`a.workspace = ${p(query.workspace)}`);
  return where;
}

/**
 * The page query: what the caller may decide in the query's queue; the caller's own first,
 * then (blocking queue) the most urgent, then by deadline (paused clocks last), then by id.
 * Fetches one row more than the limit to tell whether another page follows. `approvals` is
 * the qualified table name.
 *
 * Written for queues of six figures: the caller's own come from the assignee index, the rest
 * role by role from the queue's ordered index (a loose scan lists the roles with open work),
 * each branch stopping at a page's worth. Only the page's rows are read whole.
 */
export function inboxSql(approvals: string, viewer: Actor, query: InboxQuery, after: InboxPosition | null): InboxSql {
  const { params, p } = parameters();
  const me = p(viewer.id);
  const where = visibleTo(viewer, query, p, () => me);
  const blocking = query.queue === 'blocking';
  // The queue's partial indexes say it in these words (see the migration post-review-queue).
  where.push(blocking ? `a.route <> 'post_review'` : `a.route = 'post_review'`);
  if (query.route !== undefined) where.push(`a.route = ${p(query.route)}`);
  const rank = blocking ? 'a.urgency_rank' : '0';
  const deadline = `COALESCE(a.sla_deadline, 'infinity'::timestamptz)`;
  const order = blocking ? `a.urgency_rank, ${deadline}, a.approval_id` : `${deadline}, a.approval_id`;
  // Within a group, after the cursor's place: the same columns as the order.
  const past = (position: InboxPosition) =>
    blocking
      ? `(a.urgency_rank, ${deadline}, a.approval_id) > (${p(position.rank)}::int, ${p(position.deadline)}::timestamptz, ${p(position.approvalId)}::uuid)`
      : `(${deadline}, a.approval_id) > (${p(position.deadline)}::timestamptz, ${p(position.approvalId)}::uuid)`;
  const limit = p(query.limit + 1);
  const columns = (group: 0 | 1) => `a.approval_id, ${group} AS sort_group, ${rank} AS sort_rank, ${deadline} AS deadline`;

  const branches: string[] = [];
  if (query.assigned !== 'queue' && (after === null || after.group === 0)) {
    const own = [...where, `a.assignee = ${me}`, ...(after === null ? [] : [past(after)])];
    branches.push(`(SELECT ${columns(0)} FROM ${approvals} a WHERE ${own.join(' AND ')} ORDER BY ${order} LIMIT ${limit})`);
  }
  if (query.assigned !== 'me') {
    const rest = [...where, `a.reviewer_role = roles.role`, `a.assignee IS DISTINCT FROM ${me}`, ...(after?.group === 1 ? [past(after)] : [])];
    branches.push(`(SELECT page.* FROM roles CROSS JOIN LATERAL (
         SELECT ${columns(1)} FROM ${approvals} a WHERE ${rest.join(' AND ')} ORDER BY ${order} LIMIT ${limit}) page
        WHERE roles.role IS NOT NULL)`);
  }
  const open = `a.status IN ('pending', 'clarifying') AND ${blocking ? `a.route <> 'post_review'` : `a.route = 'post_review'`}`;
  const text = `WITH RECURSIVE roles (role) AS (
      (SELECT a.reviewer_role FROM ${approvals} a WHERE ${open} ORDER BY a.reviewer_role LIMIT 1)
      UNION ALL
      SELECT (SELECT a.reviewer_role FROM ${approvals} a WHERE ${open} AND a.reviewer_role > roles.role ORDER BY a.reviewer_role LIMIT 1)
        FROM roles WHERE roles.role IS NOT NULL
    ), candidates AS (
      ${branches.length > 0 ? branches.join('\n      UNION ALL\n      ') : `SELECT NULL::uuid AS approval_id, 0 AS sort_group, 0 AS sort_rank, NULL::timestamptz AS deadline WHERE false`}
    )
    SELECT a.*, c.sort_group, c.sort_rank,
           CASE WHEN a.sla_deadline IS NULL THEN 'infinity' ELSE to_char(a.sla_deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END AS sort_deadline
      FROM candidates c JOIN ${approvals} a ON a.approval_id = c.approval_id
     ORDER BY c.sort_group, c.sort_rank, c.deadline, c.approval_id
     LIMIT ${limit}`;
  return { text, params };
}

/** How many the caller may decide in each queue, with the query's filters (not its queue, route or cursor). */
export function inboxCountsSql(approvals: string, viewer: Actor, query: InboxQuery): InboxSql {
  const { params, p } = parameters();
  // The caller's id is a parameter only when a filter uses it (PostgreSQL refuses one it cannot type).
  let me: string | null = null;
  const where = visibleTo(viewer, query, p, () => (me ??= p(viewer.id)));
  const text = `SELECT count(*) FILTER (WHERE a.route <> 'post_review')::int AS blocking, count(*) FILTER (WHERE a.route = 'post_review')::int AS post_review
     FROM ${approvals} a
    WHERE ${where.join('\n      AND ')}`;
  return { text, params };
}

/** The rows of one page and the cursor of the next (null on the last page). */
export function pageOf<R extends { approval_id: string } & InboxSortColumns>(rows: R[], limit: number): { rows: R[]; next: string | null } {
  if (rows.length <= limit) return { rows, next: null };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    rows: page,
    next: encodeCursor({
      group: Number(last.sort_group) === 0 ? 0 : 1,
      rank: Number(last.sort_rank),
      deadline: last.sort_deadline,
      approvalId: last.approval_id,
    }),
  };
}
