import { Candidate, addSeconds, placeNewApproval, placePostReview } from '@hitl/approvals';
import { APPROVAL_REQUESTED, CloudEvent, DEFAULT_URGENCY } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { BUILT_IN_DEFAULTS, raiseUrgency } from '@hitl/policy';
import { ManifestStore, SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { assigned, unreviewed, unreviewedResolution } from '../approval-store/approval-events';
import { ApprovalRow, candidates, finish, insertApproval, lockApproval, place, toState } from '../approval-store/approval-store.repository';
import { EscalationConfig } from '../config';
import { NotificationsService } from '../notifications/notifications.service';
import { operationsAlerts, postReviewsNotQueued } from './intake.metrics';

/** approval.requested in: record the approval and assign it, in the message's transaction. */
@Injectable()
export class ApprovalIntakeService {
  constructor(
    private readonly manifests: ManifestStore,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly notifications: NotificationsService,
  ) {}

  async open(request: CloudEvent<typeof APPROVAL_REQUESTED>, ctx: MessageContext): Promise<void> {
    const req = request.data;
    const now = new Date();
    // What the request does not carry (later tiers' SLAs, the action's whole path) comes from the manifest.
    const action = this.manifests.forWorkspace(request.workspaceid).manifest.actions.get(req.decision.action);
    const decidedUrgency = req.decision.urgency ?? DEFAULT_URGENCY;
    // A post-review's only clock is its review window: when it closes, it ends unreviewed.
    const reviewWindowEnds =
      req.route === 'post_review'
        ? addSeconds(now, action?.postReviewWindowSeconds ?? req.rollback_window_seconds ?? BUILT_IN_DEFAULTS.post_review_window_seconds)
        : null;
    const isNew = await insertApproval(ctx.manager, {
      approval_id: req.approval_id,
      decision_id: req.decision_id,
      workspace: request.workspaceid,
      action: req.decision.action,
      agent_id: req.decision.agent.id,
      on_behalf_of: req.decision.on_behalf_of ?? null,
      route: req.route,
      escalation_path: req.escalation_path,
      action_path: action?.escalationPath ?? req.escalation_path,
      reviewer_role: req.reviewer_role,
      urgency: req.route === 'escalate' ? raiseUrgency(decidedUrgency) : decidedUrgency,
      sla_minutes: action?.slaMinutes ?? BUILT_IN_DEFAULTS.sla_minutes,
      sla_deadline: reviewWindowEnds ?? new Date(req.sla_deadline),
      expires_at: reviewWindowEnds ?? (req.expires_at ? new Date(req.expires_at) : null),
      on_timeout: req.on_timeout,
      approval_timeout_seconds: action?.approvalTimeoutSeconds ?? BUILT_IN_DEFAULTS.approval_timeout_seconds,
      clarification_timeout_seconds: action?.clarificationTimeoutSeconds ?? BUILT_IN_DEFAULTS.clarification_timeout_seconds,
      approve_on_timeout_allowed: action ? action.severity === 'low' && action.reversible : false,
      required_approvals: req.required_approvals,
      rollback_window_seconds: req.rollback_window_seconds,
      payload_hash: req.payload_hash,
      parameters: req.decision.parameters,
      request: req,
      manifest_version: req.manifest_version,
      confidence: req.decision.confidence,
    });
    if (!isNew) return; // one approval per decision

    const row = await lockApproval(ctx.manager, req.approval_id);
    if (!row) throw new Error(`approval ${req.approval_id} vanished inside its own transaction`);
    const pool = await candidates(ctx.manager, row.workspace, row.escalation_path, this.config.REVIEWER_DEFAULT_CAPACITY);
    if (row.route === 'post_review') return this.queuePostReview(row, pool, ctx, now);

    const placed = placeNewApproval(toState(row), pool, new Date(req.sla_deadline), now);
    await this.assign(row, placed.tier, placed.role, placed.reviewerId, placed.slaDeadline, ctx, now);
    if (placed.alert) {
      operationsAlerts.inc({ kind: 'unassigned', role: placed.role });
      this.logger.warn(
        { approval_id: row.approval_id, decision_id: row.decision_id, workspace: row.workspace, role: placed.role },
        `operations alert: ${placed.alert}`,
      );
    }
  }

  /** To the reviewer with room left after their blocking work; with nobody's room left, not queued at all (sampling backs off). */
  private async queuePostReview(row: ApprovalRow, pool: Candidate[], ctx: MessageContext, now: Date): Promise<void> {
    const placed = placePostReview(toState(row), pool);
    if (placed.kind === 'queued') {
      await this.assign(row, row.tier, placed.role, placed.reviewerId, row.sla_deadline ?? now, ctx, now);
      return;
    }
    postReviewsNotQueued.inc({ role: placed.role });
    await finish(ctx.manager, row.approval_id, 'unreviewed', unreviewedResolution(placed.reason, placed.detail));
    await ctx.emit(unreviewed(row, placed.reason, placed.detail, now));
  }

  private async assign(
    row: ApprovalRow,
    tier: number,
    role: string,
    reviewerId: string | null,
    slaDeadline: Date,
    ctx: MessageContext,
    now: Date,
  ): Promise<void> {
    await place(ctx.manager, row.approval_id, { tier, reviewer_role: role, assignee: reviewerId, tried_at_tier: [], sla_deadline: slaDeadline });
    const event = assigned(row, tier, role, reviewerId, slaDeadline, now);
    await ctx.emit(event);
    await this.notifications.enqueue(ctx.manager, row, event, now);
  }
}
