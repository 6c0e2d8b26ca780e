import { ManifestModule } from '@hitl/service-kit';
import { Module } from '@nestjs/common';
import { ReviewersModule } from '../reviewers/reviewers.module';
import { ApprovalChangesService } from './approval-changes.service';
import { ApprovalStreamController } from './approval-stream.controller';

/** Reviewers' consoles follow their approvals live: PostgreSQL LISTEN/NOTIFY fanned out as Server-Sent Events. */
@Module({ imports: [ReviewersModule, ManifestModule], controllers: [ApprovalStreamController], providers: [ApprovalChangesService] })
export class LiveModule {}
