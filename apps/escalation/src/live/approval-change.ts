// What the live stream says about one change of an approval, and to whom. Pure: the
// notification's payload, the row as it now is, the action's policy, the viewer and `now` in.
import { ResolvedAction } from '@hitl/policy';
import { ApprovalChange, ApprovalChangeKind, StreamEnding } from '@hitl/reviewer-api';
import { z } from 'zod';
import { ApprovalRow, toState } from '../approval-store/approval-store.repository';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { inboxItem, refuseView } from '../reviewer-inbox/approval-view';

/** The PostgreSQL channel the approvals trigger notifies (migration 1795313553400). */
export const APPROVAL_CHANGES_CHANNEL = 'hitl_approval_changes';

/** One notification's payload, as the trigger writes it. */
export const ApprovalChangeNotice = z.object({
  schema: z.string(),
  approval_id: z.uuid(),
  change: ApprovalChangeKind,
});
export type ApprovalChangeNotice = z.output<typeof ApprovalChangeNotice>;

/** The payload of a notification, or null when it is not one the trigger wrote. */
export const parseNotice = (payload: string | undefined): ApprovalChangeNotice | null => noticeOf(ApprovalChangeNotice, payload);

/** The PostgreSQL channel the reviewers trigger notifies (migration 1795313557200). */
export const REVIEWER_CHANGES_CHANNEL = 'hitl_reviewer_changes';

/** A reviewer deleted, or whose token, roles, workspaces or standing changed. */
export const ReviewerChangeNotice = z.object({ schema: z.string(), reviewer_id: z.string().min(1) });
export type ReviewerChangeNotice = z.output<typeof ReviewerChangeNotice>;

/** The payload of a reviewers notification, or null when it is not one the trigger wrote. */
export const parseReviewerNotice = (payload: string | undefined): ReviewerChangeNotice | null => noticeOf(ReviewerChangeNotice, payload);

/** A notification's JSON payload as `schema` reads it; null for anything else (no payload, not JSON, another shape). */
function noticeOf<T>(schema: z.ZodType<T>, payload: string | undefined): T | null {
  if (payload === undefined) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * What a stream opened with a token may go on doing once that token's reviewer changed: the
 * reviewer now holding the token (null when revoked or removed) ends it unless it is the same
 * reviewer, whose new roles and workspaces then decide what the stream shows.
 */
export function reauthorized<R extends { id: string }>(
  viewerId: string,
  holder: R | null,
): { kind: 'keep'; viewer: R } | { kind: 'end'; ending: StreamEnding } {
  if (holder !== null && holder.id === viewerId) return { kind: 'keep', viewer: holder };
  return { kind: 'end', ending: { code: 'token_revoked', message: 'this token was revoked or its reviewer removed: sign in again' } };
}

/** Who resolved an approval, from its stored resolution (`resolvedBy`, or `reviewed_by` of a post-review). */
export function resolverOf(resolution: unknown): string | null {
  if (resolution === null || typeof resolution !== 'object') return null;
  const { resolvedBy, reviewed_by } = resolution as { resolvedBy?: { id?: unknown }; reviewed_by?: unknown };
  if (typeof resolvedBy?.id === 'string') return resolvedBy.id;
  return typeof reviewed_by === 'string' ? reviewed_by : null;
}

/**
 * The event `viewer` gets for this change, or null when they may not see the approval: the
 * inbox's rule (the approval's workspace, and its tier's role or one above it). A resolved
 * approval is still sent to those who could decide it, so their consoles drop it.
 */
export function changeFor(
  viewer: AuthenticatedReviewer,
  notice: ApprovalChangeNotice,
  row: ApprovalRow & { resolution?: unknown },
  policy: ResolvedAction | undefined,
  now: Date,
): ApprovalChange | null {
  if (refuseView(viewer, toState(row)) !== null) return null;
  return {
    change: notice.change,
    approval_id: row.approval_id,
    status: row.status,
    resolved_by: resolverOf(row.resolution),
    item: inboxItem(row, policy, now),
  };
}

/** A Server-Sent Events frame: a named event whose data is one line of JSON. */
export function sseFrame(event: string, data: unknown, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: keeps proxies and the browser from timing the stream out, and is otherwise ignored. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}
