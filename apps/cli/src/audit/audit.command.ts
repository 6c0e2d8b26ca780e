import { Command, InvalidArgumentError } from 'commander';
import { CliContext, CliFailure, ExitCode, writeLines } from '../cli-context';
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
    .option('--workspace <id>', "one workspace (default: every workspace the token may read)")
    .option('--url <url>', 'the audit service', parseUrl, new URL(DEFAULT_AUDIT_URL))
    .option('--token <token>', 'an auditor token (prefer --token-env: a command line is visible to other users)')
    .option('--token-env <name>', 'the environment variable holding the auditor token', DEFAULT_TOKEN_ENV)
    .option('--json', 'print the answer as JSON')
    .action(async (options: VerifyOptions) => {
      const token = options.token ?? ctx.env?.[options.tokenEnv];
      if (!token) throw new CliFailure(ExitCode.usage, `no auditor token: set ${options.tokenEnv} (or name another variable with --token-env), or pass --token`);
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
  const url = new URL('audit/verify', base.href.endsWith('/') ? base : `${base.href}/`);
  if (workspace !== undefined) url.searchParams.set('workspace', workspace);
  let response: Response;
  try {
    response = await (ctx.fetch ?? fetch)(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new CliFailure(ExitCode.usage, `cannot reach the audit service at ${base.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = (body as { message?: unknown } | null)?.message;
    throw new CliFailure(ExitCode.usage, `the audit service answered ${response.status}: ${typeof message === 'string' ? message : text.slice(0, 200) || response.statusText}`);
  }
  const answer = VerifyAnswer.safeParse(body);
  if (!answer.success) throw new CliFailure(ExitCode.usage, `${url.origin} did not answer as an audit service does (GET /audit/verify)`);
  return answer.data;
}

function parseUrl(value: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // Reported below.
  }
  throw new InvalidArgumentError('expected an http(s) URL, e.g. http://127.0.0.1:3003');
}
