import { PauseBody, PausePage, PauseQuery, PauseView, ResumeBody } from '@hitl/reviewer-api';
import { ApiZodBody, ApiZodQuery, ZodPipe } from '@hitl/service-kit';
import { Body, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { z } from 'zod';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { Reviewer, ReviewerApi } from '../reviewers/reviewer.decorators';
import { PausesService } from './pauses.service';

/** `:id`: a UUID, else 400 naming `id` (never a database error). */
const pauseIdPipe = new ZodPipe(z.uuid({ error: 'must be a pause id (a UUID)' }));

// Parameter types of their own: a type named like its zod schema would put the schema object
// in the decorator metadata, where the OpenAPI generator takes it for a class.
type QueryParams = z.output<typeof PauseQuery>;
type Pausing = z.output<typeof PauseBody>;
type Resuming = z.output<typeof ResumeBody>;

const ADMINS = 'Only an admin of the directory, in a workspace of theirs (`*`: every one): `not_admin`, `wrong_workspace` otherwise.';

/**
 * The kill switch. The admin is always the token's reviewer; not an AdminOnly route, so that a
 * reviewer who is no admin is told `not_admin` by the rules (libs/approvals pauses.ts), and
 * every reviewer may read the pauses of their workspaces.
 */
@ReviewerApi('pauses', 'pauses')
export class PausesController {
  constructor(private readonly pauses: PausesService) {}

  @Post()
  @ApiOperation({
    summary: 'Pause an agent, an action or a whole workspace (the kill switch)',
    description:
      'Names the `workspace` and, to narrow it, an `agent_id`, an `action` or both; with neither, the whole workspace. From the moment the router reads it, ' +
      'every new proposal it covers goes to a person (`effect: review`, the default) or is blocked (`effect: block`): nothing it covers is auto-approved. ' +
      'Decisions routed before are not changed. Published as `hitl.control.paused.v1` on control.changed, signed by the escalation service, with the pause. ' +
      `In force until resumed, explicitly. ${ADMINS}`,
  })
  @ApiZodBody(PauseBody)
  @ApiCreatedResponse({ description: 'The pause, in force.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: the body is invalid; each field is named in `issues`. Nothing changed.' })
  @ApiForbiddenResponse({ description: '`not_admin` or `wrong_workspace`.' })
  pause(@Reviewer() admin: AuthenticatedReviewer, @Body(new ZodPipe(PauseBody)) body: Pausing): Promise<PauseView> {
    return this.pauses.pause(admin, body);
  }

  @Get()
  @ApiOperation({
    summary: 'Pauses of the caller’s workspaces',
    description:
      'Those in force by default (`active=false`: the resumed ones, with who resumed them, when and why); `workspace` narrows to one of the caller’s workspaces. Any reviewer reads them.',
  })
  @ApiZodQuery(PauseQuery)
  @ApiOkResponse({ description: '`{ items }`, the latest first.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: a query parameter is invalid.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace`: `workspace` is not one of the caller’s.' })
  list(@Reviewer() reviewer: AuthenticatedReviewer, @Query(new ZodPipe(PauseQuery)) query: QueryParams): Promise<PausePage> {
    return this.pauses.list(reviewer, query);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resume a pause',
    description:
      'With a `reason`: the router routes by the policy again from the moment it reads `hitl.control.resumed.v1` on control.changed. ' +
      `Any admin of the pause’s workspace, not only who paused it. ${ADMINS}`,
  })
  @ApiParam({ name: 'id', description: 'The pause id (UUID).', format: 'uuid' })
  @ApiZodBody(ResumeBody)
  @ApiOkResponse({ description: 'The pause, resumed.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: the body or `id` is invalid. Nothing changed.' })
  @ApiForbiddenResponse({ description: '`not_admin` or `wrong_workspace`.' })
  @ApiNotFoundResponse({ description: '`pause_not_found`.' })
  @ApiConflictResponse({ description: '`already_resumed`: resumed before (pause again to stop it again).' })
  resume(@Reviewer() admin: AuthenticatedReviewer, @Param('id', pauseIdPipe) id: string, @Body(new ZodPipe(ResumeBody)) body: Resuming): Promise<PauseView> {
    return this.pauses.resume(admin, id, body.reason);
  }
}
