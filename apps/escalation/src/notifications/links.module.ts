import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { ReviewsModule } from '../reviews/reviews.module';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { LinksController } from './links.controller';
import { LinksService } from './links.service';
import { NotificationsModule } from './notifications.module';

/** One-click links of notifications; apart from NotificationsModule so intake never depends on reviews. */
@Module({ imports: [NotificationsModule, ReviewsModule, ReviewersModule, ManifestModule], controllers: [LinksController], providers: [LinksService] })
export class LinksModule {}
