import { QueueStats } from '@hitl/reviewer-api';
import { SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { QueuesService } from './queues.service';

type Source = () => Promise<QueueStats[]>;

let source: Source | null = null;
let refreshing: Promise<void> | null = null;

/**
 * Computed when Prometheus scrapes, never on a timer: the gauges share one snapshot per
 * scrape (the first gauge collected starts it, the others wait for the same one).
 */
function refresh(): Promise<void> {
  refreshing ??= (async () => {
    try {
      const stats = source ? await source() : [];
      for (const gauge of gauges) gauge.reset();
      for (const q of stats) {
        const labels = { workspace: q.workspace, role: q.role, queue: q.queue };
        depth.set(labels, q.depth);
        oldest.set(labels, q.oldest_age_seconds);
        breaches.set(labels, q.sla_breaches);
        predicted.set(labels, q.predicted_breaches);
        unreviewed.set(labels, q.unreviewed_24h);
        backedOff.set(labels, q.backed_off_24h);
      }
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

const labelNames = ['workspace', 'role', 'queue'] as const;
const collect = () => refresh();
const depth = new Gauge({
  name: 'hitl_queue_depth',
  help: 'Open approvals (pending or clarifying) by workspace, role and queue (blocking or post_review)',
  labelNames,
  collect,
});
const oldest = new Gauge({ name: 'hitl_queue_oldest_seconds', help: 'Age of the oldest open approval, by workspace, role and queue', labelNames, collect });
const breaches = new Gauge({
  name: 'hitl_queue_sla_breaches',
  help: 'Pending approvals past their SLA deadline (post-reviews: past their review window, about to end unreviewed)',
  labelNames,
  collect,
});
const predicted = new Gauge({
  name: 'hitl_queue_predicted_breaches',
  help: "Pending approvals due before now + the queue's median time to decision over the last 24 h (5 min without history); includes breaches",
  labelNames,
  collect,
});
const unreviewed = new Gauge({
  name: 'hitl_queue_unreviewed_24h',
  help: 'Post-reviews whose review window closed with nobody looking, in the last 24 h',
  labelNames,
  collect,
});
const backedOff = new Gauge({
  name: 'hitl_queue_backed_off_24h',
  help: 'Post-reviews not queued in the last 24 h because every reviewer of the role was at capacity (sampling backed off)',
  labelNames,
  collect,
});
const gauges = [depth, oldest, breaches, predicted, unreviewed, backedOff];

/** Points the queue gauges at this app's database (the last app started, when a test hosts several). */
@Injectable()
export class QueueMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly read: Source = async () => {
    try {
      return await this.queues.snapshot('all', new Date());
    } catch (error) {
      // A failed read leaves the queue gauges out of this scrape rather than failing /metrics whole.
      this.logger.warn({ err: error }, 'queue gauges not computed for this scrape');
      return [];
    }
  };

  constructor(
    private readonly queues: QueuesService,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    source = this.read;
  }

  onModuleDestroy(): void {
    if (source === this.read) source = null;
  }
}
