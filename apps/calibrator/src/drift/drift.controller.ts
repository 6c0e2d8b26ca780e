import { ApiZodQuery, Audited, Auditor, CurrentAuditor, ZodPipe, canReadScope, wrongWorkspace } from '@hitl/service-kit';
import { NotFoundException, Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ListReportsParams, ListReportsQuery, ReportId, listingScope } from '../reports/report-request';
import { DriftService } from './drift.service';
import { OwnerAlertRow } from './drift.repository';

const alertNotFound = (id: string) => new NotFoundException({ statusCode: 404, code: 'alert_not_found', message: `no drift alert ${id}` });

/** The drift watch: where each action stands, and the alerts sent to owners with their demotion diffs. */
@ApiTags('drift')
@Controller('drift')
@Audited()
export class DriftController {
  constructor(private readonly drift: DriftService) {}

  @Get()
  @ApiOperation({
    summary: 'Where each action’s drift watch stands, and the latest alerts',
    description:
      'Each action is checked every DRIFT_CHECK_SECONDS over its latest DRIFT_WINDOW labeled outcomes and reviews; the first check that sees accuracy (or the approved-unchanged rate) fall below its bound alerts the owner once, with a demotion as a manifest diff.',
  })
  @ApiZodQuery(ListReportsQuery)
  @ApiOkResponse({
    description:
      '`{ watches, alerts }`: per workspace and action, drifting or not and since when; alerts newest first with reasons, demotion, patch and delivery.',
  })
  @ApiForbiddenResponse({ description: '`wrong_workspace`.' })
  async show(@CurrentAuditor() auditor: Auditor, @Query(new ZodPipe(ListReportsQuery)) query: ListReportsParams) {
    const scope = listingScope(auditor, query.workspace);
    const workspaces = scope === '*' ? null : scope;
    return { watches: await this.drift.watches(workspaces), alerts: await this.drift.alerts(workspaces, query.limit ?? 20) };
  }

  @Get('alerts/:id.patch')
  @ApiOperation({
    summary: 'A drift alert’s demotion, as a unified diff of the manifest',
    description: 'For code review (`git apply`); never applied by the service.',
  })
  @ApiProduces('text/x-diff')
  @ApiOkResponse({ description: 'The patch (empty when the action has nothing left to take back).' })
  @ApiNotFoundResponse({ description: '`alert_not_found`.' })
  async patch(
    @CurrentAuditor() auditor: Auditor,
    @Param('id', new ZodPipe(ReportId)) id: string,
    @Res({ passthrough: true }) res: { setHeader(n: string, v: string): void },
  ) {
    const alert = await this.readable(auditor, id);
    res.setHeader('Content-Type', 'text/x-diff; charset=utf-8');
    res.setHeader('Content-Disposition', `inline; filename="demotion-${id.slice(0, 8)}.patch"`);
    return alert.patch;
  }

  private async readable(auditor: Auditor, id: string): Promise<OwnerAlertRow> {
    const alert = await this.drift.alert(id);
    if (!alert) throw alertNotFound(id);
    if (!canReadScope(auditor, alert.workspace)) throw wrongWorkspace(alert.workspace);
    return alert;
  }
}
