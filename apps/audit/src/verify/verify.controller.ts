import { ApiZodBody, ApiZodQuery, Audited, Auditor, CurrentAuditor, scopedWorkspaces, ZodPipe } from '@hitl/service-kit';
import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { HeadCheck, HeadCheckBody, HeadCheckRequest, SignedHead } from './chain-head';
import { HeadSigner } from './head-signer';
import { HeadService } from './head.service';
import { VerifyService, WorkspaceVerification } from './verify.service';

const WorkspaceQuery = z.strictObject({
  workspace: z
    .string({ error: 'must be given once' })
    .trim()
    .min(1, { error: 'must not be blank' })
    .max(200, { error: 'must be at most 200 characters' })
    .optional()
    .describe('The workspace (default: every workspace the token may read)'),
});
type WorkspaceParams = z.output<typeof WorkspaceQuery>;

export interface Verification {
  /** Every workspace's chain verifies. */
  ok: boolean;
  workspaces: WorkspaceVerification[];
}

/** Proving the record intact: recompute the chains, export a signed head, check one later. */
@ApiTags('audit')
@Controller('audit')
@Audited()
export class VerifyController {
  constructor(
    private readonly verifier: VerifyService,
    private readonly heads: HeadService,
    private readonly signer: HeadSigner,
  ) {}

  @Get('verify')
  @ApiOperation({
    summary: 'Verify the chains',
    description: "Recomputes each workspace's hash chain from its start (or retention's checkpoint) and reports the first broken link, if any.",
  })
  @ApiZodQuery(WorkspaceQuery)
  @ApiOkResponse({ description: '`{ ok, workspaces: [{ workspace, ok, checked, head, first_break }] }`.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace`.' })
  async verify(@CurrentAuditor() auditor: Auditor, @Query(new ZodPipe(WorkspaceQuery)) query: WorkspaceParams): Promise<Verification> {
    const scope = scopedWorkspaces(auditor, query.workspace);
    const workspaces = scope === 'all' ? await this.verifier.verify() : (await Promise.all(scope.map((w) => this.verifier.verify(w)))).flat();
    return { ok: workspaces.every((w) => w.ok), workspaces };
  }

  @Get('head')
  @ApiOperation({
    summary: "Export a workspace's chain head, signed",
    description:
      "The last link of a chain that verifies, signed with the audit's Ed25519 key. Keep it elsewhere; POST /audit/head/check later proves the record only grew since.",
  })
  @ApiZodQuery(WorkspaceQuery)
  @ApiOkResponse({ description: '`{ workspace, chain_index, hash, exported_at, signature }`.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: no workspace given and the token reads several.' })
  @ApiConflictResponse({ description: '`chain_broken`: the chain does not verify; no head is signed.' })
  @ApiServiceUnavailableResponse({ description: '`signing_key_unset`: the service has no signing key.' })
  head(@CurrentAuditor() auditor: Auditor, @Query(new ZodPipe(WorkspaceQuery)) query: WorkspaceParams): Promise<SignedHead> {
    return this.heads.export(auditor, query.workspace, new Date());
  }

  @Get('head/key')
  @ApiOperation({ summary: "The public key heads are signed with (to check a head's signature without this service)" })
  @ApiServiceUnavailableResponse({ description: '`signing_key_unset`.' })
  key(): { algorithm: 'Ed25519'; public_key: string } {
    return { algorithm: 'Ed25519', public_key: this.signer.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  }

  @Post('head/check')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check a head exported earlier',
    description:
      "The signature is this service's, the row at its chain index still has its hash, and the chain verifies from there to now: the record only grew. `{ ok, reason }`.",
  })
  @ApiZodBody(HeadCheckBody)
  @ApiOkResponse({ description: '`{ ok, reason }`.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: the body is not `{ head }` as GET /audit/head gives it.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace`.' })
  @ApiServiceUnavailableResponse({ description: '`signing_key_unset`.' })
  check(@CurrentAuditor() auditor: Auditor, @Body(new ZodPipe(HeadCheckBody)) body: HeadCheckRequest): Promise<HeadCheck> {
    return this.heads.check(auditor, body.head);
  }
}
