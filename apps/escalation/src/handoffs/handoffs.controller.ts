import { HandoffPage, HandoffQuery, HandoffView, ReturnHandoffBody } from '@hitl/reviewer-api';
import { ApiZodBody, ApiZodQuery, ZodPipe } from '@hitl/service-kit';
import { Body, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { z } from 'zod';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { Reviewer, ReviewerApi } from '../reviewers/reviewer.decorators';
import { HandoffsService } from './handoffs.service';

/** `:id`: a UUID, else 400 naming `id` (never a database error). */
const handoffIdPipe = new ZodPipe(z.uuid({ error: 'must be a handoff id (a UUID)' }));

// Parameter types of their own: a type named like its zod schema would put the schema object
// in the decorator metadata, where the OpenAPI generator takes it for a class.
type QueryParams = z.output<typeof HandoffQuery>;
type Returning = z.output<typeof ReturnHandoffBody>;

/**
 * "Get a human" (seeds 000 and 002): an agent's end user asked for a person. Those holding a
 * role of the workspace's handoff path read the conversation so far, one of them takes the
 * session over, and returns it: handed back (the agent resumes with the notes) or closed.
 */
@ReviewerApi('handoffs', 'handoffs')
export class HandoffsController {
  constructor(private readonly handoffs: HandoffsService) {}

  @Get()
  @ApiOperation({
    summary: 'Handoffs waiting for a person',
    description:
      'Those of the caller’s workspaces that wait for a role of the caller’s, or that the caller took over, oldest request first; `state=all` includes the returned ones. ' +
      'Auditors and admins read every handoff of their workspaces. `can_take` says whether the caller may take one over now.',
  })
  @ApiZodQuery(HandoffQuery)
  @ApiOkResponse({ description: '`{ items }`.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: a query parameter is invalid.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace`: `workspace` is not one of the caller’s.' })
  list(@Reviewer() person: AuthenticatedReviewer, @Query(new ZodPipe(HandoffQuery)) query: QueryParams): Promise<HandoffPage> {
    return this.handoffs.list(person, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One handoff, with the conversation so far' })
  @ApiParam({ name: 'id', description: 'The handoff id (UUID).', format: 'uuid' })
  @ApiOkResponse({ description: 'The handoff.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: `id` is no UUID.' })
  @ApiNotFoundResponse({ description: '`handoff_not_found`: none, or not the caller’s to read.' })
  detail(@Reviewer() person: AuthenticatedReviewer, @Param('id', handoffIdPipe) id: string): Promise<HandoffView> {
    return this.handoffs.detail(person, id);
  }

  @Post(':id/take')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Take the session over',
    description:
      'Published as `hitl.handoff.taken.v1` on handoff.updated. Only someone of its workspace holding a role of its handoff path, never the end user the session serves ' +
      '(by id or alias), and once: a second person is told who has it.',
  })
  @ApiParam({ name: 'id', description: 'The handoff id (UUID).', format: 'uuid' })
  @ApiOkResponse({ description: 'The handoff, taken over by the caller.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: `id` is no UUID.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace`, `wrong_role`, `requester` or `self_granted`.' })
  @ApiNotFoundResponse({ description: '`handoff_not_found`.' })
  @ApiConflictResponse({ description: '`already_taken` or `already_returned`.' })
  take(@Reviewer() person: AuthenticatedReviewer, @Param('id', handoffIdPipe) id: string): Promise<HandoffView> {
    return this.handoffs.take(person, id);
  }

  @Post(':id/return')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Hand the session back to the agent, or close it',
    description:
      '`handed_back`: the agent resumes the session from its checkpoint with the `notes` (and passes the `reply` on to the end user); `closed`: the person finished it. ' +
      'Published as `hitl.handoff.returned.v1` on handoff.updated, signed by the escalation service. Only the person who took it over.',
  })
  @ApiParam({ name: 'id', description: 'The handoff id (UUID).', format: 'uuid' })
  @ApiZodBody(ReturnHandoffBody)
  @ApiOkResponse({ description: 'The handoff, returned.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: the body or `id` is invalid. Nothing changed.' })
  @ApiForbiddenResponse({ description: '`not_yours`: someone else took it over.' })
  @ApiNotFoundResponse({ description: '`handoff_not_found`.' })
  @ApiConflictResponse({ description: '`not_taken` or `already_returned`.' })
  giveBack(
    @Reviewer() person: AuthenticatedReviewer,
    @Param('id', handoffIdPipe) id: string,
    @Body(new ZodPipe(ReturnHandoffBody)) body: Returning,
  ): Promise<HandoffView> {
    return this.handoffs.giveBack(person, id, { kind: 'return', resolution: body.resolution, notes: body.notes, reply: body.reply });
  }
}
