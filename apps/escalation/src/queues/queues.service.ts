import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { QueueStats } from '@hitl/reviewer-api';
import { DEFAULT_HORIZON_SECONDS, horizonsOf, queueStats } from './queue-stats';
import { WorkspaceScope, queueAggregates, queuePaces, unreviewedCounts } from './queues.repository';

/** The reviewer queues as they stand: what GET /queues shows and the queue gauges export. */
@Injectable()
export class QueuesService {
  constructor(private readonly dataSource: DataSource) {}

  /** One snapshot: every read in one repeatable-read transaction, so the numbers agree with each other. */
  snapshot(scope: WorkspaceScope, now: Date): Promise<QueueStats[]> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const horizons = horizonsOf(await queuePaces(manager, scope, now));
      const aggregates = await queueAggregates(manager, scope, now, horizons, DEFAULT_HORIZON_SECONDS);
      return queueStats(aggregates, await unreviewedCounts(manager, scope, now), horizons, now);
    });
  }
}
