import { z } from 'zod';

// The words the answers are made of. They repeat values of @hitl/contracts and @hitl/approvals
// on purpose: this lib stays importable by a browser (the contracts' index pulls node:crypto),
// and the escalation's build fails where the two lists part (it assigns theirs to these).

export const Timestamp = z.iso.datetime({ offset: true });

/** `?workspace=`: one of the caller's workspaces, to narrow a list to. */
export const WorkspaceParam = z
  .string({ error: 'must be the workspace, as text' })
  .trim()
  .min(1, { error: 'must not be blank' })
  .max(200, { error: 'must be at most 200 characters' });

export const ApprovalStatus = z.enum(['pending', 'clarifying', 'approved', 'denied', 'expired', 'rolled_back', 'reviewed', 'unreviewed']);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

export const ApprovalRoute = z.enum(['human_review', 'escalate', 'post_review']);
export type ApprovalRoute = z.infer<typeof ApprovalRoute>;

export const Urgency = z.enum(['low', 'normal', 'high', 'critical']);
export type Urgency = z.infer<typeof Urgency>;

/** An action's severity in the manifest. */
export const Severity = z.enum(['low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof Severity>;

export const OnTimeout = z.enum(['deny', 'escalate', 'approve']);
export type OnTimeout = z.infer<typeof OnTimeout>;
