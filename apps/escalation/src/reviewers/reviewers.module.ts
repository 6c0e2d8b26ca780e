import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MeController } from './me.controller';
import { ReviewerEntity } from './reviewer.entity';
import { ReviewersController } from './reviewers.controller';
import { ReviewersLoader } from './reviewers.loader';
import { ReviewersRepository } from './reviewers.repository';

/**
 * Reviewers: the file loaded at start, bearer-token authentication, the admin API and
 * GET /me. A module whose routes use `@Authenticated()` / `@AdminOnly()` imports this one
 * (the guards need ReviewersRepository).
 */
@Module({
  imports: [TypeOrmModule.forFeature([ReviewerEntity])],
  controllers: [ReviewersController, MeController],
  providers: [ReviewersRepository, ReviewersLoader],
  exports: [ReviewersRepository],
})
export class ReviewersModule {}
