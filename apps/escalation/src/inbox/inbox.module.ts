import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';

/** What reviewers read: their inbox and the approvals in it. */
@Module({ imports: [ReviewersModule, ManifestModule], controllers: [InboxController], providers: [InboxService] })
export class InboxModule {}
