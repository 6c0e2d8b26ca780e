import { Polling, PollingService, SERVICE_CONFIG, SERVICE_LOGGER, postWebhook, settleAfterPost } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { EscalationConfig } from '../config';
import { NOTIFICATION_OPTIONS, NotificationOptions } from './notification-options';
import { notificationPosts } from './notifications.metrics';
import { DueNotification, Settlement, lockDueNotifications, settleNotification } from './notifications.repository';

const BATCH = 20;
/**
 * Posts the notifications table to each role's webhook and each reviewer's own, like the outbox relay: every replica
 * polls with FOR UPDATE SKIP LOCKED, so each notification is in one replica's hands at a
 * time, held in the transaction that records its outcome. A failure is retried with growing
 * delays (@hitl/service-kit webhooks/delivery-policy.ts); a restart loses nothing, and a crash mid-post posts again
 * (at least once). Messages about approvals already decided, or moved on, are skipped.
 */
@Injectable()
export class NotificationDispatcher extends PollingService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(NOTIFICATION_OPTIONS) private readonly options: NotificationOptions,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  protected polling(): Polling {
    return {
      what: 'notification dispatch',
      round: (now) => this.dispatchOnce(now),
      batch: BATCH,
      intervalMs: this.config.NOTIFY_POLL_INTERVAL_MS,
      logger: this.logger,
    };
  }

  /** Posts what is due at `now` (up to a batch); returns how many notifications it handled. */
  async dispatchOnce(now: Date): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = await lockDueNotifications(manager, now, BATCH);
      // The posts go out together; the transaction (and its row locks) lasts as long as the slowest, at most WEBHOOK_TIMEOUT_MS.
      const settled = await Promise.all(due.map(async (n) => ({ n, settlement: await this.deliver(n, now) })));
      for (const { n, settlement } of settled) {
        await settleNotification(manager, n.id, settlement);
        this.record(n, settlement);
      }
      return due.length;
    });
  }

  /** Where it goes now: the role's webhook from the file, or the reviewer's own from the directory; else why nowhere. */
  private addressOf(n: DueNotification): { url: string } | { none: string } {
    if (n.channel === 'reviewer') return n.reviewer_webhook ? { url: n.reviewer_webhook } : { none: `${n.reviewer_id} has no channel of their own any more` };
    const url = n.role === null ? undefined : this.options.webhooks.get(n.role);
    return url ? { url } : { none: `no webhook for the role ${n.role} any more` };
  }

  private async deliver(n: DueNotification, now: Date): Promise<Settlement> {
    if (n.approval_id !== null && n.approval_status !== 'pending' && n.approval_status !== 'clarifying') {
      return { status: 'skipped', attempts: n.attempts, error: `the approval is already ${n.approval_status}` };
    }
    if (n.handoff_id !== null && n.handoff_state !== 'open') {
      return { status: 'skipped', attempts: n.attempts, error: `the handoff is already ${n.handoff_state?.replace('_', ' ') ?? 'gone'}` };
    }
    if (n.superseded) return { status: 'skipped', attempts: n.attempts, error: 'a later notification about the same approval or handoff replaces it' };
    const address = this.addressOf(n);
    if ('none' in address) return { status: 'skipped', attempts: n.attempts, error: address.none };
    return settleAfterPost(await postWebhook(address.url, JSON.stringify(n.message)), n.attempts + 1, now);
  }

  private record(n: DueNotification, s: Settlement): void {
    const outcome = s.status === 'pending' ? 'retry' : s.status;
    notificationPosts.inc({ outcome, channel: n.channel, role: n.role ?? '' });
    const fields = { notification: n.id, approval_id: n.approval_id, channel: n.channel, role: n.role, reviewer: n.reviewer_id, attempts: s.attempts };
    if (s.status === 'pending')
      this.logger.warn({ ...fields, error: s.error, retry_at: s.nextAttemptAt.toISOString() }, 'notification not delivered; will retry');
    else if (s.status === 'failed') this.logger.error({ ...fields, error: s.error }, 'notification not delivered; given up');
    else if (s.status === 'skipped') this.logger.debug({ ...fields, reason: s.error }, 'notification skipped');
  }
}
