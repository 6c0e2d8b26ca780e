import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditAdminOnly } from '@hitl/service-kit';
import { RetentionOutcome, RetentionService } from './retention.service';

/** POST /audit/retention/run: what the job does on its tick, now (auditors of every workspace only). */
@ApiTags('audit')
@Controller('audit/retention')
@AuditAdminOnly()
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Post('run')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run retention now',
    description:
      "Removes, per workspace, the rows recorded longer ago than its AUDIT_RETENTION period (from the start of the chain only), keeps the last removed link as the chain's checkpoint, and appends a hitl.audit.retention.v1 record saying what was removed.",
  })
  @ApiOkResponse({ description: '`{ ran_at, workspaces: [{ workspace, retention, removed_count, removed_through_chain_index, refused }] }`.' })
  @ApiForbiddenResponse({ description: '`admin_only`: only an auditor of every workspace may run it.' })
  async run(): Promise<{ ran_at: string; workspaces: RetentionOutcome[] }> {
    const now = new Date();
    return { ran_at: now.toISOString(), workspaces: await this.retention.run(now) };
  }
}
