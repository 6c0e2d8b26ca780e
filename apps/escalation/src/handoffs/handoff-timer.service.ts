import { Polling, PollingService, SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { EscalationConfig } from '../config';
import { HandoffsService } from './handoffs.service';

/**
 * The SLA of a handoff is a timer like the approvals': its deadline lives in the handoffs
 * table and every replica polls for it with FOR UPDATE SKIP LOCKED, so it fires once and
 * survives any restart.
 */
@Injectable()
export class HandoffTimer extends PollingService {
  constructor(
    private readonly handoffs: HandoffsService,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  protected polling(): Polling {
    return {
      what: 'handoff timer',
      round: (now) => this.handoffs.escalateDue(now, this.config.SLA_SCAN_BATCH),
      batch: this.config.SLA_SCAN_BATCH,
      intervalMs: this.config.SLA_SCAN_INTERVAL_MS,
      logger: this.logger,
    };
  }
}
