import { Command } from 'commander';
import { z } from 'zod';
import { CliContext, CliFailure, ExitCode, writeLines } from '../cli-context';
import { parseServiceUrl, tokenFrom } from '../service-client';

// Probations at a terminal: `hitl probations` lists them, `hitl end-probation` ends one early
// (admins, on the owner's word), over the escalation service's probations API, with a
// reviewer's token; the same token and error handling as `hitl pause` (pause.command.ts).

const DEFAULT_URL = 'http://127.0.0.1:3002';
const DEFAULT_TOKEN_ENV = 'REVIEWER_TOKEN';

// What the command reads of the escalation's answers (libs/reviewer-api's ProbationView; loose: --json keeps the rest).
// Not imported from @hitl/reviewer-api: the CLI does not depend on it, and says here what it needs.
export const ProbationAnswer = z.looseObject({
  id: z.string(),
  workspace: z.string(),
  action: z.string(),
  reason: z.string(),
  manifest_version: z.string(),
  decisions: z.number(),
  approved_unchanged_rate: z.number(),
  started_at: z.string(),
  state: z.enum(['active', 'graduated', 'ended']),
  reviewed: z.number().nullable(),
  approved_unchanged: z.number().nullable(),
  ended_by: z.string().nullable(),
  end_reason: z.string().nullable(),
  ended_at: z.string().nullable(),
});
export type ProbationAnswer = z.infer<typeof ProbationAnswer>;
const ProbationList = z.object({ items: z.array(ProbationAnswer) });

/** A rate as a person reads it: 0.95 → 95%. */
const percent = (rate: number) => `${Math.round(rate * 1000) / 10}%`;

/** Where a probation stands, in words. */
export function probationState(p: ProbationAnswer): string {
  if (p.state === 'graduated')
    return `graduated at ${p.ended_at ?? 'unknown'} (${p.approved_unchanged ?? '?'} of ${p.reviewed ?? '?'} reviewed approved unchanged)`;
  if (p.state === 'ended') return `ended early by ${p.ended_by ?? 'unknown'} at ${p.ended_at ?? 'unknown'}: ${JSON.stringify(p.end_reason ?? '')}`;
  return `active: every decision goes to a person until ${p.decisions} reviewed decisions, ${percent(p.approved_unchanged_rate)} approved unchanged`;
}

/** One line per probation: action, workspace, where it stands, since, why it started (quoted: one line whatever it holds), manifest version, id. */
export function formatProbation(p: ProbationAnswer): string {
  return `action ${p.action} in ${p.workspace}: ${probationState(p)}; on probation since ${p.started_at}: ${JSON.stringify(p.reason)} (manifest ${p.manifest_version}, id ${p.id})`;
}

/** A required free-text option: not blank. */
function required(value: string | undefined, what: string): string {
  const text = value?.trim() ?? '';
  if (!text) throw new CliFailure(ExitCode.usage, `${what} must not be empty`);
  return text;
}

/**
 * Calls the escalation service and returns its JSON; a refusal names the API's code with its
 * message (`403 not_admin: …`), as `hitl pause` does: the code is what a script or a runbook
 * matches on.
 */
async function callEscalation(ctx: CliContext, base: URL, path: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
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
    throw new CliFailure(ExitCode.usage, `cannot reach the escalation service at ${base.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    const answer = (body ?? {}) as { code?: unknown; message?: unknown; issues?: unknown };
    const code = typeof answer.code === 'string' ? ` ${answer.code}` : '';
    const issues = Array.isArray(answer.issues)
      ? (answer.issues as { field?: string; path?: string; message?: string }[]).map((i) => `\n  ${i.field ?? i.path ?? '(body)'}: ${i.message ?? ''}`).join('')
      : '';
    const message = Array.isArray(answer.message)
      ? answer.message.join('; ')
      : typeof answer.message === 'string'
        ? answer.message
        : text.slice(0, 200) || response.statusText;
    throw new CliFailure(
      response.status === 400 || response.status === 422 ? ExitCode.invalid : ExitCode.usage,
      `the escalation service answered ${response.status}${code}: ${message}${issues}`,
    );
  }
  return body;
}

function read<T>(schema: z.ZodType<T>, body: unknown, base: URL, what: string): T {
  const answer = schema.safeParse(body);
  if (!answer.success) throw new CliFailure(ExitCode.usage, `${base.origin} did not answer as the escalation service does (${what})`);
  return answer.data;
}

interface Connection {
  url: URL;
  token?: string;
  tokenEnv: string;
}

function connectionOptions(command: Command, who: string): Command {
  return command
    .option('--url <url>', 'the escalation service', parseServiceUrl, new URL(DEFAULT_URL))
    .option('--token <token>', `${who} token (prefer --token-env: a command line is visible to other users)`)
    .option('--token-env <name>', `the environment variable holding the ${who.replace(/^an? /, '')} token`, DEFAULT_TOKEN_ENV);
}

/** `hitl probations`, `hitl end-probation`: actions on probation, and an admin's early end of one. */
export function registerProbationCommands(program: Command, ctx: CliContext): void {
  connectionOptions(
    program
      .command('probations')
      .description(
        'list the actions on probation (any reviewer, in their workspaces): each of their decisions goes to a person; --all lists the graduated and ended ones too',
      )
      .option('--workspace <id>', 'one workspace (default: every workspace of yours)')
      .option('--all', 'graduated and ended probations too')
      .option('--json', 'print the answer as JSON'),
    'a reviewer’s',
  ).action(async (options: Connection & { workspace?: string; all?: boolean; json?: boolean }) => {
    const token = tokenFrom(ctx, options, 'reviewer');
    const workspace = options.workspace === undefined ? undefined : required(options.workspace, '--workspace');
    const query = new URLSearchParams({ ...(workspace === undefined ? {} : { workspace }), state: options.all ? 'all' : 'active' });
    const body = await callEscalation(ctx, options.url, `probations?${query.toString()}`, token);
    const { items } = read(ProbationList, body, options.url, 'GET /probations');
    if (options.json) return writeLines(ctx.io.out, [JSON.stringify({ items }, null, 2)]);
    const where = workspace === undefined ? '' : ` in ${workspace}`;
    const lines = items.map(formatProbation);
    writeLines(ctx.io.out, lines.length > 0 ? lines : [options.all ? `no probations${where}` : `no actions on probation${where}`]);
  });

  connectionOptions(
    program
      .command('end-probation')
      .description('end a probation early (admins, on the owner’s word): the action’s decisions follow the manifest again, without waiting for the evidence')
      .argument('<probation-id>', 'the probation, as `hitl probations` lists it')
      .requiredOption('--reason <text>', 'why, on the owner’s word: on the record'),
    'an admin reviewer’s',
  ).action(async (probationId: string, options: Connection & { reason: string }) => {
    const reason = required(options.reason, '--reason');
    const id = required(probationId, 'the probation id');
    const token = tokenFrom(ctx, options, 'admin reviewer');
    const body = await callEscalation(ctx, options.url, `probations/${encodeURIComponent(id)}/end`, token, { method: 'POST', body: { reason } });
    const probation = read(ProbationAnswer, body, options.url, 'POST /probations/:id/end');
    writeLines(ctx.io.out, [
      `ended the probation of action ${probation.action} in ${probation.workspace}: its decisions follow the manifest again once the router reads it`,
      `  ${formatProbation(probation)}`,
    ]);
  });
}
