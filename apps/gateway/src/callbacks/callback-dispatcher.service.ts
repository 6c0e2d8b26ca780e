import { Delivery, Polling, PollingService, SERVICE_CONFIG, SERVICE_LOGGER, afterAttempt } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { GatewayConfig } from '../config';
import { callbackPosts } from './callbacks.metrics';
import { DueDelivery, Settlement, lockDueDeliveries, settleDelivery } from './callbacks.repository';

const BATCH = 20;
const POST_TIMEOUT_MS = 5_000;

type PostOutcome = { status: number } | { error: string };

/** A failed post, named without its URL (an agent's endpoint may carry a credential). */
function describe(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${POST_TIMEOUT_MS} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code ?? (error instanceof Error ? error.name : 'unknown error');
}

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
      // The posts go out together; the transaction (and its row locks) lasts as long as the slowest, at most POST_TIMEOUT_MS.
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
    const attempts = d.attempts + 1;
    const delivery: Delivery = afterAttempt(await this.post(d, d.secret, now), attempts, Math.random());
    switch (delivery.kind) {
      case 'sent':
        return { status: 'sent', attempts };
      case 'retry':
        return { status: 'pending', attempts, nextAttemptAt: new Date(now.getTime() + delivery.delayMs), error: delivery.error };
      case 'failed':
        return { status: 'failed', attempts, error: delivery.error };
    }
  }

  private async post(d: DueDelivery, secret: string, now: Date): Promise<PostOutcome> {
    try {
      const signature = new Webhook(secret).sign(d.webhook_id, now, d.body);
      const response = await fetch(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': d.webhook_id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: d.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(POST_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      return { status: response.status };
    } catch (error) {
      return { error: describe(error) };
    }
  }

  private record(d: DueDelivery, s: Settlement): void {
    callbackPosts.inc({ outcome: s.status === 'pending' ? 'retry' : s.status });
    const fields = { delivery: d.id, webhook_id: d.webhook_id, agent: d.agent_id, attempts: s.attempts };
    if (s.status === 'pending') this.logger.warn({ ...fields, error: s.error, retry_at: s.nextAttemptAt.toISOString() }, 'callback not delivered; will retry');
    else if (s.status === 'failed') this.logger.error({ ...fields, error: s.error }, 'callback not delivered; given up');
    else this.logger.debug(fields, 'callback delivered');
  }
}
