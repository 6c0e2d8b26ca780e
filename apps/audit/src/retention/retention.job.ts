import { SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from 'pino';
import { RetentionConfig, nextRun } from './retention-policy';
import { RetentionService } from './retention.service';

/** Runs retention on fixed ticks (AUDIT_RETENTION_INTERVAL_MS, daily at 00:00 UTC by default) while AUDIT_RETENTION is set. */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: RetentionConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly retention: RetentionService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.retention.configured || this.config.AUDIT_RETENTION_INTERVAL_MS === 0) return;
    this.schedule();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = new Date();
    const at = nextRun(now, this.config.AUDIT_RETENTION_INTERVAL_MS);
    this.timer = setTimeout(() => void this.tick(), at.getTime() - now.getTime());
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.retention.run(new Date());
    } catch (error) {
      this.logger.error({ err: error }, 'retention run failed; the next tick tries again');
    }
    this.schedule();
  }
}
