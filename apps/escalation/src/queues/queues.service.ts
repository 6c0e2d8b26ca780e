import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { QueueStats } from '@hitl/reviewer-api';
import { queueStats } from './queue-stats';
import { WorkspaceScope, openApprovals, queuePaces } from './queues.repository';

/** The reviewer queues as they stand: what GET /queues shows and the queue gauges export. */
@Injectable()
export class QueuesService {
  constructor(private readonly dataSource: DataSource) {}

  /** One snapshot: both reads in one repeatable-read transaction, so the numbers agree with each other. */
  snapshot(scope: WorkspaceScope, now: Date): Promise<QueueStats[]> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [open, paces] = [await openApprovals(manager, scope), await queuePaces(manager, scope, now)];
      return queueStats(open, paces, now);
    });
  }
}
