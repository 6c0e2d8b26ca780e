import { ApiZodBody, ApiZodQuery, ZodPipe } from '@hitl/service-kit';
import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { AgentApi, CurrentAgent } from '../agents/agent.decorators';
import { GatewayAgent } from '../agents/gateway-agent';
import { DecisionView, ProposalBody, WaitQuery } from './decision-request';
import { DecisionsService } from './decisions.service';

/** `:id`: a UUID, else 400 naming `id`. */
const decisionIdPipe = new ZodPipe(z.uuid({ error: 'must be a decision id (a UUID)' }).transform((id) => id.toLowerCase()));

// Parameter types of their own: a type named like its zod schema would put the schema object
// in the decorator metadata, where the OpenAPI generator takes it for a class.
type Proposal = z.output<typeof ProposalBody>;
type Waiting = z.output<typeof WaitQuery>;

/** The agent gateway: propose over HTTP, and read (or wait for) the outcome. */
@ApiTags('decisions')
@Controller('v1/decisions')
@AgentApi()
export class DecisionsController {
  constructor(private readonly decisions: DecisionsService) {}

  @Post()
  @ApiOperation({
    summary: 'Propose a decision',
    description:
      'The contract’s decision.proposed, made for the agent the token names and signed with the gateway’s key: `agent` comes from the token, never from the body. ' +
      '202 with the pending decision; the same `decision_id` and content again answers 200 with the decision as it stands (its outcome once it has one), never a second proposal.',
  })
  @ApiZodBody(ProposalBody)
  @ApiOkResponse({ description: 'A replay: the decision as it stands.' })
  @ApiBadRequestResponse({ description: '`invalid_request` naming the field; `workspace_required` when the agent acts in several workspaces.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace`: the agent may not act in the workspace asked for.' })
  @ApiConflictResponse({ description: '`decision_conflict`: that decision_id was proposed with other content, or is another agent’s.' })
  async propose(
    @CurrentAgent() agent: GatewayAgent,
    @Body(new ZodPipe(ProposalBody)) body: Proposal,
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ): Promise<DecisionView> {
    const { created, view } = await this.decisions.propose(agent, body);
    res.status(created ? 202 : 200);
    return view;
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A decision of the caller, waiting for its outcome if asked',
    description:
      '`?wait=<seconds>` holds the request until the outcome arrives or the time is up (at most GATEWAY_MAX_WAIT_SECONDS); then `status` is still `pending`. ' +
      'With the outcome comes `resolution_event`, the approval.resolved as the router or the escalation service signed it: verify it before acting.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiZodQuery(WaitQuery)
  @ApiOkResponse({ description: 'The decision.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: `id` or `wait` is invalid.' })
  @ApiNotFoundResponse({ description: '`decision_not_found`: none of the caller’s (another agent’s decision included).' })
  read(@CurrentAgent() agent: GatewayAgent, @Param('id', decisionIdPipe) id: string, @Query(new ZodPipe(WaitQuery)) query: Waiting): Promise<DecisionView> {
    return this.decisions.read(agent, id, query.wait);
  }
}
