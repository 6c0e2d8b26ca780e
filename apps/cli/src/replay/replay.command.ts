import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { CliContext, CliFailure, ExitCode, readInputFile, writeLines } from '../cli-context';
import { callService, parseServiceUrl, tokenFrom } from '../service-client';

export const DEFAULT_CALIBRATOR_URL = 'http://127.0.0.1:3004';

const ReplayAnswer = z.object({
  decisions: z.number(),
  changed: z.number(),
  changes: z.record(z.string(), z.number()),
  review_load: z.record(z.string(), z.object({ before: z.number(), after: z.number(), change: z.number() })),
  added_auto_approvals: z.number(),
  added_auto_approvals_labeled_wrong: z.number(),
  removed_auto_approvals: z.number(),
  since: z.string(),
  candidate_version: z.string(),
  current_version: z.string(),
});
export type ReplayAnswer = z.infer<typeof ReplayAnswer>;

/** `30d` → 30. */
export function parseSince(value: string): number {
  const match = /^(\d{1,4})d$/.exec(value.trim());
  if (!match || Number(match[1]) < 1) throw new InvalidArgumentError('expected a number of days, e.g. 30d');
  return Number(match[1]);
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** The replay as a reviewer of a manifest change reads it. */
export function formatReplay(r: ReplayAnswer): string[] {
  const lines = [
    `replayed ${r.decisions} decisions since ${r.since.slice(0, 10)} with the candidate ${r.candidate_version.slice(0, 19)}… (in force: ${r.current_version.slice(0, 19)}…)`,
    `verdicts that would change: ${r.changed}`,
    ...Object.entries(r.changes)
      .sort(([, a], [, b]) => b - a)
      .map(([change, n]) => `  ${change}: ${n}`),
    'human review load per role (now → candidate):',
    ...Object.entries(r.review_load).map(([role, l]) => `  ${role}: ${l.before} → ${l.after} (${signed(l.change)})`),
    `auto-approvals added: ${r.added_auto_approvals}, of which labeled wrong: ${r.added_auto_approvals_labeled_wrong}`,
    `auto-approvals removed: ${r.removed_auto_approvals}`,
  ];
  if (Object.keys(r.review_load).length === 0)
    lines.splice(lines.indexOf('human review load per role (now → candidate):') + 1, 0, '  (no human review either way)');
  return lines;
}

/** `hitl replay --manifest CANDIDATE.yaml --since 30d`: what a manifest change would have done to recent history. */
export function registerReplayCommand(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description("re-route recent decisions with a candidate manifest (the calibrator's history); changes nothing")
    .requiredOption('--manifest <file>', 'the candidate manifest')
    .option('--since <days>', 'how far back, e.g. 30d', parseSince, 30)
    .option('--workspace <id>', 'one workspace (default: every workspace the token may read)')
    .option('--url <url>', 'the calibrator service', parseServiceUrl, new URL(DEFAULT_CALIBRATOR_URL))
    .option('--token <token>', 'an auditor token (prefer --token-env: a command line is visible to other users)')
    .option('--token-env <name>', 'the environment variable holding the token', 'AUDITOR_TOKEN')
    .option('--json', 'print the answer as JSON')
    .action(async (options: { manifest: string; since: number; workspace?: string; url: URL; token?: string; tokenEnv: string; json?: boolean }) => {
      const manifest = readInputFile(ctx, options.manifest, 'candidate manifest');
      const token = tokenFrom(ctx, options, 'auditor');
      const body = await callService(ctx, 'the calibrator', options.url, 'replay', token, {
        method: 'POST',
        body: { manifest_yaml: manifest, since_days: options.since, workspace: options.workspace },
      });
      const answer = ReplayAnswer.safeParse(body);
      if (!answer.success) throw new CliFailure(ExitCode.usage, `${options.url.origin} did not answer as a calibrator does (POST /replay)`);
      writeLines(ctx.io.out, options.json ? [JSON.stringify(answer.data, null, 2)] : formatReplay(answer.data));
    });
}
