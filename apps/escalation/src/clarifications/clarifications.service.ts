import { randomUUID } from 'node:crypto';
import { APPROVAL_CLARIFICATION_PROVIDED, CloudEvent, signedByProposer } from '@hitl/contracts';
import { MessageContext, Outbox, OutboxRelay, UnprocessableMessageError } from '@hitl/messaging';
import { SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { approvalNotFound, refused } from '../approvals/approval.errors';
import { lockApproval, toState } from '../approvals/approvals.repository';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { clarificationRequested } from './clarification-events';
import { clarificationDeadline, onAnswer, pauseClocks, pausedApprovalOf, refuseClarification } from './clarification-rules';
import { answerClarification, insertClarification, lockClarification, pauseApproval, resumeApproval } from './clarifications.repository';

export interface ClarificationAsked {
  clarification_id: string;
  approval_id: string;
  status: 'clarifying';
  question: string;
  requested_by: string;
  requested_at: string;
  /** What the SLA and expiry clocks had left when they stopped. */
  paused: { sla_ms: number | null; expiry_ms: number | null };
  /** When the clocks run again if the agent has not answered by then (the manifest's clarification_timeout_seconds). */
  resumes_by: string;
}

/** A reviewer asks the agent; the agent answers on approval.updated. The clocks stand still in between. */
@Injectable()
export class ClarificationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly relay: OutboxRelay,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Pauses the approval, records the question and tells the agent, in one transaction. */
  async ask(reviewer: AuthenticatedReviewer, approvalId: string, question: string, now = new Date()): Promise<ClarificationAsked> {
    const asked = await this.dataSource.transaction(async (manager) => {
      const row = await lockApproval(manager, approvalId);
      if (!row) throw approvalNotFound(approvalId);
      const refusal = refuseClarification(reviewer, toState(row));
      if (refusal) throw refused(refusal);
      const paused = pauseClocks({ slaDeadline: row.sla_deadline, expiresAt: row.expires_at }, now);
      const clarification = { clarification_id: randomUUID(), approval_id: approvalId, question, requested_by: reviewer.id, requested_at: now };
      await pauseApproval(manager, approvalId, paused, clarificationDeadline(now, row.clarification_timeout_seconds));
      await insertClarification(manager, clarification);
      await this.outbox.publish(manager, [clarificationRequested(row, clarification)]);
      return { row, clarification, paused };
    });
    this.relay.nudge();
    const { row, clarification, paused } = asked;
    this.logger.info({ approval_id: approvalId, decision_id: row.decision_id, clarification_id: clarification.clarification_id, by: reviewer.id }, 'clarification requested; clocks paused');
    return {
      clarification_id: clarification.clarification_id,
      approval_id: approvalId,
      status: 'clarifying',
      question,
      requested_by: reviewer.id,
      requested_at: now.toISOString(),
      paused: { sla_ms: paused.slaMs, expiry_ms: paused.expiryMs },
      resumes_by: clarificationDeadline(now, row.clarification_timeout_seconds).toISOString(),
    };
  }

  /** The agent's answer, in the message's transaction: kept, and the clocks run again. Emits nothing. */
  async answer(event: CloudEvent<typeof APPROVAL_CLARIFICATION_PROVIDED>, ctx: MessageContext, now = new Date()): Promise<void> {
    const { approval_id: approvalId, clarification_id: clarificationId, decision_id: decisionId } = event.data;
    const row = await lockApproval(ctx.manager, approvalId);
    if (!row) throw new UnprocessableMessageError('approval_not_found', `no approval ${approvalId}`);
    if (row.decision_id !== decisionId || row.workspace !== event.workspaceid) {
      throw new UnprocessableMessageError('approval_mismatch', `approval ${approvalId} is of decision ${row.decision_id} in workspace ${row.workspace}, not ${decisionId} in ${event.workspaceid}`);
    }
    // The transport checked that an agent allowed in the workspace signed it; only the
    // agent that proposed the decision may answer for it. Refused, it changes nothing.
    if (!signedByProposer(ctx.signer(event.id), row.agent_id)) {
      throw new UnprocessableMessageError('signature_invalid', `the clarification answer is not signed by the agent that proposed decision ${decisionId} (${row.agent_id})`);
    }
    const clarification = await lockClarification(ctx.manager, clarificationId);
    if (!clarification || clarification.approval_id !== approvalId) {
      throw new UnprocessableMessageError('clarification_not_found', `approval ${approvalId} has no clarification ${clarificationId}`);
    }
    const outcome = onAnswer(pausedApprovalOf(row), clarification, now);
    const log = { approval_id: approvalId, decision_id: decisionId, clarification_id: clarificationId, partition: ctx.position.partition, offset: ctx.position.offset };
    if (outcome.kind === 'already_answered') {
      this.logger.info(log, 'clarification already answered; the first answer stands');
      return;
    }
    await answerClarification(ctx.manager, clarificationId, event.data.answer, event.data.provided_by, now);
    if (outcome.resume) await resumeApproval(ctx.manager, approvalId, outcome.resume);
    this.logger.info({ ...log, resumed: outcome.resume !== null }, 'clarification answered');
  }
}
