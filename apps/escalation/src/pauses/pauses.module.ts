import { Module } from '@nestjs/common';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { PausesController } from './pauses.controller';
import { PausesService } from './pauses.service';

/** The kill switch: admins pause and resume agents, actions or workspaces (HTTP), each on control.changed through the outbox. */
@Module({ imports: [ReviewersModule], controllers: [PausesController], providers: [PausesService] })
export class PausesModule {}
