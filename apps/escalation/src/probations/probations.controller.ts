import { EndProbationBody, ProbationPage, ProbationQuery, ProbationView } from '@hitl/reviewer-api';
import { ApiZodBody, ApiZodQuery, ZodPipe } from '@hitl/service-kit';
import { Body, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { z } from 'zod';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { Reviewer, ReviewerApi } from '../reviewers/reviewer.decorators';
import { ProbationsService } from './probations.service';

/** `:id`: a UUID, else 400 naming `id` (never a database error). */
const probationIdPipe = new ZodPipe(z.uuid({ error: 'must be a probation id (a UUID)' }));

// Parameter types of their own: a type named like its zod schema would put the schema object
// in the decorator metadata, where the OpenAPI generator takes it for a class.
type QueryParams = z.output<typeof ProbationQuery>;
type Ending = z.output<typeof EndProbationBody>;

/**
 * Probations (seed 002): an action new to a workspace's manifest, or whose entry widened its
 * autonomy, has every decision reviewed by a person until enough were approved unchanged. The
 * router starts and graduates them; here reviewers read them and an admin ends one early.
 * Not an AdminOnly route, so that a reviewer who is no admin is told `not_admin` by the rules
 * (libs/approvals probations.ts).
 */
@ReviewerApi('probations', 'probations')
export class ProbationsController {
  constructor(private readonly probations: ProbationsService) {}

  @Get()
  @ApiOperation({
    summary: 'Probations of the caller’s workspaces',
    description:
      'The active ones by default; `state` asks for the `graduated` ones (with their evidence), the `ended` ones (who ended them early, when and why) or `all`. ' +
      '`workspace` narrows to one of the caller’s workspaces. Any reviewer reads them.',
  })
  @ApiZodQuery(ProbationQuery)
  @ApiOkResponse({ description: '`{ items }`, the latest started first.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: a query parameter is invalid.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace`: `workspace` is not one of the caller’s.' })
  list(@Reviewer() reviewer: AuthenticatedReviewer, @Query(new ZodPipe(ProbationQuery)) query: QueryParams): Promise<ProbationPage> {
    return this.probations.list(reviewer, query);
  }

  @Post(':id/end')
  @HttpCode(200)
  @ApiOperation({
    summary: 'End a probation early, on the owner’s word',
    description:
      'With a `reason` (the owner’s word, on the record): published as `hitl.control.probation_ended.v1` on control.changed, signed by the escalation service; ' +
      'from the moment the router reads it, the action’s decisions follow the policy again, without waiting for the evidence. ' +
      'Only an admin of the directory, in a workspace of theirs (`*`: every one): `not_admin`, `wrong_workspace` otherwise.',
  })
  @ApiParam({ name: 'id', description: 'The probation id (UUID).', format: 'uuid' })
  @ApiZodBody(EndProbationBody)
  @ApiOkResponse({ description: 'The probation, ended.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: the body or `id` is invalid. Nothing changed.' })
  @ApiForbiddenResponse({ description: '`not_admin` or `wrong_workspace`.' })
  @ApiNotFoundResponse({ description: '`probation_not_found`.' })
  @ApiConflictResponse({ description: '`already_over`: it graduated, or was ended before.' })
  end(
    @Reviewer() admin: AuthenticatedReviewer,
    @Param('id', probationIdPipe) id: string,
    @Body(new ZodPipe(EndProbationBody)) body: Ending,
  ): Promise<ProbationView> {
    return this.probations.end(admin, id, body.reason);
  }
}
