import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ManifestModule } from '@hitl/service-kit';
import { ProbationModule } from '../probation/probation.module';
import { DecisionEntity } from './decision.entity';
import { DecisionProposedConsumer } from './decision-proposed.consumer';
import { RoutingService } from './routing.service';

@Module({
  imports: [TypeOrmModule.forFeature([DecisionEntity]), ManifestModule, ProbationModule],
  controllers: [DecisionProposedConsumer],
  providers: [RoutingService],
})
export class RoutingModule {}
