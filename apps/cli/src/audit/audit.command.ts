import { Command } from 'commander';
import { CliContext, CliFailure, ExitCode, writeLines } from '../cli-context';
import { callService, parseServiceUrl, tokenFrom } from '../service-client';
import { VerifyAnswer, formatVerification } from './verify-report';

export const DEFAULT_AUDIT_URL = 'http://127.0.0.1:3003';
export const DEFAULT_TOKEN_ENV = 'AUDITOR_TOKEN';

interface VerifyOptions {
  workspace?: string;
  url: URL;
  token?: string;
  tokenEnv: string;
  json?: boolean;
}

/** `hitl audit verify`: asks a running audit service to recompute the chains. */
export function registerAuditCommands(program: Command, ctx: CliContext): void {
  const group = program.command('audit').description('check the audit record of a running audit service');

  group
    .command('verify')
    .description('recompute the hash chains: exit 0 when intact, 1 naming the first broken link, 2 when the service cannot be asked')
    .option('--workspace <id>', 'one workspace (default: every workspace the token may read)')
    .option('--url <url>', 'the audit service', parseServiceUrl, new URL(DEFAULT_AUDIT_URL))
    .option('--token <token>', 'an auditor token (prefer --token-env: a command line is visible to other users)')
    .option('--token-env <name>', 'the environment variable holding the auditor token', DEFAULT_TOKEN_ENV)
    .option('--json', 'print the answer as JSON')
    .action(async (options: VerifyOptions) => {
      const token = tokenFrom(ctx, options, 'auditor');
      const answer = await askVerify(ctx, options.url, token, options.workspace);
      if (options.json) writeLines(ctx.io.out, [JSON.stringify(answer, null, 2)]);
      else {
        const { out, err } = formatVerification(answer);
        writeLines(ctx.io.out, out);
        if (err.length > 0) writeLines(ctx.io.err, err);
      }
      if (!answer.ok) ctx.setExitCode(ExitCode.invalid);
    });
}

async function askVerify(ctx: CliContext, base: URL, token: string, workspace: string | undefined): Promise<VerifyAnswer> {
  const body = await callService(
    ctx,
    'the audit service',
    base,
    `audit/verify${workspace === undefined ? '' : `?workspace=${encodeURIComponent(workspace)}`}`,
    token,
  );
  const answer = VerifyAnswer.safeParse(body);
  if (!answer.success) throw new CliFailure(ExitCode.usage, `${base.origin} did not answer as an audit service does (GET /audit/verify)`);
  return answer.data;
}
