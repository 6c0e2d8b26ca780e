import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NotificationsModule } from '../notifications/notifications.module';
import { DirectoryService } from './directory.service';
import { MeController } from './me.controller';
import { ReviewerEntity } from './reviewer.entity';
import { ReviewersController } from './reviewers.controller';
import { ReviewersLoader } from './reviewers.loader';
import { ReviewersRepository } from './reviewers.repository';

/**
 * Reviewers: the file loaded at start, bearer-token authentication, the admin API (every
 * change governed and on the record: DirectoryService) and GET /me. A module whose routes use `@Authenticated()` / `@AdminOnly()` imports this one
 * (the guards need ReviewersRepository).
 */
@Module({
  imports: [TypeOrmModule.forFeature([ReviewerEntity]), NotificationsModule],
  controllers: [ReviewersController, MeController],
  providers: [ReviewersRepository, DirectoryService, ReviewersLoader],
  exports: [ReviewersRepository],
})
export class ReviewersModule {}
