import { ApiZodBody, Audited, Auditor, CurrentAuditor, readableWorkspaces, wrongWorkspace, ZodPipe } from '@hitl/service-kit';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { ReplayResult, ReplayService } from './replay.service';

export const ReplayBody = z.strictObject({
  /** The candidate manifest's YAML, as it would be committed. */
  manifest_yaml: z.string().min(1).max(1_000_000),
  since_days: z.number().int().min(1).max(3_650).default(30),
  workspace: z.string().min(1).optional(),
});
type ReplayRequest = z.output<typeof ReplayBody>;

/** POST /replay: what a candidate manifest would have done to recent decisions; changes nothing. */
@ApiTags('replay')
@Controller('replay')
@Audited()
export class ReplayController {
  constructor(private readonly replays: ReplayService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-route the stored decisions of the window with a candidate manifest' })
  @ApiZodBody(ReplayBody)
  @ApiOkResponse({ description: 'verdict changes, human review load per role, auto-approvals added and how many were labeled wrong' })
  @ApiBadRequestResponse({ description: 'a malformed body, the field named' })
  @ApiUnprocessableEntityResponse({ description: 'the candidate manifest is invalid; its issues name the action and field' })
  @ApiForbiddenResponse({ description: 'a workspace the auditor may not read' })
  replay(@CurrentAuditor() auditor: Auditor, @Body(new ZodPipe(ReplayBody)) body: ReplayRequest): Promise<ReplayResult> {
    const workspaces = readableWorkspaces(auditor, body.workspace);
    if (workspaces === null) throw wrongWorkspace(body.workspace ?? null);
    return this.replays.replay(body.manifest_yaml, body.since_days, workspaces, new Date());
  }
}
