import { ApprovalState, ApprovalStatus, CanaryMark, Candidate, Review, ReviewChange, refusals } from '@hitl/approvals';
import { ApprovalRequestedData, OnTimeout, Urgency } from '@hitl/contracts';
import { serviceTable } from '@hitl/service-kit';
import { TraceCarrier } from '@hitl/tracing';
import { EntityManager } from 'typeorm';
import { refused } from './approval.errors';

/** One approvals row, as PostgreSQL returns it. */
export interface ApprovalRow {
  approval_id: string;
  decision_id: string;
  workspace: string;
  action: string;
  agent_id: string;
  on_behalf_of: string | null;
  route: ApprovalRequestedData['route'];
  status: ApprovalStatus;
  escalation_path: string[];
  action_path: string[];
  tier: number;
  reviewer_role: string;
  assignee: string | null;
  tried_at_tier: string[];
  urgency: Urgency;
  /** 0 critical, 1 high, 2 normal, 3 low: the blocking queue's order (a generated column). */
  urgency_rank: number;
  sla_minutes: Record<Urgency, number>;
  sla_deadline: Date | null;
  expires_at: Date | null;
  paused_sla_ms: string | null;
  paused_expiry_ms: string | null;
  /** While clarifying: when the pause ends even if the agent never answers. */
  clarification_deadline: Date | null;
  clarification_timeout_seconds: number;
  on_timeout: OnTimeout;
  approval_timeout_seconds: number;
  approve_on_timeout_allowed: boolean;
  required_approvals: number;
  rollback_window_seconds: number | null;
  payload_hash: string;
  parameters: Record<string, unknown>;
  edited: boolean;
  request: ApprovalRequestedData;
  manifest_version: string;
  confidence: number;
  created_at: Date;
  resolved_at: Date | null;
  approved_by: string[];
  /** A canary (a known-answer item, never executed): what it expects; null for every real approval. Never shown to reviewers. */
  canary: CanaryMark | null;
  /** The W3C trace context the approval was opened in (tracing); null or absent when its request carried none. */
  traceparent?: string | null;
  tracestate?: string | null;
}

export type NewApproval = Omit<
  ApprovalRow,
  | 'status'
  | 'tier'
  | 'urgency_rank'
  | 'assignee'
  | 'tried_at_tier'
  | 'paused_sla_ms'
  | 'paused_expiry_ms'
  | 'clarification_deadline'
  | 'edited'
  | 'created_at'
  | 'resolved_at'
  | 'approved_by'
  | 'traceparent'
  | 'tracestate'
>;

export const SELECT_APPROVAL = (manager: EntityManager) => `
  SELECT a.*, COALESCE((SELECT array_agg(v.reviewer_id ORDER BY v.voted_at) FROM ${serviceTable(manager, 'approval_votes')} v WHERE v.approval_id = a.approval_id), '{}') AS approved_by
    FROM ${serviceTable(manager, 'approvals')} a`;

