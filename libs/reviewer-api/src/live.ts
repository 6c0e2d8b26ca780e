// GET /approvals/stream: Server-Sent Events. `ready` once listening, an `approval` per change,
// `end` when the service ends the stream itself, `error` when it cannot listen.
import { z } from 'zod';
import { InboxItem } from './inbox';
import { ApprovalStatus } from './values';

export const ApprovalChangeKind = z.enum(['new', 'assigned', 'reassigned', 'clarifying', 'resumed', 'edited', 'resolved']);
export type ApprovalChangeKind = z.infer<typeof ApprovalChangeKind>;

/** One `approval` event: what changed, and the approval as an inbox line now reads it. */
export const ApprovalChange = z.object({
  change: ApprovalChangeKind,
  approval_id: z.string(),
  status: ApprovalStatus,
  /** Who resolved it once resolved: a reviewer's id, or `on_timeout:<rule>`. */
  resolved_by: z.string().nullable(),
  item: InboxItem,
});
export type ApprovalChange = z.infer<typeof ApprovalChange>;

/** The `ready` event: the stream listens for this reviewer. */
export const StreamReady = z.object({ reviewer: z.string() });
export type StreamReady = z.infer<typeof StreamReady>;

/** The `end` event: why the service ends a stream itself. */
export const StreamEnding = z.object({ code: z.literal('token_revoked'), message: z.string() });
export type StreamEnding = z.infer<typeof StreamEnding>;

/** The `error` event: the stream could not start listening. */
export const StreamUnavailable = z.object({ code: z.literal('stream_unavailable'), message: z.string() });
export type StreamUnavailable = z.infer<typeof StreamUnavailable>;
