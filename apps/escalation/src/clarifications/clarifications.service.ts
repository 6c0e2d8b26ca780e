import { randomUUID } from 'node:crypto';
import { onAnswer, pausedApprovalOf } from '@hitl/approvals';
import { APPROVAL_CLARIFICATION_PROVIDED, CloudEvent, signedByProposer } from '@hitl/contracts';
import { MessageContext, UnprocessableMessageError } from '@hitl/messaging';
import { ClarificationAsked } from '@hitl/reviewer-api';
import { SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { lockApproval } from '../approval-store/approval-store.repository';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { ReviewsService } from '../reviews/reviews.service';
import { answerClarification, lockClarification, resumeApproval } from './clarifications.repository';

export type { ClarificationAsked } from '@hitl/reviewer-api';

/** A reviewer asks the agent; the agent answers on approval.updated. The clocks stand still in between. */
@Injectable()
export class ClarificationsService {
  constructor(
    private readonly reviews: ReviewsService,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Pauses the approval, records the question and tells the agent, in one transaction. */
  async ask(reviewer: AuthenticatedReviewer, approvalId: string, question: string, now = new Date()): Promise<ClarificationAsked> {
    const outcome = await this.reviews.review(approvalId, () => ({ act: 'clarify', by: reviewer, clarificationId: randomUUID(), question }), now);
    const pause = outcome.changes.find((c) => c.kind === 'pause');
    const ask = outcome.changes.find((c) => c.kind === 'ask');
    if (!pause || !ask) throw new Error('a clarification always pauses the clocks and records the question');
    const { clarificationId } = ask.clarification;
    this.logger.info(
      { approval_id: approvalId, decision_id: outcome.review.decisionId, clarification_id: clarificationId, by: reviewer.id },
      'clarification requested; clocks paused',
    );
    return {
      clarification_id: clarificationId,
      approval_id: approvalId,
      status: 'clarifying',
      question,
      requested_by: reviewer.id,
      requested_at: now.toISOString(),
      paused: { sla_ms: pause.paused.slaMs, expiry_ms: pause.paused.expiryMs },
      resumes_by: pause.until.toISOString(),
    };
  }

  /** The agent's answer, in the message's transaction: kept, and the clocks run again. Emits nothing. */
  async answer(event: CloudEvent<typeof APPROVAL_CLARIFICATION_PROVIDED>, ctx: MessageContext, now = new Date()): Promise<void> {
    const { approval_id: approvalId, clarification_id: clarificationId, decision_id: decisionId } = event.data;
    const row = await lockApproval(ctx.manager, approvalId);
    if (!row) throw new UnprocessableMessageError('approval_not_found', `no approval ${approvalId}`);
    if (row.decision_id !== decisionId || row.workspace !== event.workspaceid) {
      throw new UnprocessableMessageError(
        'approval_mismatch',
        `approval ${approvalId} is of decision ${row.decision_id} in workspace ${row.workspace}, not ${decisionId} in ${event.workspaceid}`,
      );
    }
    // The transport checked that an agent allowed in the workspace signed it; only the
    // agent that proposed the decision may answer for it. Refused, it changes nothing.
    if (!signedByProposer(ctx.signer(event.id), row.agent_id)) {
      throw new UnprocessableMessageError(
        'signature_invalid',
        `the clarification answer is not signed by the agent that proposed decision ${decisionId} (${row.agent_id})`,
      );
    }
    const clarification = await lockClarification(ctx.manager, clarificationId);
    if (!clarification || clarification.approval_id !== approvalId) {
      throw new UnprocessableMessageError('clarification_not_found', `approval ${approvalId} has no clarification ${clarificationId}`);
    }
    const outcome = onAnswer(pausedApprovalOf(row), clarification, now);
    const log = {
      approval_id: approvalId,
      decision_id: decisionId,
      clarification_id: clarificationId,
      partition: ctx.position?.partition,
      offset: ctx.position?.offset,
    };
    if (outcome.kind === 'already_answered') {
      this.logger.info(log, 'clarification already answered; the first answer stands');
      return;
    }
    await answerClarification(ctx.manager, clarificationId, event.data.answer, event.data.provided_by, now);
    if (outcome.resume) await resumeApproval(ctx.manager, approvalId, outcome.resume);
    this.logger.info({ ...log, resumed: outcome.resume !== null }, 'clarification answered');
  }
}
