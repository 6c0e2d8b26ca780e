import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { DecisionsModule } from '../decisions/decisions.module';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { LinksController } from './links.controller';
import { LinksService } from './links.service';
import { NotificationsModule } from './notifications.module';

/** One-click links of notifications; apart from NotificationsModule so approvals never depend on decisions. */
@Module({ imports: [NotificationsModule, DecisionsModule, ReviewersModule, ManifestModule], controllers: [LinksController], providers: [LinksService] })
export class LinksModule {}
