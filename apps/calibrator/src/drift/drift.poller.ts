import { Polling, PollingService, SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DriftConfig } from './drift.config';
import { ALERT_BATCH, DriftService } from './drift.service';

/** Checks drift every DRIFT_CHECK_SECONDS on every replica; one at a time holds the check (an advisory lock), the others skip the round. */
@Injectable()
export class DriftPoller extends PollingService {
  constructor(
    private readonly drift: DriftService,
    @Inject(SERVICE_CONFIG) private readonly config: DriftConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  override onApplicationBootstrap(): void {
    if (this.config.DRIFT_CHECK_SECONDS > 0) super.onApplicationBootstrap();
  }

  protected polling(): Polling {
    return {
      what: 'drift check',
      round: async (now) => {
        await this.drift.check(now);
        return 0; // one check per tick, however many alerts it raised
      },
      batch: 1,
      intervalMs: this.config.DRIFT_CHECK_SECONDS * 1000,
      logger: this.logger,
    };
  }
}

/** Posts owners' alerts from the table, like the notification dispatcher: FOR UPDATE SKIP LOCKED, retried with backoff. */
@Injectable()
export class OwnerAlertDispatcher extends PollingService {
  constructor(
    private readonly drift: DriftService,
    @Inject(SERVICE_CONFIG) private readonly config: DriftConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  protected polling(): Polling {
    return {
      what: 'owner alert dispatch',
      round: (now) => this.drift.deliver(now),
      batch: ALERT_BATCH,
      intervalMs: this.config.OWNER_ALERTS_POLL_MS,
      logger: this.logger,
    };
  }
}
