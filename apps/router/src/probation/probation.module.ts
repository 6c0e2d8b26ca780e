import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { ApprovalResolvedConsumer } from './approval-resolved.consumer';
import { ProbationService } from './probation.service';

@Module({ imports: [ManifestModule], controllers: [ApprovalResolvedConsumer], providers: [ProbationService], exports: [ProbationService] })
export class ProbationModule {}
