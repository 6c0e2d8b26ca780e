import { Module } from '@nestjs/common';
import { AgentAuthGuard } from '../agents/agent-auth.guard';
import { CallbackDispatcher } from './callback-dispatcher.service';
import { CallbacksController } from './callbacks.controller';

/** Agents' callbacks (HTTP) and the dispatcher that posts their outcomes. Deliveries are written by the decisions module as outcomes are kept. */
@Module({ controllers: [CallbacksController], providers: [CallbackDispatcher, AgentAuthGuard] })
export class CallbacksModule {}
