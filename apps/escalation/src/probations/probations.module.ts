import { Module } from '@nestjs/common';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { ControlChangedConsumer } from './control-changed.consumer';
import { ProbationsController } from './probations.controller';
import { ProbationsService } from './probations.service';

/** Probations: the router's starts and graduations folded (Kafka), listed to reviewers and ended early by admins (HTTP), each end on control.changed through the outbox. */
@Module({ imports: [ReviewersModule], controllers: [ProbationsController, ControlChangedConsumer], providers: [ProbationsService] })
export class ProbationsModule {}
