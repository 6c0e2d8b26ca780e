import { ApprovalRoute, OnTimeout, Urgency } from '@hitl/contracts';

export type ApprovalStatus = 'pending' | 'clarifying' | 'approved' | 'denied' | 'expired' | 'rolled_back' | 'reviewed' | 'unreviewed';

/** Open: a person can still act on it. */
export const OPEN_STATUSES: readonly ApprovalStatus[] = ['pending', 'clarifying'];

/** An approval as the rules see it. */
export interface ApprovalState {
  workspace: string;
  route: ApprovalRoute;
  status: ApprovalStatus;
  /** Tiers still ahead when it was requested, starting with the first role asked. */
  escalationPath: string[];
  /** The action's whole escalation path in the manifest: the ranking of authority. */
  actionPath: string[];
  /** Index into `escalationPath` of the tier it waits at. */
  tier: number;
  assignee: string | null;
  /** Who already had it at this tier (not offered it again on reassignment). */
  triedAtTier: string[];
  urgency: Urgency;
  slaMinutes: Record<Urgency, number>;
  onTimeout: OnTimeout;
  approvalTimeoutSeconds: number;
  /** When `on_timeout` applies (null: never, or paused by a clarification); tier deadlines share the time left. */
  expiresAt?: Date | null;
  /** Whether the manifest lets this action be approved by a timeout (low severity and reversible). */
  approveOnTimeoutAllowed: boolean;
  onBehalfOf: string | null;
  requiredApprovals: number;
  /** Reviewers who approved so far (distinct). */
  approvedBy: string[];
  payloadHash: string;
}

/** A reviewer who could be asked, with how many open approvals they hold. */
export interface Candidate {
  id: string;
  /** Other names of the person (e-mail addresses, external ids): see `isRequester`. */
  aliases?: readonly string[];
  roles: string[];
  workspaces: string[];
  available: boolean;
  /** How many open approvals they take at once (null: no limit; the service gives everyone without one a default). */
  capacity: number | null;
  /** Open approvals an agent waits on (human review, escalations) assigned to them. */
  pending: number;
  /** Open post-reviews (the action already ran) assigned to them: they only fill what blocking work leaves. */
  postReviews?: number;
  /** Who last widened their roles or workspaces (null: the reviewers file): see `selfGranted`. */
  grantedBy?: string | null;
}

export function addMinutes(now: Date, minutes: number): Date {
  return new Date(now.getTime() + minutes * 60_000);
}

export function addSeconds(now: Date, seconds: number): Date {
  return new Date(now.getTime() + seconds * 1000);
}

export function worksIn(reviewer: { workspaces: string[] }, workspace: string): boolean {
  return reviewer.workspaces.includes('*') || reviewer.workspaces.includes(workspace);
}
