import { ApiZodBody, ApiZodQuery, Audited, Auditor, canReadScope, CurrentAuditor, SERVICE_CONFIG, wrongWorkspace, ZodPipe } from '@hitl/service-kit';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { CalibrationConfig } from './calibration.config';
import { CalibrationReport } from './report-document';
import {
  CreateReportBody,
  CreateReportRequest,
  DiagramFile,
  FormatQuery,
  ListReportsParams,
  ListReportsQuery,
  ReportFormat,
  ReportId,
  ReportRef,
  formatOf,
  listingScope,
  requestedScope,
} from './report-request';
import { ReportService } from './report.service';
import { diagramNotFound, noReportYet, reportNotFound } from './reports.errors';
import { ReportRecord, ReportSummary } from './reports.repository';

interface HeaderSink {
  setHeader(name: string, value: string): void;
}

const MARKDOWN = 'text/markdown; charset=utf-8';
const WORKSPACE_403 = '`wrong_workspace`: the report is over a workspace the token may not read (or over every workspace, for auditors of "*" only).';

/** Calibration reports: made on demand or by the schedule, read as JSON, Markdown, SVG diagrams and a manifest patch. */
@ApiTags('reports')
@Controller('reports')
@Audited()
export class ReportsController {
  constructor(
    private readonly reports: ReportService,
    @Inject(SERVICE_CONFIG) private readonly config: CalibrationConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Generate a report now',
    description:
      'Aggregates the labeled decisions of the window (default CALIBRATION_WINDOW_DAYS) per action and agent, judges them against the manifest in force, stores the report and returns it. ' +
      'Suggestions are a patch of the manifest file for review; the service never applies them.',
  })
  @ApiZodBody(CreateReportBody)
  @ApiCreatedResponse({ description: 'The report (`id`, findings, per-action reports, suggestions, links to the Markdown, diagrams and patch).' })
  @ApiBadRequestResponse({ description: '`invalid_request`: a field is invalid or unknown, or `workspace` is needed.' })
  @ApiForbiddenResponse({ description: WORKSPACE_403 })
  create(@CurrentAuditor() auditor: Auditor, @Body(new ZodPipe(CreateReportBody)) body: CreateReportRequest): Promise<CalibrationReport> {
    const workspace = requestedScope(auditor, body.workspace);
    return this.reports.generate(new Date(), body.window_days ?? this.config.CALIBRATION_WINDOW_DAYS, {
      workspace,
      trigger: 'request',
      requestedBy: auditor.id,
    });
  }

  @Get()
  @ApiOperation({ summary: 'The reports you may read, newest first' })
  @ApiZodQuery(ListReportsQuery)
  @ApiOkResponse({ description: '`{ items }`: id, time, trigger, scope, window, counts of outcomes, findings and suggestions.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: a parameter is invalid or unknown.' })
  @ApiForbiddenResponse({ description: WORKSPACE_403 })
  async list(@CurrentAuditor() auditor: Auditor, @Query(new ZodPipe(ListReportsQuery)) query: ListReportsParams): Promise<{ items: ReportSummary[] }> {
    return { items: await this.reports.list(listingScope(auditor, query.workspace), query.limit ?? 20) };
  }

  @Get('latest')
  @ApiOperation({ summary: 'The newest report you may read', description: 'As GET /reports/{id}; `?format=md` for Markdown.' })
  @ApiZodQuery(FormatQuery)
  @ApiProduces('application/json', MARKDOWN)
  @ApiOkResponse({ description: 'The report.' })
  @ApiNotFoundResponse({ description: '`report_not_found`: no report yet.' })
  async latest(
    @CurrentAuditor() auditor: Auditor,
    @Query(new ZodPipe(FormatQuery)) query: { format?: ReportFormat },
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<CalibrationReport | string> {
    const record = await this.reports.latest(listingScope(auditor, undefined));
    if (!record) throw noReportYet();
    return render(record, query.format ?? 'json', res);
  }

  @Get(':ref')
  @ApiOperation({ summary: 'One report', description: 'JSON, or Markdown with `/reports/{id}.md` or `?format=md`.' })
  @ApiParam({ name: 'ref', description: '`<id>`, `<id>.json` or `<id>.md`' })
  @ApiZodQuery(FormatQuery)
  @ApiProduces('application/json', MARKDOWN)
  @ApiOkResponse({ description: 'The report.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: not a report id, or a format that disagrees with the extension.' })
  @ApiForbiddenResponse({ description: WORKSPACE_403 })
  @ApiNotFoundResponse({ description: '`report_not_found`.' })
  async one(
    @CurrentAuditor() auditor: Auditor,
    @Param('ref', new ZodPipe(ReportRef)) ref: { id: string; format: ReportFormat | null },
    @Query(new ZodPipe(FormatQuery)) query: { format?: ReportFormat },
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<CalibrationReport | string> {
    const format = formatOf(ref.format, query.format);
    return render(await this.readable(auditor, ref.id), format, res);
  }

  @Get(':id/diagram/:file')
  @ApiOperation({
    summary: "An action's reliability diagram",
    description: 'Stated confidence against actual accuracy per bucket of 0.1, as SVG; filled points are judged (10+ samples).',
  })
  @ApiParam({ name: 'file', description: '`<action>.svg`' })
  @ApiProduces('image/svg+xml')
  @ApiOkResponse({ description: 'The diagram.' })
  @ApiNotFoundResponse({ description: '`report_not_found`, or `diagram_not_found`: the report has no such action.' })
  async diagram(
    @CurrentAuditor() auditor: Auditor,
    @Param('id', new ZodPipe(ReportId)) id: string,
    @Param('file', new ZodPipe(DiagramFile)) action: string,
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<string> {
    const record = await this.readable(auditor, id);
    const svg = record.svgs[action];
    if (svg === undefined) throw diagramNotFound(id, action);
    res.setHeader('Content-Type', 'image/svg+xml; charset=utf-8');
    // Opened straight in a browser: nothing in it may run or load.
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    return svg;
  }

  @Get(':id/suggestions.patch')
  @ApiOperation({
    summary: 'The suggested manifest changes',
    description:
      'A unified diff of the manifest file with the evidence beside each changed line, for code review (`git apply`); empty when nothing is suggested. Never applied by the service.',
  })
  @ApiProduces('text/x-diff')
  @ApiOkResponse({ description: 'The patch.' })
  @ApiNotFoundResponse({ description: '`report_not_found`.' })
  async patch(
    @CurrentAuditor() auditor: Auditor,
    @Param('id', new ZodPipe(ReportId)) id: string,
    @Res({ passthrough: true }) res: HeaderSink,
  ): Promise<string> {
    const record = await this.readable(auditor, id);
    res.setHeader('Content-Type', 'text/x-diff; charset=utf-8');
    res.setHeader('Content-Disposition', `inline; filename="calibration-${id.slice(0, 8)}.patch"`);
    return record.patch;
  }

  private async readable(auditor: Auditor, id: string): Promise<ReportRecord> {
    const record = await this.reports.find(id);
    if (!record) throw reportNotFound(id);
    if (!canReadScope(auditor, record.workspace)) throw wrongWorkspace(record.workspace);
    return record;
  }
}

function render(record: ReportRecord, format: ReportFormat, res: HeaderSink): CalibrationReport | string {
  if (format === 'json') return record.body;
  res.setHeader('Content-Type', MARKDOWN);
  return record.markdown;
}
