import { Candidate, approvalResolved, canaryMissed, onExpired, onSlaMissed } from '@hitl/approvals';
import { AnyEvent } from '@hitl/contracts';
import { Commands } from '@hitl/messaging';
import { Polling, PollingService, SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { contextOf, tracer, withTraceContext } from '@hitl/tracing';
import { Inject, Injectable } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import { Logger } from 'pino';
import { EntityManager } from 'typeorm';
import { escalated, reassigned, unreviewed, unreviewedResolution } from '../approval-store/approval-events';
import { ApprovalRow, Finish, candidates, finishAll, lockDue, place, toReview } from '../approval-store/approval-store.repository';
import { EscalationConfig } from '../config';
import { operationsAlerts } from '../intake/intake.metrics';
import { NotificationsService } from '../notifications/notifications.service';
import { timersFired } from './sla.metrics';
import { resolutionSeconds } from '../reviews/reviews.metrics';

/**
 * The timers: deadlines live in the approvals table, and every replica polls for what is
 * due with FOR UPDATE SKIP LOCKED, so each deadline fires once, on one replica, in the
 * transaction that applies it and writes its events to the outbox. A restart loses
 * nothing: what came due while the service was down fires on the next scan.
 */
@Injectable()
export class SlaScanner extends PollingService {
  constructor(
    private readonly commands: Commands,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly notifications: NotificationsService,
  ) {
    super();
  }

  protected polling(): Polling {
    return {
      what: 'SLA scan',
      round: (now) => this.scanOnce(now),
      batch: this.config.SLA_SCAN_BATCH,
      intervalMs: this.config.SLA_SCAN_INTERVAL_MS,
      logger: this.logger,
    };
  }

  /** Fires every timer due at `now` (up to a batch); returns how many fired. */
  async scanOnce(now: Date): Promise<number> {
    return this.commands.run(async (ctx) => {
      const { manager } = ctx;
      const due = await lockDue(manager, now, this.config.SLA_SCAN_BATCH);
      const events: AnyEvent[] = [];
      const pools = new ReviewerPools(manager, this.config.REVIEWER_DEFAULT_CAPACITY);
      const finishes: Finish[] = [];
      for (const row of due) {
        // On the decision's trace: a span whose parent is the context the approval was opened in, carried by what it emits.
        const timer = tracer().startSpan('approval timer', { attributes: { 'hitl.approval_id': row.approval_id } }, contextOf(row));
        const fired = await this.fire(manager, row, now, pools, finishes).finally(() => timer.end());
        const emitted = fired.map((event) => withTraceContext(event, trace.setSpan(context.active(), timer)));
        // Reassignments and escalations reach the new reviewer's chat, in this same transaction.
        for (const event of emitted) await this.notifications.enqueue(manager, row, event, now);
        events.push(...emitted);
      }
      // Every resolution of the scan in one statement; each row is locked by this scan, and is resolved once.
      await finishAll(manager, finishes);
      await ctx.emit(...events);
      return due.length;
    });
  }

  private async fire(manager: EntityManager, row: ApprovalRow, now: Date, pools: ReviewerPools, finishes: Finish[]): Promise<AnyEvent[]> {
    const state = toReview(row);
    const pool = await pools.of(row.workspace, row.escalation_path);
    const moved = (to: string | null) => pools.moved(row, to);
    if (row.canary) {
      // A canary's first deadline is its last: missed, scored, and nothing an agent could act on
      // (no reassignment, escalation nor resolution).
      const missed = canaryMissed(state, row.canary, now);
      timersFired.inc({ outcome: 'canary_missed' });
      finishes.push({ approvalId: row.approval_id, status: missed.status, resolution: missed.resolution });
      await moved(null);
      return [missed.event];
    }
    if (row.expires_at && row.expires_at <= now) {
      const outcome = onExpired(state, pool, now);
      if (outcome.kind === 'unreviewed') {
        timersFired.inc({ outcome: 'unreviewed' });
        finishes.push({ approvalId: row.approval_id, status: 'unreviewed', resolution: unreviewedResolution(outcome.reason, outcome.detail) });
        await moved(null);
        return [unreviewed(row, outcome.reason, outcome.detail, now)];
      }
      if (outcome.kind === 'resolve') {
        timersFired.inc({ outcome: outcome.status });
        resolutionSeconds.observe({ status: outcome.status, resolved_by: 'timeout' }, (now.getTime() - state.requestedAt.getTime()) / 1000);
        const resolution = {
          status: outcome.status,
          resolvedBy: { kind: 'timeout' as const, id: `on_timeout:${row.on_timeout}` },
          reasons: [{ rule: 'timeout', detail: outcome.reason }],
          notes: null,
          chosenOption: null,
        };
        finishes.push({ approvalId: row.approval_id, status: outcome.status, resolution });
        await moved(null);
        return [approvalResolved(state, resolution, now)];
      }
      timersFired.inc({ outcome: 'expiry_escalated' });
      this.alert(row, outcome.role, outcome.alert);
      await place(manager, row.approval_id, {
        tier: outcome.tier,
        reviewer_role: outcome.role,
        assignee: outcome.reviewerId,
        tried_at_tier: [],
        sla_deadline: outcome.slaDeadline,
        expires_at: outcome.expiresAt,
      });
      await moved(outcome.reviewerId);
      return [escalated(row, outcome.tier, outcome.role, outcome.fromRole, outcome.reviewerId, outcome.slaDeadline, outcome.reason, now)];
    }

    const outcome = onSlaMissed(state, pool, now);
    timersFired.inc({ outcome: outcome.kind });
    switch (outcome.kind) {
      case 'reassigned':
        await place(manager, row.approval_id, {
          tier: outcome.tier,
          reviewer_role: outcome.role,
          assignee: outcome.reviewerId,
          tried_at_tier: outcome.previousReviewerId ? [...row.tried_at_tier, outcome.previousReviewerId] : row.tried_at_tier,
          sla_deadline: outcome.slaDeadline,
        });
        await moved(outcome.reviewerId);
        return [reassigned(row, outcome.role, outcome.reviewerId, outcome.previousReviewerId, outcome.slaDeadline, outcome.reason, now)];
      case 'escalated':
        this.alert(row, outcome.role, outcome.alert);
        await place(manager, row.approval_id, {
          tier: outcome.tier,
          reviewer_role: outcome.role,
          assignee: outcome.reviewerId,
          tried_at_tier: [],
          sla_deadline: outcome.slaDeadline,
        });
        await moved(outcome.reviewerId);
        return [escalated(row, outcome.tier, outcome.role, outcome.fromRole, outcome.reviewerId, outcome.slaDeadline, outcome.reason, now)];
      case 'unanswered':
        this.alert(row, row.reviewer_role, outcome.alert);
        await place(manager, row.approval_id, {
          tier: row.tier,
          reviewer_role: row.reviewer_role,
          assignee: row.assignee,
          tried_at_tier: row.tried_at_tier,
          sla_deadline: outcome.slaDeadline,
        });
        return [];
    }
  }

  private alert(row: ApprovalRow, role: string, alert: string | null): void {
    if (!alert) return;
    operationsAlerts.inc({ kind: 'sla', role });
    this.logger.warn({ approval_id: row.approval_id, decision_id: row.decision_id, workspace: row.workspace, role }, `operations alert: ${alert}`);
  }
}

/**
 * The reviewer pools of one scan, each read once: counting every reviewer's open approvals
 * for each timer that fires costs a read of the whole queue per timer when thousands are
 * due at once. The scan holds its due rows locked, so it keeps the counts right itself as
 * it moves approvals from one reviewer to another.
 */
class ReviewerPools {
  private readonly pools = new Map<string, Promise<Candidate[]>>();

  constructor(
    private readonly manager: EntityManager,
    private readonly defaultCapacity: number,
  ) {}

  of(workspace: string, roles: string[]): Promise<Candidate[]> {
    const key = JSON.stringify([workspace, roles]);
    let pool = this.pools.get(key);
    if (!pool) this.pools.set(key, (pool = candidates(this.manager, workspace, roles, this.defaultCapacity)));
    return pool;
  }

  /** An approval left its assignee (resolved, or placed with `to`): every pool's counts follow. */
  async moved(row: Pick<ApprovalRow, 'assignee' | 'route'>, to: string | null): Promise<void> {
    const from = row.assignee;
    if (from === to) return;
    const count = row.route === 'post_review' ? 'postReviews' : 'pending';
    for (const pool of this.pools.values()) {
      for (const reviewer of await pool) {
        if (reviewer.id === from) reviewer[count] = (reviewer[count] ?? 0) - 1;
        if (reviewer.id === to) reviewer[count] = (reviewer[count] ?? 0) + 1;
      }
    }
  }
}
