import { InvalidArgumentError } from 'commander';
import { CliContext, CliFailure, ExitCode } from './cli-context';

/** `--url` values: an http(s) URL. */
export function parseServiceUrl(value: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // Reported below.
  }
  throw new InvalidArgumentError('expected an http(s) URL, e.g. http://127.0.0.1:3004');
}

/** The token from --token, else from the variable --token-env names. */
export function tokenFrom(ctx: CliContext, options: { token?: string; tokenEnv: string }, who: string): string {
  const token = options.token ?? ctx.env?.[options.tokenEnv];
  if (!token) throw new CliFailure(ExitCode.usage, `no ${who} token: set ${options.tokenEnv} (or name another variable with --token-env), or pass --token`);
  return token;
}

/** Calls a hitl service (`service` names it in messages, e.g. "the audit service") and returns its JSON; anything else is a usage failure naming what went wrong. */
export async function callService(
  ctx: CliContext,
  service: string,
  base: URL,
  path: string,
  token: string,
  init: { method?: string; body?: unknown } = {},
): Promise<unknown> {
  const url = new URL(path, base.href.endsWith('/') ? base : `${base.href}/`);
  let response: Response;
  try {
    response = await (ctx.fetch ?? fetch)(url, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new CliFailure(ExitCode.usage, `cannot reach ${service} at ${base.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    const answer = body as { code?: unknown; message?: unknown; issues?: { path?: string; field?: string; message: string }[] } | null;
    const listed = answer?.issues;
    const issues = Array.isArray(listed) ? listed.map((i) => `\n  ${i.path ?? i.field ?? '(body)'}: ${i.message}`).join('') : '';
    const message = Array.isArray(answer?.message)
      ? answer.message.join('; ')
      : typeof answer?.message === 'string'
        ? answer.message
        : text.slice(0, 200) || response.statusText;
    // The API's code (`403 not_admin`) is what a script or a runbook matches on.
    const code = typeof answer?.code === 'string' ? ` ${answer.code}` : '';
    throw new CliFailure(
      response.status === 422 || response.status === 400 ? ExitCode.invalid : ExitCode.usage,
      `${service} answered ${response.status}${code}: ${message}${issues}`,
    );
  }
  return body;
}
