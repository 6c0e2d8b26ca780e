import { AnyEvent, Topics } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { OutcomesService } from './outcomes.service';

/**
 * The calibrator's Kafka adapter: proposals, routings, resolutions, how post-reviews ended
 * (approval.updated), the agents' compensations of rollbacks (action.executed), labels, and probations
 * started, graduated or ended (control.changed; pauses are ignored), a chunk at a time (de-duplicated by the transport).
 */
@Controller()
export class OutcomesConsumer {
  constructor(private readonly outcomes: OutcomesService) {}

  // The transport enforces signatures: a refused event (forged, wrong signer, key not allowed in
  // its workspace) is dead-lettered, counted and logged there, and never reaches this handler.
  @EventPattern(
    [
      Topics.DecisionProposed,
      Topics.ApprovalRequested,
      Topics.ApprovalUpdated,
      Topics.ApprovalResolved,
      Topics.ActionExecuted,
      Topics.OutcomeLabeled,
      Topics.ControlChanged,
    ],
    {
      batch: true,
    },
  )
  onEvents(@Payload() events: AnyEvent[], @Ctx() ctx: MessageContext): Promise<void> {
    return this.outcomes.record(ctx, events);
  }
}
