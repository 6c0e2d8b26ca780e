import { ServerResponse } from 'node:http';
import { ApiZodQuery, Audited, Auditor, CurrentAuditor, SERVICE_LOGGER, ZodPipe } from '@hitl/service-kit';
import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Logger } from 'pino';
import { z } from 'zod';
import { ExportParams, ExportQuery, SEARCH_MAX_LIMIT, SearchParams, SearchQuery } from './events-query';
import { EXPORT_CONTENT_TYPES, writeExport } from './export-writer';
import { EventsPage, QueryService, Timeline } from './query.service';

const decisionId = new ZodPipe(z.uuid({ error: 'must be a decision id (a UUID)' }).transform((id) => id.toLowerCase()));

const WORKSPACE_403 = '`wrong_workspace`: the workspace asked for is not one the token may read.';

/** The record, read by auditors: a decision's timeline, search, and export. Values the manifest redacts were never stored. */
@ApiTags('audit')
@Controller('audit')
@Audited()
export class QueryController {
  constructor(
    private readonly query: QueryService,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  @Get('decisions/:decision_id/timeline')
  @ApiOperation({
    summary: "A decision's timeline",
    description:
      'Every row the record holds about the decision, in the order things happened (occurred_at, then the order they were recorded): proposed, routed (with the rule trace), ' +
      'assigned, escalated, clarified, resolved (who and why), executed, labeled. Each with its type, actor, action, time, manifest version, a one-line summary and the redacted event.',
  })
  @ApiParam({ name: 'decision_id', format: 'uuid' })
  @ApiOkResponse({ description: '`{ decision_id, workspaces, steps }`.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: decision_id is not a UUID.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace`: the decision is in a workspace the token may not read.' })
  @ApiNotFoundResponse({ description: '`decision_not_found`.' })
  timeline(@CurrentAuditor() auditor: Auditor, @Param('decision_id', decisionId) id: string): Promise<Timeline> {
    return this.query.timeline(auditor, id);
  }

  @Get('events')
  @ApiOperation({
    summary: 'Search the record',
    description: `One workspace's rows matching every filter given, oldest first (occurred_at, then seq). Page with \`limit\` (at most ${SEARCH_MAX_LIMIT}) and the \`next_cursor\` of the previous page.`,
  })
  @ApiZodQuery(SearchQuery)
  @ApiOkResponse({ description: '`{ items, next_cursor }` (next_cursor is null on the last page).' })
  @ApiBadRequestResponse({ description: '`invalid_request`: a parameter is invalid or unknown; the message names it and why.' })
  @ApiForbiddenResponse({ description: WORKSPACE_403 })
  search(@CurrentAuditor() auditor: Auditor, @Query(new ZodPipe(SearchQuery)) query: SearchParams): Promise<EventsPage> {
    return this.query.search(auditor, query);
  }

  @Get('export')
  @ApiOperation({
    summary: 'Export the record',
    description:
      'The rows search would give, all of them, streamed: NDJSON (one row a line, as search gives it) or CSV (a header row, RFC 4180 quoting, the event as JSON).',
  })
  @ApiZodQuery(ExportQuery)
  @ApiProduces(EXPORT_CONTENT_TYPES.ndjson, EXPORT_CONTENT_TYPES.csv)
  @ApiOkResponse({ description: 'The export, as an attachment.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: a parameter is invalid or unknown; the message names it and why.' })
  @ApiForbiddenResponse({ description: WORKSPACE_403 })
  async export(@CurrentAuditor() auditor: Auditor, @Query(new ZodPipe(ExportQuery)) query: ExportParams, @Res() response: ServerResponse): Promise<void> {
    const run = this.query.export(auditor, query);
    response.statusCode = 200;
    response.setHeader('Content-Type', EXPORT_CONTENT_TYPES[query.format]);
    response.setHeader('Content-Disposition', `attachment; filename="audit-${run.workspace.replace(/[^A-Za-z0-9_.-]/g, '_')}.${query.format}"`);
    try {
      await writeExport(response, query.format, run.pages);
    } catch (error) {
      // Headers are gone: cut the connection so a partial export never looks complete.
      this.logger.error({ err: error, workspace: run.workspace }, 'export failed while streaming');
      response.destroy();
    }
  }
}
