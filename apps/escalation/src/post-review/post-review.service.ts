import { APPROVAL_ROLLED_BACK, newEvent } from '@hitl/contracts';
import { Outbox, OutboxRelay } from '@hitl/messaging';
import { SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ESCALATION_SOURCE } from '../approvals/approval-events';
import { approvalNotFound, refused } from '../approvals/approval.errors';
import { finish, lockApproval, toState } from '../approvals/approvals.repository';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { refuseRollback } from './rollback-rules';

export interface RolledBack {
  approval_id: string;
  decision_id: string;
  status: 'rolled_back';
  rolled_back_by: string;
  reason: string;
  rolled_back_at: string;
}

/** Post-review: a reviewer undoes an action that already ran, within its rollback window. */
@Injectable()
export class PostReviewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly relay: OutboxRelay,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Marks it rolled_back and tells the agent (approval.updated), in one transaction. */
  async rollback(reviewer: AuthenticatedReviewer, approvalId: string, reason: string, now = new Date()): Promise<RolledBack> {
    const row = await this.dataSource.transaction(async (manager) => {
      const locked = await lockApproval(manager, approvalId);
      if (!locked) throw approvalNotFound(approvalId);
      const refusal = refuseRollback(reviewer, { state: toState(locked), createdAt: locked.created_at, rollbackWindowSeconds: locked.rollback_window_seconds }, now);
      if (refusal) throw refused(refusal);
      // Stored in the shape of the other resolutions; no approval.resolved: the router resolved it (post_review ran it) long ago.
      const resolution = {
        status: 'rolled_back',
        resolvedBy: { kind: 'reviewer', id: reviewer.id },
        reasons: [{ rule: 'rolled_back', detail: `rolled back by ${reviewer.id}: ${reason}` }],
        notes: reason,
        chosenOption: null,
      };
      await finish(manager, approvalId, 'rolled_back', resolution);
      const event = newEvent(
        APPROVAL_ROLLED_BACK,
        { decision_id: locked.decision_id, approval_id: approvalId, rolled_back_by: reviewer.id, reason },
        { source: ESCALATION_SOURCE, workspaceid: locked.workspace, time: now },
      );
      await this.outbox.publish(manager, [event]);
      return locked;
    });
    this.relay.nudge();
    this.logger.info({ approval_id: approvalId, decision_id: row.decision_id, by: reviewer.id }, 'post-review: action rolled back');
    return { approval_id: approvalId, decision_id: row.decision_id, status: 'rolled_back', rolled_back_by: reviewer.id, reason, rolled_back_at: now.toISOString() };
  }
}
