import { Module } from '@nestjs/common';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { QueueMetrics } from './queues.metrics';
import { QueuesController } from './queues.controller';
import { QueuesService } from './queues.service';

@Module({ imports: [ReviewersModule], controllers: [QueuesController], providers: [QueuesService, QueueMetrics] })
export class QueuesModule {}
