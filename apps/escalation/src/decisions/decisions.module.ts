import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { DecisionsController } from './decisions.controller';
import { DecisionsService } from './decisions.service';

@Module({ imports: [ManifestModule, ReviewersModule], controllers: [DecisionsController], providers: [DecisionsService], exports: [DecisionsService] })
export class DecisionsModule {}
