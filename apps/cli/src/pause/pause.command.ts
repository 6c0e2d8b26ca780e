import { Command } from 'commander';
import { pauseScopeWords } from '@hitl/contracts';
import { z } from 'zod';
import { CliContext, writeLines } from '../cli-context';
import { EscalationConnection, answerAs, escalationOptions, requiredText } from '../escalation-client';
import { callService, tokenFrom } from '../service-client';

// The kill switch at a terminal: `hitl pause`, `hitl resume`, `hitl pauses`, over the escalation
// service's pauses API (admins only, with a reviewer's token).

// What the command reads of the escalation's answers (libs/reviewer-api's PauseView; loose: --json keeps the rest).
// Not imported from @hitl/reviewer-api: the CLI does not depend on it, and says here what it needs.
export const PauseAnswer = z.looseObject({
  id: z.string(),
  workspace: z.string(),
  agent_id: z.string().nullable(),
  action: z.string().nullable(),
  effect: z.enum(['review', 'block']),
  reason: z.string(),
  paused_by: z.string(),
  paused_at: z.string(),
  resumed_by: z.string().nullable(),
  resumed_at: z.string().nullable(),
  resume_reason: z.string().nullable(),
});
export type PauseAnswer = z.infer<typeof PauseAnswer>;
const PauseList = z.object({ items: z.array(PauseAnswer) });

/** What a pause covers, in words: `agent refund-bot in acme-support`, `the whole workspace acme-support`. */
export function pauseScope(p: Pick<PauseAnswer, 'workspace' | 'agent_id' | 'action'>): string {
  const words = pauseScopeWords(p);
  return p.agent_id === null && p.action === null ? words : `${words} in ${p.workspace}`;
}

/** What a pause does to new proposals it covers. */
export function pauseEffect(effect: PauseAnswer['effect']): string {
  return effect === 'block' ? 'block (new proposals it covers are blocked)' : 'review (new proposals it covers go to a person)';
}

/** What `hitl pause` says first: what is paused now, and what that means until it is resumed. */
export function pausedNow(p: PauseAnswer): string {
  const scope = p.agent_id === null && p.action === null ? `${pauseScope(p)} (every agent, every action)` : pauseScope(p);
  const effect = p.effect === 'block' ? 'are blocked' : 'go to a person';
  return `paused ${scope}: new proposals it covers ${effect} until it is resumed; none is auto-approved`;
}

/** One line per pause: what, effect, by whom, since, reason (quoted: one line whatever it holds), id; and its resumption, if any. */
export function formatPause(p: PauseAnswer): string {
  const resumed = p.resumed_at === null ? '' : `; resumed by ${p.resumed_by ?? 'unknown'} at ${p.resumed_at}: ${JSON.stringify(p.resume_reason ?? '')}`;
  return `${pauseScope(p)}: ${pauseEffect(p.effect)}, paused by ${p.paused_by} since ${p.paused_at}: ${JSON.stringify(p.reason)} (id ${p.id})${resumed}`;
}

/** `hitl pause`, `hitl resume`, `hitl pauses`: the kill switch of an agent, an action or a whole workspace. */
export function registerPauseCommands(program: Command, ctx: CliContext): void {
  escalationOptions(
    program
      .command('pause')
      .description(
        'pause an agent, an action or a whole workspace (admins): every new proposal it covers goes to a person (or, with --block, is blocked) until resumed',
      )
      .requiredOption('--workspace <id>', 'the workspace')
      .option('--agent <id>', 'only this agent (with neither --agent nor --action: the whole workspace)')
      .option('--action <name>', 'only this action (with --agent: only this action of this agent)')
      .option('--block', 'block what it covers instead of sending it to a person')
      .requiredOption('--reason <text>', 'why: on the record and shown to reviewers'),
    'an admin reviewer’s',
  ).action(async (options: EscalationConnection & { workspace: string; agent?: string; action?: string; block?: boolean; reason: string }) => {
    const body = {
      workspace: requiredText(options.workspace, '--workspace'),
      ...(options.agent === undefined ? {} : { agent_id: requiredText(options.agent, '--agent') }),
      ...(options.action === undefined ? {} : { action: requiredText(options.action, '--action') }),
      effect: options.block ? 'block' : 'review',
      reason: requiredText(options.reason, '--reason'),
    };
    const token = tokenFrom(ctx, options, 'admin reviewer');
    const pause = answerAs(
      PauseAnswer,
      await callService(ctx, 'the escalation service', options.url, 'pauses', token, { method: 'POST', body }),
      options.url,
      'POST /pauses',
    );
    writeLines(ctx.io.out, [pausedNow(pause), `  ${formatPause(pause)}`, `resume it with: hitl resume ${pause.id} --reason "…"`]);
  });

  escalationOptions(
    program
      .command('resume')
      .description('resume a pause (admins): what it covered follows the manifest again')
      .argument('<pause-id>', 'the pause, as `hitl pauses` lists it')
      .requiredOption('--reason <text>', 'why it may resume: on the record'),
    'an admin reviewer’s',
  ).action(async (pauseId: string, options: EscalationConnection & { reason: string }) => {
    const reason = requiredText(options.reason, '--reason');
    const id = requiredText(pauseId, 'the pause id');
    const token = tokenFrom(ctx, options, 'admin reviewer');
    const body = await callService(ctx, 'the escalation service', options.url, `pauses/${encodeURIComponent(id)}/resume`, token, {
      method: 'POST',
      body: { reason },
    });
    const pause = answerAs(PauseAnswer, body, options.url, 'POST /pauses/:id/resume');
    writeLines(ctx.io.out, [`resumed ${pauseScope(pause)}: new proposals it covered follow the manifest again`, `  ${formatPause(pause)}`]);
  });

  escalationOptions(
    program
      .command('pauses')
      .description('list the pauses in force (any reviewer, in their workspaces); --all lists the resumed ones too')
      .option('--workspace <id>', 'one workspace (default: every workspace of yours)')
      .option('--all', 'resumed pauses too')
      .option('--json', 'print the answer as JSON'),
    'an admin reviewer’s',
  ).action(async (options: EscalationConnection & { workspace?: string; all?: boolean; json?: boolean }) => {
    const token = tokenFrom(ctx, options, 'admin reviewer');
    const workspace = options.workspace === undefined ? undefined : requiredText(options.workspace, '--workspace');
    // The API lists those in force (active=true) or the resumed ones (active=false): --all asks for both.
    const items: PauseAnswer[] = [];
    for (const active of options.all ? ['true', 'false'] : ['true']) {
      const query = new URLSearchParams({ ...(workspace === undefined ? {} : { workspace }), active });
      const body = await callService(ctx, 'the escalation service', options.url, `pauses?${query.toString()}`, token);
      items.push(...answerAs(PauseList, body, options.url, 'GET /pauses').items);
    }
    // The latest first, as the API orders each list.
    items.sort((a, b) => Date.parse(b.paused_at) - Date.parse(a.paused_at));
    if (options.json) return writeLines(ctx.io.out, [JSON.stringify({ items }, null, 2)]);
    const where = workspace === undefined ? '' : ` in ${workspace}`;
    const lines = items.map(formatPause);
    writeLines(ctx.io.out, lines.length > 0 ? lines : [options.all ? `no pauses${where}` : `no pauses in force${where}`]);
  });
}
