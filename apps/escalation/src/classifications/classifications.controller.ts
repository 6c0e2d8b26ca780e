import { ClassificationItem, ClassificationPage, ClassificationQuery, ClassifyAnswer, ClassifyBody, DismissBody } from '@hitl/reviewer-api';
import { ApiZodBody, ApiZodQuery, ZodPipe } from '@hitl/service-kit';
import { Body, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { z } from 'zod';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { Reviewer, ReviewerApi } from '../reviewers/reviewer.decorators';
import { ClassificationsService } from './classifications.service';

/** `:id`: a UUID, else 400 naming `id` (never a database error). */
const classificationIdPipe = new ZodPipe(z.uuid({ error: 'must be a classification item id (a UUID)' }));
const ApiClassificationId = () => ApiParam({ name: 'id', description: 'The classification item id (UUID).', format: 'uuid' });

// Parameter types of their own: a type named like its zod schema would put the schema object
// in the decorator metadata, where the OpenAPI generator takes it for a class.
type QueryParams = z.output<typeof ClassificationQuery>;
type Classification = z.output<typeof ClassifyBody>;
type Dismissal = z.output<typeof DismissBody>;

const WHO =
  "Those holding the role the workspace's manifest names in `unknown_actions.classify_role`, in the item's workspace; auditors of the workspace read too. " +
  'A manifest naming no classify role: nobody (operations were alerted when the item opened).';

/** Unknown actions the router blocked, for a person to classify. The classifier is always the token's reviewer. */
@ReviewerApi('classifications', 'classifications')
export class ClassificationsController {
  constructor(private readonly classifications: ClassificationsService) {}

  @Get()
  @ApiOperation({
    summary: 'Unknown actions waiting for a classification',
    description:
      'One item per workspace and action name the manifest does not know, counting its blocked decisions (each once), first and last seen, and up to 5 recent examples ' +
      '(decision id, time, parameter names only: never their values). Open items by default; `status` asks for `classified`, `dismissed` or `all`. ' +
      `Lists the items the caller may read: ${WHO}`,
  })
  @ApiZodQuery(ClassificationQuery)
  @ApiOkResponse({ description: '`{ items }`, the latest sightings first.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: a query parameter is invalid.' })
  list(@Reviewer() reviewer: AuthenticatedReviewer, @Query(new ZodPipe(ClassificationQuery)) query: QueryParams): Promise<ClassificationPage> {
    return this.classifications.list(reviewer, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One unknown action', description: `Its counts, examples and, once closed, who closed it and how. ${WHO}` })
  @ApiClassificationId()
  @ApiOkResponse({ description: 'The item.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: `id` is not a UUID.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace` or `wrong_role`: the caller may not read this item.' })
  @ApiNotFoundResponse({ description: '`classification_not_found`.' })
  detail(@Reviewer() reviewer: AuthenticatedReviewer, @Param('id', classificationIdPipe) id: string): Promise<ClassificationItem> {
    return this.classifications.detail(reviewer, id);
  }

  @Post(':id/classify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Classify an unknown action: get the manifest change to review',
    description:
      "Says what the action is, in the manifest's own keys (severity and reversible; approval_required, mode, escalation_path, owner, description and " +
      'parameters_schema if wanted), and answers with a unified diff adding it to the manifest file the service loaded for the workspace, with a comment line ' +
      'saying who classified it and what was seen. The diff goes to code review like any manifest change (`git apply`); nothing is applied here. ' +
      'The item becomes `classified`. Nothing is approved: the blocked decisions stay blocked, and the agent proposes again once the change is in force. ' +
      "Only those holding the classify role in the item's workspace.",
  })
  @ApiClassificationId()
  @ApiZodBody(ClassifyBody)
  @ApiOkResponse({ description: '`classification` (the item, now classified), `patch`, `manifest_path`, `manifest_version`, and the `mode` the action gets.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: the body or `id` is invalid; each field is named in `issues`. Nothing changed.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace` or `wrong_role`.' })
  @ApiNotFoundResponse({ description: '`classification_not_found`.' })
  @ApiConflictResponse({ description: '`already_closed` (classified or dismissed before) or `already_in_manifest` (the manifest knows the action now).' })
  @ApiUnprocessableEntityResponse({
    description:
      "`classification_invalid`: the manifest would not load with the action so (the validator's `issues`, e.g. a mode approval_required contradicts); " +
      '`invalid_action_name`: no manifest can hold the name (dismiss it).',
  })
  @ApiServiceUnavailableResponse({ description: '`manifest_unreadable`: the manifest file cannot be read now.' })
  classify(
    @Reviewer() reviewer: AuthenticatedReviewer,
    @Param('id', classificationIdPipe) id: string,
    @Body(new ZodPipe(ClassifyBody)) body: Classification,
  ): Promise<ClassifyAnswer> {
    return this.classifications.classify(reviewer, id, body);
  }

  @Post(':id/dismiss')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Dismiss an unknown action',
    description:
      'Not an action to classify, e.g. a name the agent got wrong: the item becomes `dismissed` with the reason. Its decisions stay blocked, and later ones still count on it. ' +
      'Only those holding the classify role in the item’s workspace.',
  })
  @ApiClassificationId()
  @ApiZodBody(DismissBody)
  @ApiOkResponse({ description: 'The item, now dismissed.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: the body or `id` is invalid. Nothing changed.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace` or `wrong_role`.' })
  @ApiNotFoundResponse({ description: '`classification_not_found`.' })
  @ApiConflictResponse({ description: '`already_closed`.' })
  dismiss(
    @Reviewer() reviewer: AuthenticatedReviewer,
    @Param('id', classificationIdPipe) id: string,
    @Body(new ZodPipe(DismissBody)) body: Dismissal,
  ): Promise<ClassificationItem> {
    return this.classifications.dismiss(reviewer, id, body.reason);
  }
}
