import { Command } from 'commander';
import { z } from 'zod';
import { CliContext, writeLines } from '../cli-context';
import { EscalationConnection, answerAs, escalationOptions, requiredText } from '../escalation-client';
import { callService, tokenFrom } from '../service-client';

// Probations at a terminal: `hitl probations` lists them, `hitl end-probation` ends one early
// (admins, on the owner's word), over the escalation service's probations API, with a
// reviewer's token; the same token and error handling as `hitl pause` (pause.command.ts).

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

/** `hitl probations`, `hitl end-probation`: actions on probation, and an admin's early end of one. */
export function registerProbationCommands(program: Command, ctx: CliContext): void {
  escalationOptions(
    program
      .command('probations')
      .description(
        'list the actions on probation (any reviewer, in their workspaces): each of their decisions goes to a person; --all lists the graduated and ended ones too',
      )
      .option('--workspace <id>', 'one workspace (default: every workspace of yours)')
      .option('--all', 'graduated and ended probations too')
      .option('--json', 'print the answer as JSON'),
    'a reviewer’s',
  ).action(async (options: EscalationConnection & { workspace?: string; all?: boolean; json?: boolean }) => {
    const token = tokenFrom(ctx, options, 'reviewer');
    const workspace = options.workspace === undefined ? undefined : requiredText(options.workspace, '--workspace');
    const query = new URLSearchParams({ ...(workspace === undefined ? {} : { workspace }), state: options.all ? 'all' : 'active' });
    const body = await callService(ctx, 'the escalation service', options.url, `probations?${query.toString()}`, token);
    const { items } = answerAs(ProbationList, body, options.url, 'GET /probations');
    if (options.json) return writeLines(ctx.io.out, [JSON.stringify({ items }, null, 2)]);
    const where = workspace === undefined ? '' : ` in ${workspace}`;
    const lines = items.map(formatProbation);
    writeLines(ctx.io.out, lines.length > 0 ? lines : [options.all ? `no probations${where}` : `no actions on probation${where}`]);
  });

  escalationOptions(
    program
      .command('end-probation')
      .description('end a probation early (admins, on the owner’s word): the action’s decisions follow the manifest again, without waiting for the evidence')
      .argument('<probation-id>', 'the probation, as `hitl probations` lists it')
      .requiredOption('--reason <text>', 'why, on the owner’s word: on the record'),
    'an admin reviewer’s',
  ).action(async (probationId: string, options: EscalationConnection & { reason: string }) => {
    const reason = requiredText(options.reason, '--reason');
    const id = requiredText(probationId, 'the probation id');
    const token = tokenFrom(ctx, options, 'admin reviewer');
    const body = await callService(ctx, 'the escalation service', options.url, `probations/${encodeURIComponent(id)}/end`, token, {
      method: 'POST',
      body: { reason },
    });
    const probation = answerAs(ProbationAnswer, body, options.url, 'POST /probations/:id/end');
    writeLines(ctx.io.out, [
      `ended the probation of action ${probation.action} in ${probation.workspace}: its decisions follow the manifest again once the router reads it`,
      `  ${formatProbation(probation)}`,
    ]);
  });
}
