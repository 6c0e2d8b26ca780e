import { randomUUID } from 'node:crypto';
import { Candidate, placeNewApproval, placePostReview } from '@hitl/approvals';
import { APPROVAL_REQUESTED, CloudEvent } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { Manifest } from '@hitl/policy';
import { traceCarrierOf } from '@hitl/tracing';
import { ManifestStore, SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { assigned, unreviewed, unreviewedResolution } from '../approval-store/approval-events';
import { ApprovalRow, candidates, finish, insertApproval, keepTraceContext, lockApproval, place, toState } from '../approval-store/approval-store.repository';
import { EscalationConfig } from '../config';
import { NotificationsService } from '../notifications/notifications.service';
import { canaryFor } from './canaries';
import { canariesMixed, operationsAlerts, postReviewsNotQueued } from './intake.metrics';
import { newApprovalOf } from './new-approval';

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
    const { manifest } = this.manifests.forWorkspace(request.workspaceid);
    const isNew = await insertApproval(ctx.manager, newApprovalOf(req, request.workspaceid, manifest.actions.get(req.decision.action), now));
    if (!isNew) return; // one approval per decision
    // The span of consuming this request (the transport's), for what reviewers do later.
    await keepTraceContext(ctx.manager, req.approval_id, traceCarrierOf());

    const row = await lockApproval(ctx.manager, req.approval_id);
    if (!row) throw new Error(`approval ${req.approval_id} vanished inside its own transaction`);
    const pool = await candidates(ctx.manager, row.workspace, row.escalation_path, this.config.REVIEWER_DEFAULT_CAPACITY);
    if (row.route === 'post_review') return this.queuePostReview(row, pool, ctx, now);

    const placed = placeNewApproval(toState(row), pool, new Date(req.sla_deadline), now);
    await this.assign(row, placed.tier, placed.role, placed.reviewerId, placed.slaDeadline, ctx, now);
    await this.mixCanary(row, placed.role, manifest, ctx, now);
    if (placed.alert) {
      operationsAlerts.inc({ kind: 'unassigned', role: placed.role });
      this.logger.warn(
        { approval_id: row.approval_id, decision_id: row.decision_id, workspace: row.workspace, role: placed.role },
        `operations alert: ${placed.alert}`,
      );
    }
  }

  /**
   * At the manifest's canary rate, a known-answer item joins the same queue: placed like any
   * approval, its reviewers notified like for any other, but nothing is published (no agent
   * proposed it; canary_scored marks it on the record once it is answered or missed).
   */
  private async mixCanary(real: ApprovalRow, role: string, manifest: Manifest, ctx: MessageContext, now: Date): Promise<void> {
    const canary = canaryFor(real, role, manifest, { approvalId: randomUUID(), decisionId: randomUUID() }, now);
    if (!canary || !(await insertApproval(ctx.manager, canary))) return;
    const row = await lockApproval(ctx.manager, canary.approval_id);
    if (!row) throw new Error(`canary ${canary.approval_id} vanished inside its own transaction`);
    const pool = await candidates(ctx.manager, row.workspace, row.escalation_path, this.config.REVIEWER_DEFAULT_CAPACITY);
    const placed = placeNewApproval(toState(row), pool, row.sla_deadline ?? now, now);
    await place(ctx.manager, row.approval_id, {
      tier: placed.tier,
      reviewer_role: placed.role,
      assignee: placed.reviewerId,
      tried_at_tier: [],
      sla_deadline: placed.slaDeadline,
    });
    await this.notifications.enqueue(ctx.manager, row, assigned(row, placed.tier, placed.role, placed.reviewerId, placed.slaDeadline, now), now);
    canariesMixed.inc({ role: placed.role });
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
