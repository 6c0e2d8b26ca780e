import { ExecutionContext, UseGuards, applyDecorators, createParamDecorator } from '@nestjs/common';
import { ApiBearerAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AgentAuthGuard, AgentRequest } from './agent-auth.guard';

/** An agent of the registry that uses the gateway (401 otherwise). */
export const AgentApi = () =>
  applyDecorators(
    UseGuards(AgentAuthGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No, a malformed or an unknown agent token (`token_missing`, `token_malformed`, `token_unknown`).' }),
  );

/** The authenticated agent: the only source of a caller's identity and workspaces. */
export const CurrentAgent = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const agent = context.switchToHttp().getRequest<AgentRequest>().agent;
  if (!agent) throw new Error('@CurrentAgent() used on a route without @AgentApi()');
  return agent;
});
