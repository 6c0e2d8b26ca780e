import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { CliContext, CliFailure, ExitCode, writeLines } from '../cli-context';
import { callService, parseServiceUrl, tokenFrom } from '../service-client';

const DEFAULT_URL = 'http://127.0.0.1:3004';

// What the command prints of the calibrator's answer to POST /reports (the rest is in the JSON).
const Finding = z.object({ action: z.string(), agent_id: z.string().nullable(), text: z.string() });
const ActionSummary = z.object({
  action: z.string(),
  agent_id: z.string().nullable(),
  n: z.number(),
  accuracy: z.number(),
  wilson_lower: z.number(),
  ece: z.number(),
  brier: z.number(),
  intervention: z
    .object({
      approved_unchanged: z.number(),
      edited: z.number(),
      denied: z.number(),
      // Absent from reports made before post-reviews were counted.
      confirmed: z.number().optional(),
      rolled_back: z.number().optional(),
      rate: z.number(),
    })
    .nullable(),
  promotion: z.object({ from_mode: z.string(), to_mode: z.string(), reason: z.string() }).nullable(),
  demotion: z.object({ reason: z.string() }).nullable(),
  // Absent from reports made before each was added.
  promotion_check: z
    .object({ to_mode: z.string().nullable(), held_back: z.array(z.string()) })
    .nullable()
    .optional(),
  lowering: z.object({ from: z.number(), to: z.number(), reason: z.string() }).nullable().optional(),
  widening: z.object({ from: z.number(), to: z.number(), reason: z.string() }).nullable().optional(),
  edits: z
    .object({
      approved: z.number(),
      edited: z.number(),
      fields: z.array(z.object({ text: z.string() })),
      suggested_rules: z.array(z.object({ rule: z.record(z.string(), z.unknown()), text: z.string() })),
    })
    .nullable()
    .optional(),
});
const PostReviewLine = z.object({
  workspace: z.string(),
  action: z.string(),
  post_reviews_requested: z.number(),
  reviewed: z.number(),
  rolled_back: z.number(),
  unreviewed_window_closed: z.number(),
  not_queued_no_capacity: z.number(),
  open: z.number(),
  sampling: z.string(),
});
const ReportAnswer = z.object({
  id: z.string(),
  generated_at: z.string(),
  workspace: z.string().nullable(),
  window: z.object({ days: z.number() }),
  labeled_outcomes: z.number(),
  unknown_outcomes: z.number(),
  superseded_labels: z.number(),
  findings: z.array(Finding),
  suggestions: z.array(z.object({ action: z.string(), field: z.string(), from: z.unknown(), to: z.unknown() })),
  reports: z.array(ActionSummary),
  // Absent from reports made before post-reviews were counted.
  post_reviews: z.object({ actions: z.array(PostReviewLine) }).optional(),
  // Absent from reports made before probations were reported.
  probations: z
    .object({
      active: z.array(z.object({ summary: z.string() })),
      graduated: z.array(z.object({ summary: z.string() })),
      ended: z.array(z.object({ summary: z.string() })),
    })
    .optional(),
  links: z.object({ markdown: z.string(), patch: z.string(), diagrams: z.record(z.string(), z.string()) }),
});
export type ReportAnswer = z.infer<typeof ReportAnswer>;

/** `--window-days 7` → 7 (1 to 365). */
export function parseWindowDays(value: string): number {
  const days = /^\d{1,3}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(days >= 1 && days <= 365)) throw new InvalidArgumentError('expected a whole number of days from 1 to 365');
  return days;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const who = (r: { action: string; agent_id: string | null }) => (r.agent_id === null ? r.action : `${r.action} (agent ${r.agent_id})`);

