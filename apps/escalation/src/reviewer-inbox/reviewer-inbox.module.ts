import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { OpeningsService } from '../openings/openings.service';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { ReviewerInboxController } from './reviewer-inbox.controller';
import { ReviewerInboxService } from './reviewer-inbox.service';

/** What reviewers read: their inbox and the approvals in it. */
@Module({ imports: [ReviewersModule, ManifestModule], controllers: [ReviewerInboxController], providers: [ReviewerInboxService, OpeningsService] })
export class ReviewerInboxModule {}
