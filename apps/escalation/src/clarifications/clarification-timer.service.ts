import { onClarificationLapsed, pausedApprovalOf } from '@hitl/approvals';
import { AnyEvent } from '@hitl/contracts';
import { Commands } from '@hitl/messaging';
import { Polling, PollingService, SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { EscalationConfig } from '../config';
import { NotificationsService } from '../notifications/notifications.service';
import { clarificationLapsed } from './clarification-events';
import { clarificationsLapsed } from './clarifications.metrics';
import { lockLapsedClarifications, resumeApproval } from './clarifications.repository';

/**
 * The limit of a clarification is a timer like the SLA: its deadline lives in the approvals
 * table and every replica polls for it with FOR UPDATE SKIP LOCKED, so it fires once and
 * survives any restart. Firing resumes the clocks from the deadline (not from the scan), so a
 * late scan never lengthens the pause.
 */
@Injectable()
export class ClarificationTimer extends PollingService {
  constructor(
    private readonly commands: Commands,
    private readonly notifications: NotificationsService,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  protected polling(): Polling {
    return {
      what: 'clarification timer',
      round: (now) => this.scanOnce(now),
      batch: this.config.SLA_SCAN_BATCH,
      intervalMs: this.config.SLA_SCAN_INTERVAL_MS,
      logger: this.logger,
    };
  }

  /** Resumes every approval whose clarification lapsed by `now` (up to a batch); returns how many rows it looked at. */
  async scanOnce(now: Date): Promise<number> {
    return this.commands.run(async (ctx) => {
      const due = await lockLapsedClarifications(ctx.manager, now, this.config.SLA_SCAN_BATCH);
      const events: AnyEvent[] = [];
      for (const row of due) {
        const outcome = onClarificationLapsed(pausedApprovalOf(row), now);
        if (outcome.kind === 'not_due') continue;
        await resumeApproval(ctx.manager, row.approval_id, outcome.resume);
        clarificationsLapsed.inc();
        this.logger.info(
          { approval_id: row.approval_id, decision_id: row.decision_id, since: outcome.at.toISOString() },
          'clarification unanswered past its limit; clocks resumed',
        );
        // A canary's question went to nobody: its clocks run again and nothing is published.
        if (outcome.resume.slaDeadline === null || row.canary !== null) continue;
        const event = clarificationLapsed(row, outcome.resume.slaDeadline, now);
        await this.notifications.enqueue(ctx.manager, row, event, now);
        events.push(event);
      }
      await ctx.emit(...events);
      return due.length;
    });
  }
}