/** Records a requested approval unless its decision already has one; says whether it was new. */
export async function insertApproval(manager: EntityManager, a: NewApproval): Promise<boolean> {
  const rows = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'approvals')} (
       approval_id, decision_id, workspace, action, agent_id, on_behalf_of, route, escalation_path, action_path, reviewer_role,
       urgency, sla_minutes, sla_deadline, expires_at, on_timeout, approval_timeout_seconds, approve_on_timeout_allowed,
       required_approvals, rollback_window_seconds, payload_hash, parameters, request, manifest_version, confidence, clarification_timeout_seconds, canary)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)
     ON CONFLICT (decision_id) DO NOTHING
     RETURNING approval_id`,
    [
      a.approval_id,
      a.decision_id,
      a.workspace,
      a.action,
      a.agent_id,
      a.on_behalf_of,
      a.route,
      a.escalation_path,
      a.action_path,
      a.reviewer_role,
      a.urgency,
      JSON.stringify(a.sla_minutes),
      a.sla_deadline,
      a.expires_at,
      a.on_timeout,
      a.approval_timeout_seconds,
      a.approve_on_timeout_allowed,
      a.required_approvals,
      a.rollback_window_seconds,
      a.payload_hash,
      JSON.stringify(a.parameters),
      JSON.stringify(a.request),
      a.manifest_version,
      a.confidence,
      a.clarification_timeout_seconds,
      a.canary === null ? null : JSON.stringify(a.canary),
    ],
  );
  return rows.length === 1;
}

/** Keeps the trace context an approval was opened in (nothing to write when there is none). */
export async function keepTraceContext(manager: EntityManager, approvalId: string, trace: TraceCarrier): Promise<void> {
  if (!trace.traceparent) return;
  await manager.query(`UPDATE ${serviceTable(manager, 'approvals')} SET traceparent = $2, tracestate = $3 WHERE approval_id = $1`, [
    approvalId,
    trace.traceparent,
    trace.tracestate ?? null,
  ]);
}

/** The trace context an approval was opened in: where what reviewers do to it goes on. */
export async function traceContextOf(manager: EntityManager, approvalId: string): Promise<TraceCarrier> {
  const rows: { traceparent: string | null; tracestate: string | null }[] = await manager.query(
    `SELECT traceparent, tracestate FROM ${serviceTable(manager, 'approvals')} WHERE approval_id = $1`,
    [approvalId],
  );
  const row = rows[0];
  return row?.traceparent ? { traceparent: row.traceparent, ...(row.tracestate ? { tracestate: row.tracestate } : {}) } : {};
}

/** One approval, locked for the rest of the transaction (concurrent decisions queue here: one wins). */
export async function lockApproval(manager: EntityManager, approvalId: string): Promise<ApprovalRow | null> {
  const rows = await manager.query(`${SELECT_APPROVAL(manager)} WHERE a.approval_id = $1 FOR UPDATE OF a`, [approvalId]);
  return rows[0] ?? null;
}

export async function findApproval(manager: EntityManager, approvalId: string): Promise<ApprovalRow | null> {
  const rows = await manager.query(`${SELECT_APPROVAL(manager)} WHERE a.approval_id = $1`, [approvalId]);
  return rows[0] ?? null;
}

/** Approvals whose SLA or expiry has passed, locked; other replicas skip these rows. */
export async function lockDue(manager: EntityManager, now: Date, limit: number): Promise<ApprovalRow[]> {
  return manager.query(
    `${SELECT_APPROVAL(manager)}
      WHERE a.status = 'pending' AND LEAST(a.sla_deadline, a.expires_at) <= $1
      ORDER BY LEAST(a.sla_deadline, a.expires_at)
      LIMIT $2
      FOR UPDATE OF a SKIP LOCKED`,
    [now, limit],
  );
}

/**
 * Reviewers who hold any of `roles` in the workspace, with their open approvals counted
 * (blocking work and post-reviews apart), the names they go by (the requester is never
 * assigned) and whose grant their roles are. A reviewer without a capacity of their own
 * gets `defaultCapacity`.
 */
export async function candidates(manager: EntityManager, workspace: string, roles: string[], defaultCapacity: number): Promise<Candidate[]> {
  const rows: Candidate[] = await manager.query(
    `SELECT r.id, r.aliases, r.roles, r.workspaces, r.available, COALESCE(r.capacity, $3) AS capacity, r.granted_by AS "grantedBy",
            COALESCE(open.blocking, 0)::int AS pending, COALESCE(open.post_reviews, 0)::int AS "postReviews"
       FROM ${serviceTable(manager, 'reviewers')} r
       LEFT JOIN LATERAL (
         SELECT count(*) FILTER (WHERE a.route <> 'post_review') AS blocking, count(*) FILTER (WHERE a.route = 'post_review') AS post_reviews
           FROM ${serviceTable(manager, 'approvals')} a
          WHERE a.assignee = r.id AND a.status IN ('pending', 'clarifying')) open ON true
      WHERE r.roles && $1::text[] AND ($2 = ANY (r.workspaces) OR '*' = ANY (r.workspaces))`,
    [roles, workspace, defaultCapacity],
  );
  return rows;
}

export interface Placement {
  tier: number;
  reviewer_role: string;
  assignee: string | null;
  tried_at_tier: string[];
  sla_deadline: Date | null;
  expires_at?: Date | null;
}

export async function place(manager: EntityManager, approvalId: string, p: Placement): Promise<void> {
  await manager.query(
    `UPDATE ${serviceTable(manager, 'approvals')}
        SET tier = $2, reviewer_role = $3, assignee = $4, tried_at_tier = $5, sla_deadline = $6,
            expires_at = CASE WHEN $7::boolean THEN $8::timestamptz ELSE expires_at END
      WHERE approval_id = $1`,
    [approvalId, p.tier, p.reviewer_role, p.assignee, p.tried_at_tier, p.sla_deadline, p.expires_at !== undefined, p.expires_at ?? null],
  );
}

export interface Finish {
  approvalId: string;
  status: ApprovalStatus;
  resolution: object;
}

/** Resolves many approvals in one statement (the timers of one scan). */
export async function finishAll(manager: EntityManager, finishes: readonly Finish[]): Promise<void> {
  if (finishes.length === 0) return;
  await manager.query(
    `UPDATE ${serviceTable(manager, 'approvals')} a
        SET status = f.status, resolved_at = now(), resolution = f.resolution, sla_deadline = NULL
       FROM UNNEST($1::uuid[], $2::text[], $3::jsonb[]) AS f(approval_id, status, resolution)
      WHERE a.approval_id = f.approval_id`,
    [finishes.map((f) => f.approvalId), finishes.map((f) => f.status), finishes.map((f) => JSON.stringify(f.resolution))],
  );
}

export function finish(manager: EntityManager, approvalId: string, status: ApprovalStatus, resolution: object): Promise<void> {
  return finishAll(manager, [{ approvalId, status, resolution }]);
}

/** One approval as the decider of a review sees it, locked for the rest of the transaction. */
export async function lockReview(manager: EntityManager, approvalId: string): Promise<Review | null> {
  const row = await lockApproval(manager, approvalId);
  return row ? toReview(row) : null;
}

/** Writes what a review decided, in its order, in the caller's transaction. */
export async function saveReview(manager: EntityManager, approvalId: string, changes: readonly ReviewChange[]): Promise<void> {
  for (const change of changes) {
    switch (change.kind) {
      case 'edit':
        await manager.query(`DELETE FROM ${serviceTable(manager, 'approval_votes')} WHERE approval_id = $1 AND payload_hash <> $2`, [
          approvalId,
          change.payloadHash,
        ]);
        await manager.query(`UPDATE ${serviceTable(manager, 'approvals')} SET parameters = $2, payload_hash = $3, edited = true WHERE approval_id = $1`, [
          approvalId,
          JSON.stringify(change.parameters),
          change.payloadHash,
        ]);
        break;
      case 'vote':
        await insertVote(manager, approvalId, change);
        break;
      case 'finish':
        await finish(manager, approvalId, change.status, change.resolution);
        break;
      case 'pause':
        await manager.query(
          `UPDATE ${serviceTable(manager, 'approvals')}
              SET status = 'clarifying', sla_deadline = NULL, expires_at = NULL, paused_sla_ms = $2, paused_expiry_ms = $3, clarification_deadline = $4
            WHERE approval_id = $1`,
          [approvalId, change.paused.slaMs, change.paused.expiryMs, change.until],
        );
        break;
      case 'move':
        // Votes went with the old payload (the edit before it removed them); a new tier, reviewer and deadline.
        await place(manager, approvalId, {
          tier: change.tier,
          reviewer_role: change.role,
          assignee: change.reviewerId,
          tried_at_tier: [],
          sla_deadline: change.slaDeadline,
        });
        break;
      case 'ask': {
        const c = change.clarification;
        await manager.query(
          `INSERT INTO ${serviceTable(manager, 'clarifications')} (clarification_id, approval_id, question, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5)`,
          [c.clarificationId, approvalId, c.question, c.requestedBy, c.requestedAt],
        );
        break;
      }
      default:
        unhandled(change);
    }
  }
}

async function insertVote(manager: EntityManager, approvalId: string, vote: Extract<ReviewChange, { kind: 'vote' }>): Promise<void> {
  try {
    await manager.query(
      `INSERT INTO ${serviceTable(manager, 'approval_votes')} (approval_id, reviewer_id, on_behalf_of, payload_hash) VALUES ($1, $2, $3, $4)`,
      [approvalId, vote.reviewerId, vote.onBehalfOf, vote.payloadHash],
    );
  } catch (error) {
    // The database's own guard behind the decider's: the requester never approves.
    if ((error as { code?: string }).code === '23514') throw refused(refusals.requester(vote.reviewerId));
    throw error;
  }
}

function unhandled(change: never): never {
  throw new Error(`review change ${(change as ReviewChange).kind} is not handled`);
}

/** The decider's view of a row: the rules' state and what the review's events carry. */
export function toReview(row: ApprovalRow): Review {
  return {
    ...toState(row),
    approvalId: row.approval_id,
    decisionId: row.decision_id,
    action: row.action,
    parameters: row.parameters,
    edited: row.edited,
    request: row.request,
    manifestVersion: row.manifest_version,
    confidence: row.confidence,
    requestedAt: row.created_at,
    rollbackWindowSeconds: row.rollback_window_seconds,
    clocks: { slaDeadline: row.sla_deadline, expiresAt: row.expires_at },
    clarificationTimeoutSeconds: row.clarification_timeout_seconds,
    canary: row.canary,
  };
}

/** The pure rules' view of a row. */
export function toState(row: ApprovalRow): ApprovalState {
  return {
    workspace: row.workspace,
    route: row.route,
    status: row.status,
    escalationPath: row.escalation_path,
    actionPath: row.action_path,
    tier: row.tier,
    assignee: row.assignee,
    triedAtTier: row.tried_at_tier,
    urgency: row.urgency,
    slaMinutes: row.sla_minutes,
    onTimeout: row.on_timeout,
    approvalTimeoutSeconds: row.approval_timeout_seconds,
    expiresAt: row.expires_at,
    approveOnTimeoutAllowed: row.approve_on_timeout_allowed,
    onBehalfOf: row.on_behalf_of,
    requiredApprovals: row.required_approvals,
    approvedBy: row.approved_by,
    payloadHash: row.payload_hash,
  };
}
