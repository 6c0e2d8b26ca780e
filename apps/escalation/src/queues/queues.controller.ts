import { QueueSnapshot } from '@hitl/reviewer-api';
import { Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { Reviewer, ReviewerApi } from '../reviewers/reviewer.decorators';
import { WorkspaceScope } from './queues.repository';
import { QueuesService } from './queues.service';

/** What a caller may see: admins and reviewers of every workspace see all; others their workspaces. */
export function scopeOf(reviewer: Pick<AuthenticatedReviewer, 'admin' | 'workspaces'>): WorkspaceScope {
  return reviewer.admin || reviewer.workspaces.includes('*') ? 'all' : reviewer.workspaces;
}

/** GET /queues: each workspace and role's open approvals, their age and their SLA risk. */
@ReviewerApi('queues', 'queues')
export class QueuesController {
  constructor(private readonly queues: QueuesService) {}

  @Get()
  @ApiOperation({
    summary: 'How each reviewer queue stands',
    description:
      'One line per workspace, role and queue (`blocking`: what agents wait on; `post_review`: actions that already ran, reviewed after the fact) with open approvals, ' +
      'in the workspaces of the caller (admins see all): depth (pending or clarifying), unassigned, oldest_age_seconds, sla_breaches (pending past their SLA deadline; ' +
      'for post-reviews, past their review window), predicted_breaches (pending due before now + prediction_horizon_seconds: the median time to decision of the role ' +
      'over the last 24 h, or 5 minutes without history; includes the breaches), paused (clarifying), and for post-reviews unreviewed_24h (review window closed with nobody looking) ' +
      'and backed_off_24h (not queued: every reviewer was at capacity, so sampling backed off); a post-review queue with either shows even when empty. ' +
      'The same numbers are the hitl_queue_* gauges of /metrics.',
  })
  @ApiOkResponse({ description: '`as_of` and `queues`, by workspace, role, then blocking before post_review.' })
  async list(@Reviewer() reviewer: AuthenticatedReviewer): Promise<QueueSnapshot> {
    const now = new Date();
    return { as_of: now.toISOString(), queues: await this.queues.snapshot(scopeOf(reviewer), now) };
  }
}
