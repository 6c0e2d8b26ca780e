import { setTimeout as sleep } from 'node:timers/promises';
import { ApiZodBody, ApiZodQuery, SERVICE_CONFIG, ZodPipe } from '@hitl/service-kit';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { AgentApi, CurrentAgent } from '../agents/agent.decorators';
import { GatewayConfig } from '../config';
import { GatewayAgent } from '../agents/gateway-agent';
import { AnswerBody, DecisionView, ExecutionBody, LabelBody, ProposalBody, WaitQuery } from './decision-request';
import { NOTHING_SAID, Said, framesFor, sseComment } from './decision-stream';
import { DecisionsService } from './decisions.service';

/** A comment line this often keeps an idle stream open through proxies. */
const HEARTBEAT_MS = 15_000;

/** The parts of the HTTP response a stream uses. */
interface StreamResponse {
  on(event: 'close', listener: () => void): void;
  writeHead(status: number, headers: Record<string, string>): void;
  flushHeaders?(): void;
  write(chunk: string): boolean;
  end(): void;
  writableEnded: boolean;
}

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
  private readonly pollMs: number;

  constructor(
    private readonly decisions: DecisionsService,
    @Inject(SERVICE_CONFIG) config: GatewayConfig,
  ) {
    this.pollMs = config.GATEWAY_WAIT_POLL_MS;
  }

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

  @Post(':id/execution')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report what ran under an approval',
    description:
      'Published as the contract’s action.executed for the caller (signed by the gateway, naming the agent), with the approval’s action, parameters and payload_hash ' +
      '(a reviewer’s edit included): run exactly those. Once per decision; only an approved one.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiZodBody(ExecutionBody)
  @ApiOkResponse({ description: 'The decision.' })
  @ApiBadRequestResponse({ description: '`invalid_request` naming the field.' })
  @ApiNotFoundResponse({ description: '`decision_not_found`.' })
  @ApiConflictResponse({ description: '`not_approved` (pending, denied, blocked, expired) or `already_reported`.' })
  reportExecution(
    @CurrentAgent() agent: GatewayAgent,
    @Param('id', decisionIdPipe) id: string,
    @Body(new ZodPipe(ExecutionBody)) body: z.output<typeof ExecutionBody>,
  ): Promise<DecisionView> {
    return this.decisions.reportExecution(agent, id, body);
  }

  @Post(':id/labels')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Label the outcome: was it right?',
    description: 'Published as the contract’s outcome.labeled for the caller (signed by the gateway, naming the agent); the calibrator learns from it.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiZodBody(LabelBody)
  @ApiOkResponse({ description: 'The decision.' })
  @ApiBadRequestResponse({ description: '`invalid_request` naming the field.' })
  @ApiNotFoundResponse({ description: '`decision_not_found`.' })
  label(
    @CurrentAgent() agent: GatewayAgent,
    @Param('id', decisionIdPipe) id: string,
    @Body(new ZodPipe(LabelBody)) body: z.output<typeof LabelBody>,
  ): Promise<DecisionView> {
    return this.decisions.label(agent, id, body);
  }

  @Post(':id/clarifications/:clarification_id')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Answer a reviewer’s question',
    description:
      'Published as the contract’s clarification_provided for the caller (signed by the gateway, naming the agent): the reviewer sees it and decides. Once per question.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'clarification_id', format: 'uuid' })
  @ApiZodBody(AnswerBody)
  @ApiOkResponse({ description: 'The decision.' })
  @ApiBadRequestResponse({ description: '`invalid_request` naming the field.' })
  @ApiNotFoundResponse({ description: '`decision_not_found` or `clarification_not_found`.' })
  @ApiConflictResponse({ description: '`already_answered`.' })
  answer(
    @CurrentAgent() agent: GatewayAgent,
    @Param('id', decisionIdPipe) id: string,
    @Param('clarification_id', decisionIdPipe) clarificationId: string,
    @Body(new ZodPipe(AnswerBody)) body: z.output<typeof AnswerBody>,
  ): Promise<DecisionView> {
    return this.decisions.answer(agent, id, clarificationId, body.answer);
  }

  @Get(':id/events')
  @ApiOperation({
    summary: 'A decision’s events (Server-Sent Events)',
    description:
      'A `decision` event with the decision as it stands, another when its outcome arrives (with `resolution_event` to verify), then `end`, and the stream closes. ' +
      'Comment lines as heartbeats. Bearer-authenticated, so read it with fetch (or any SSE client that sends headers), not a browser EventSource.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'The stream.' })
  @ApiNotFoundResponse({ description: '`decision_not_found`: none of the caller’s.' })
  async events(@CurrentAgent() agent: GatewayAgent, @Param('id', decisionIdPipe) id: string, @Res() response: StreamResponse): Promise<void> {
    // Not found is answered as JSON, before the stream starts.
    let view = await this.decisions.current(agent, id);
    let left = false;
    response.on('close', () => (left = true));
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders?.();
    let said: Said = NOTHING_SAID;
    let lastWrite = Date.now();
    for (;;) {
      const next = framesFor(said, view);
      const { frames, done } = next;
      for (const frame of frames) response.write(frame);
      if (frames.length > 0) lastWrite = Date.now();
      said = next.said;
      if (done || left) break;
      if (Date.now() - lastWrite >= HEARTBEAT_MS) {
        response.write(sseComment('heartbeat'));
        lastWrite = Date.now();
      }
      await sleep(this.pollMs);
      view = await this.decisions.current(agent, id);
    }
    if (!response.writableEnded) response.end();
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
