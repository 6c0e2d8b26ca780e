import { Polling, PollingService, SERVICE_CONFIG, SERVICE_LOGGER, postWebhook, settleAfterPost } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { GatewayConfig } from '../config';
import { callbackPosts } from './callbacks.metrics';
import { DueDelivery, Settlement, lockDueDeliveries, settleDelivery } from './callbacks.repository';

const BATCH = 20;

/**
 * Posts the outcomes waiting in callback_deliveries to each agent's callback, signed as
 * Standard Webhooks specifies (webhook-id, webhook-timestamp, webhook-signature: HMAC-SHA256 with
 * the agent's secret). Every replica polls with FOR UPDATE SKIP LOCKED, so each delivery is in
 * one replica's hands at a time; a failure is retried with growing delays (@hitl/service-kit
 * webhooks/delivery-policy.ts); a restart loses nothing; a crash mid-post posts again (the
 * same webhook-id: at least once, de-duplicable).
 */
@Injectable()
export class CallbackDispatcher extends PollingService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  protected polling(): Polling {
    return {
      what: 'callback dispatch',
      round: (now) => this.dispatchOnce(now),
      batch: BATCH,
      intervalMs: this.config.GATEWAY_CALLBACK_POLL_MS,
      logger: this.logger,
    };
  }

  /** Posts what is due at `now` (up to a batch); returns how many deliveries it handled. */
  async dispatchOnce(now: Date): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const due = await lockDueDeliveries(manager, now, BATCH);
      // The posts go out together; the transaction (and its row locks) lasts as long as the slowest, at most WEBHOOK_TIMEOUT_MS.
      const settled = await Promise.all(due.map(async (d) => ({ d, settlement: await this.deliver(d, now) })));
      for (const { d, settlement } of settled) {
        await settleDelivery(manager, d.id, settlement);
        this.record(d, settlement);
      }
      return due.length;
    });
  }

  private async deliver(d: DueDelivery, now: Date): Promise<Settlement> {
    if (d.secret === null) return { status: 'failed', attempts: d.attempts, error: 'the agent removed its callback' };
    const headers = {
      'webhook-id': d.webhook_id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(d.secret).sign(d.webhook_id, now, d.body),
    };
    return settleAfterPost(await postWebhook(d.url, d.body, headers), d.attempts + 1, now);
  }

  private record(d: DueDelivery, s: Settlement): void {
    callbackPosts.inc({ outcome: s.status === 'pending' ? 'retry' : s.status });
    const fields = { delivery: d.id, webhook_id: d.webhook_id, agent: d.agent_id, attempts: s.attempts };
    if (s.status === 'pending') this.logger.warn({ ...fields, error: s.error, retry_at: s.nextAttemptAt.toISOString() }, 'callback not delivered; will retry');
    else if (s.status === 'failed') this.logger.error({ ...fields, error: s.error }, 'callback not delivered; given up');
    else this.logger.debug(fields, 'callback delivered');
  }
}
