import { Module } from '@nestjs/common';
import { ApprovalsModule } from './approvals/approvals.module';
import { ClarificationsModule } from './clarifications/clarifications.module';
import { DecisionsModule } from './decisions/decisions.module';
import { InboxModule } from './inbox/inbox.module';
import { LiveModule } from './live/live.module';
import { LinksModule } from './notifications/links.module';
import { PostReviewModule } from './post-review/post-review.module';
import { QueuesModule } from './queues/queues.module';
import { ReviewersModule } from './reviewers/reviewers.module';
import { SlaModule } from './sla/sla.module';

/** The escalation's feature modules. Health, metrics, database, Kafka and logs come from @hitl/service-kit. */
// LiveModule before InboxModule: GET /approvals/stream must be routed before GET /approvals/:id.
@Module({ imports: [LiveModule, ReviewersModule, ApprovalsModule, SlaModule, DecisionsModule, InboxModule, ClarificationsModule, PostReviewModule, LinksModule, QueuesModule] })
export class AppModule {}