/** The report as a person at a terminal reads it: numbers per action, findings, suggestions, and where the rest is. */
export function formatCalibration(r: ReportAnswer, base: URL): string[] {
  // Relative to the service's URL, as the CLI called it (it may sit behind a path prefix).
  const at = (path: string) => new URL(path.replace(/^\//, ''), base.href.endsWith('/') ? base : `${base.href}/`).href;
  const lines = [
    `calibration report ${r.id} over ${r.workspace === null ? 'every workspace' : `workspace ${r.workspace}`}, the last ${r.window.days} days (generated ${r.generated_at})`,
    `${r.labeled_outcomes} labeled outcomes (each decision once; ${r.superseded_labels} labels replaced by a later one); ${r.unknown_outcomes} for decisions not seen, kept`,
  ];
  for (const report of r.reports) {
    lines.push(
      `${who(report)}: n=${report.n}, accuracy ${report.accuracy.toFixed(2)} (95% lower bound ${report.wilson_lower.toFixed(2)}), ECE ${report.ece.toFixed(3)}, Brier ${report.brier.toFixed(3)}`,
    );
    for (const f of r.findings.filter((f) => f.action === report.action && f.agent_id === report.agent_id)) lines.push(`  finding: ${f.text}`);
    const i = report.intervention;
    if (i) {
      const after = i.confirmed !== undefined ? `; after the fact ${i.confirmed} confirmed, ${i.rolled_back ?? 0} rolled back` : '';
      lines.push(`  reviewers: ${i.approved_unchanged} approved unchanged, ${i.edited} edited, ${i.denied} denied${after} (intervention ${pct(i.rate)})`);
    }
    if (report.demotion) lines.push(`  demotion alert: ${report.demotion.reason}`);
    if (report.promotion) lines.push(`  promotion candidate (${report.promotion.from_mode} → ${report.promotion.to_mode}): ${report.promotion.reason}`);
    const check = report.promotion_check;
    if (!report.promotion && check?.to_mode && check.held_back.length > 0 && report.n >= 500)
      lines.push(`  promotion to ${check.to_mode} held back: ${check.held_back.join('; ')}`);
    if (report.lowering) lines.push(`  lower auto_approve_confidence ${report.lowering.from} → ${report.lowering.to}: ${report.lowering.reason}`);
    if (report.widening) lines.push(`  widen auto_approve_below_usd ${report.widening.from} → ${report.widening.to}: ${report.widening.reason}`);
    if (report.edits && report.edits.edited > 0) {
      lines.push(`  reviewers edited ${report.edits.edited} of ${report.edits.approved} approvals:`);
      for (const f of report.edits.fields) lines.push(`    ${f.text}`);
      for (const rule of report.edits.suggested_rules) lines.push(`    suggested escalate_when ${JSON.stringify(rule.rule)}: ${rule.text}`);
    }
  }
  if (r.reports.length === 0) lines.push('no labeled outcomes in the window');
  for (const p of r.post_reviews?.actions ?? []) {
    lines.push(
      `post-reviews of ${p.action}${r.workspace === null ? ` in ${p.workspace}` : ''}: ${p.post_reviews_requested} requested, ${p.reviewed} reviewed, ${p.rolled_back} rolled back, ` +
        `${p.unreviewed_window_closed} unreviewed (window closed), ${p.not_queued_no_capacity} not queued (no reviewer capacity), ${p.open} open`,
    );
    lines.push(`  ${p.sampling}`);
  }
  const probations = r.probations ? [...r.probations.graduated, ...r.probations.ended, ...r.probations.active] : [];
  for (const p of probations) lines.push(`probation: ${p.summary}`);
  if (r.suggestions.length > 0) {
    lines.push('suggested manifest changes (for review; the service never applies them):');
    // As the manifest would say it: `never` bare, like the YAML, not a quoted JSON string.
    const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
    for (const s of r.suggestions) lines.push(`  ${s.action} ${s.field}: ${shown(s.from)} → ${shown(s.to)}`);
  } else lines.push('no manifest changes suggested');
  lines.push(`markdown: ${at(r.links.markdown)}`);
  for (const [action, path] of Object.entries(r.links.diagrams)) lines.push(`diagram of ${action}: ${at(path)}`);
  lines.push(`patch: ${at(r.links.patch)}`);
  return lines;
}

/** `hitl calibrate`: a calibration report now, from a running calibrator. */
export function registerCalibrateCommand(program: Command, ctx: CliContext): void {
  program
    .command('calibrate')
    .description(
      'ask the calibrator for a calibration report now: findings per action, suggested threshold changes, and where the Markdown, diagrams and patch are',
    )
    .option('--window-days <days>', 'the lookback window (default: the service’s CALIBRATION_WINDOW_DAYS)', parseWindowDays)
    .option('--workspace <id>', 'one workspace (default: every workspace for auditors of "*", else your only one)')
    .option('--url <url>', 'the calibrator service', parseServiceUrl, new URL(DEFAULT_URL))
    .option('--token <token>', 'an auditor token (prefer --token-env: a command line is visible to other users)')
    .option('--token-env <name>', 'the environment variable holding the token', 'AUDITOR_TOKEN')
    .option('--json', 'print the report as JSON')
    .action(async (options: { windowDays?: number; workspace?: string; url: URL; token?: string; tokenEnv: string; json?: boolean }) => {
      const token = tokenFrom(ctx, options, 'auditor');
      const body = await callService(ctx, 'the calibrator', options.url, 'reports', token, {
        method: 'POST',
        body: { window_days: options.windowDays, workspace: options.workspace },
      });
      const answer = ReportAnswer.safeParse(body);
      if (!answer.success) throw new CliFailure(ExitCode.usage, `${options.url.origin} did not answer as a calibrator does (POST /reports)`);
      writeLines(ctx.io.out, options.json ? [JSON.stringify(body, null, 2)] : formatCalibration(answer.data, options.url));
    });
}
