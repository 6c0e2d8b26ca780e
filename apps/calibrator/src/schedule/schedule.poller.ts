import { SERVICE_CONFIG, SERVICE_LOGGER } from '@hitl/service-kit';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { CalibrationConfig } from '../reports/calibration.config';
import { ReportService } from '../reports/report.service';
import { nextSlot } from './cron';
import { ScheduleConfig } from './schedule.config';
import { claimDueSlot, completeSlot, ensureSchedule } from './schedule.repository';

export const SCHEDULE_NAME = 'calibration-report';

/**
 * The weekly report. The next slot lives in PostgreSQL; every replica polls, and the one
 * that claims the due row (FOR UPDATE SKIP LOCKED) generates the report and moves the
 * slot on in the same transaction. A slot missed while every replica was down runs at
 * the next poll, once; a failed run leaves the slot due, and the next poll retries it.
 */
@Injectable()
export class SchedulePoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly reports: ReportService,
    @Inject(SERVICE_CONFIG) private readonly config: ScheduleConfig & CalibrationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const now = new Date();
    const row = await ensureSchedule(this.dataSource.manager, SCHEDULE_NAME, this.config.CALIBRATION_CRON, nextSlot(this.config.CALIBRATION_CRON, now));
    this.logger.info({ cron: row.cron, next_run_at: row.next_run_at, polling: this.config.CALIBRATION_SCHEDULE_POLL_MS > 0 }, 'calibration report schedule');
    if (this.config.CALIBRATION_SCHEDULE_POLL_MS > 0) this.arm();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all(this.running);
  }

  /** Runs the due slot, if any and if no other replica is on it; returns the report's id. */
  tick(now = new Date()): Promise<string | null> {
    const run = this.dataSource.transaction(async (manager) => {
      const due = await claimDueSlot(manager, SCHEDULE_NAME, now);
      if (!due) return null;
      const report = await this.reports.generate(now, this.config.CALIBRATION_WINDOW_DAYS, { trigger: 'schedule', manager });
      const next = nextSlot(due.cron, now);
      await completeSlot(manager, SCHEDULE_NAME, now, report.id, next);
      this.logger.info({ report: report.id, slot: due.next_run_at, next_run_at: next }, 'scheduled calibration report done');
      return report.id;
    });
    const settled = run.catch(() => undefined).finally(() => this.running.delete(settled));
    this.running.add(settled);
    return run;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick().then(
        () => this.arm(),
        (error: unknown) => {
          this.logger.error({ err: error }, 'scheduled calibration report failed; the slot stays due and the next poll retries');
          this.arm();
        },
      );
    }, this.config.CALIBRATION_SCHEDULE_POLL_MS);
    this.timer.unref();
  }
}
