import { Module } from '@nestjs/common';
import { AgentAuthGuard } from '../agents/agent-auth.guard';
import { ApprovalResolvedConsumer } from './approval-resolved.consumer';
import { DecisionsController } from './decisions.controller';
import { DecisionsService } from './decisions.service';
import { OutcomeSignal } from './outcome-signal';

/** Proposals over HTTP (signed and published through the outbox) and their outcomes (Kafka in, HTTP out). */
@Module({ controllers: [DecisionsController, ApprovalResolvedConsumer], providers: [DecisionsService, OutcomeSignal, AgentAuthGuard] })
export class DecisionsModule {}
