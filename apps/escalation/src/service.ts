import { ServiceDefinition } from '@hitl/service-kit';
import { AppModule } from './app.module';
import { EscalationConfig, escalationConfig } from './config';
import { CreateMessagingTables1795313552976 } from './migrations/1795313552976-create-messaging-tables';
import { CreateReviewers1795313553000 } from './migrations/1795313553000-create-reviewers';
import { CreateApprovals1795313553100 } from './migrations/1795313553100-create-approvals';
import { CreateClarifications1795313553200 } from './migrations/1795313553200-create-clarifications';
import { CreateNotifications1795313553300 } from './migrations/1795313553300-create-notifications';
import { NotifyApprovalChanges1795313553400 } from './migrations/1795313553400-notify-approval-changes';
import { OutboxAnyBytes1795313557000 } from './migrations/1795313557000-outbox-any-bytes';
import { LimitClarificationPauses1795313557100 } from './migrations/1795313557100-limit-clarification-pauses';
import { NotifyReviewerChanges1795313557200 } from './migrations/1795313557200-notify-reviewer-changes';
import { CreateClassifications1795313557500 } from './migrations/1795313557500-create-classifications';
import { AddReviewerAliases1795313558600 } from './migrations/1795313558600-add-reviewer-aliases';
import { NotifyOwnChannels1795313558700 } from './migrations/1795313558700-notify-own-channels';
import { PostReviewQueue1795313559000 } from './migrations/1795313559000-post-review-queue';
import { CreatePauses1795313561500 } from './migrations/1795313561500-create-pauses';
import { CreateProbations1795313562000 } from './migrations/1795313562000-create-probations';
import { CreateHandoffs1795313563000 } from './migrations/1795313563000-create-handoffs';
import { NotifyHandoffs1795313563100 } from './migrations/1795313563100-notify-handoffs';
import { ReviewQuality1795313564100 } from './migrations/1795313564100-review-quality';
import { ApprovalTraceContext1795313565000 } from './migrations/1795313565000-approval-trace-context';

/** The escalation as the shared plumbing sees it; main.ts runs it, tests build it with their own schema. */
export const escalationService: ServiceDefinition<EscalationConfig> = {
  name: 'escalation',
  schema: 'escalation',
  module: AppModule,
  config: escalationConfig,
  // Reviewers' and timers' outcomes and every approval.updated carry the escalation service's signature.
  signs: 'escalation',
  migrations: [
    CreateMessagingTables1795313552976,
    CreateReviewers1795313553000,
    CreateApprovals1795313553100,
    CreateClarifications1795313553200,
    CreateNotifications1795313553300,
    NotifyApprovalChanges1795313553400,
    OutboxAnyBytes1795313557000,
    LimitClarificationPauses1795313557100,
    NotifyReviewerChanges1795313557200,
    CreateClassifications1795313557500,
    AddReviewerAliases1795313558600,
    NotifyOwnChannels1795313558700,
    PostReviewQueue1795313559000,
    CreatePauses1795313561500,
    CreateProbations1795313562000,
    CreateHandoffs1795313563000,
    NotifyHandoffs1795313563100,
    ReviewQuality1795313564100,
    ApprovalTraceContext1795313565000,
  ],
};
