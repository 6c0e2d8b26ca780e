import { APPROVAL_CLARIFICATION_REQUESTED, APPROVAL_RESOLVED, AnyEvent, CloudEvent, Topics } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DecisionsService } from './decisions.service';

const isResolution = (event: AnyEvent): event is CloudEvent<typeof APPROVAL_RESOLVED> => event.type === APPROVAL_RESOLVED;
const isQuestion = (event: AnyEvent): event is CloudEvent<typeof APPROVAL_CLARIFICATION_REQUESTED> => event.type === APPROVAL_CLARIFICATION_REQUESTED;

/**
 * approval.resolved in, a chunk at a time: the outcomes of the gateway's decisions are kept for
 * their agents to read. The transport refuses, before this handler, what is unsigned or signed
 * by a service without authority over it, and what it read before.
 */
@Controller()
export class ApprovalResolvedConsumer {
  constructor(private readonly decisions: DecisionsService) {}

  @EventPattern(Topics.ApprovalResolved, { batch: true })
  onResolved(@Payload() events: AnyEvent[], @Ctx() ctx: MessageContext): Promise<void> {
    return this.decisions.keep(events.filter(isResolution), ctx);
  }

  /** Reviewers' questions (approval.updated, escalation-signed: the transport refused any other signer); the rest passes. */
  @EventPattern(Topics.ApprovalUpdated, { batch: true })
  onUpdated(@Payload() events: AnyEvent[], @Ctx() ctx: MessageContext): Promise<void> {
    return this.decisions.keepQuestions(events.filter(isQuestion), ctx);
  }
}
