import { AnyEvent, CloudEvent, EVENT_CATALOGUE, EventType, Topics } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ClarificationsService } from './clarifications.service';

/** Every event type the contract carries on approval.updated. */
type ApprovalUpdated = { [T in EventType]: (typeof EVENT_CATALOGUE)[T]['topic'] extends typeof Topics.ApprovalUpdated ? CloudEvent<T> : never }[EventType];

/**
 * approval.updated in: only the agent's answers to clarifications concern escalation. Its
 * own assignments, escalations, questions and rollbacks come back on this topic too and
 * are passed over (a new type breaks the build here until it is decided on).
 */
@Controller()
export class ApprovalUpdatedConsumer {
  constructor(private readonly clarifications: ClarificationsService) {}

  @EventPattern(Topics.ApprovalUpdated)
  async onUpdated(@Payload() event: ApprovalUpdated, @Ctx() ctx: MessageContext): Promise<void> {
    switch (event.type) {
      case 'hitl.approval.clarification_provided.v1':
        // Accepted only when signed by the agent that proposed the decision (checked against the approval there).
        return this.clarifications.answer(event, ctx);
      case 'hitl.approval.assigned.v1':
      case 'hitl.approval.reassigned.v1':
      case 'hitl.approval.escalated.v1':
      case 'hitl.approval.clarification_requested.v1':
      case 'hitl.approval.rolled_back.v1':
      case 'hitl.approval.reviewed.v1':
      case 'hitl.approval.unreviewed.v1':
      case 'hitl.approval.opened.v1':
      case 'hitl.approval.canary_scored.v1':
        return;
      default:
        return unhandled(event);
    }
  }
}

function unhandled(event: never): never {
  throw new Error(`approval.updated type ${(event as AnyEvent).type} is not handled`);
}
