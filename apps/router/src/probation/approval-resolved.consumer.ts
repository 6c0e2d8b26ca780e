import { AnyEvent, Topics } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ProbationService } from './probation.service';

/** A reviewer's approval or denial: the only resolutions probation counts. */
function isReview(e: AnyEvent): boolean {
  return e.type === 'hitl.approval.resolved.v1' && e.data.resolved_by.kind === 'reviewer' && (e.data.status === 'approved' || e.data.status === 'denied');
}

/**
 * Resolutions, for probation: a reviewer's approval or denial of a decision the router routed
 * under a probation counts towards it (approved unchanged, or not). The transport verified the
 * escalation service signed each reviewer's resolution; the router's own (by policy) and those
 * by timeout are no review, and are skipped unverified and unclaimed (`relevant`): most of
 * what the router reads back is its own answers, and checking them took about two fifths of
 * its CPU (docs/benchmarks.md).
 */
@Controller()
export class ApprovalResolvedConsumer {
  constructor(private readonly probation: ProbationService) {}

  @EventPattern(Topics.ApprovalResolved, { batch: true, relevant: isReview })
  onResolved(@Payload() events: AnyEvent[], @Ctx() ctx: MessageContext): Promise<void> {
    const reviews = events.flatMap((e) =>
      e.type === 'hitl.approval.resolved.v1' && isReview(e)
        ? [{ decision_id: e.data.decision_id, approved_unchanged: e.data.status === 'approved' && !e.data.edited, reviewed_at: new Date(e.time) }]
        : [],
    );
    return this.probation.countReviews(ctx, reviews, new Date());
  }
}
