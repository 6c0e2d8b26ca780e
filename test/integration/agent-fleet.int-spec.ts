// Three replicas of one agent (separate processes, examples/refund-agent/replica.ts) against
// the four real services: 300 decisions, human reviews among them, one replica killed with
// kill -9 mid-way and started again after its lease ran out. Every outcome must be acted on
// exactly once, by some replica (the one that proposed it, or one that took it over from its
// checkpoint), nothing may wait forever, and `hitl check` must pass over the run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query, runCli, testTrust } from '@hitl/testing';
import { FleetResult, runFleet } from '../../examples/refund-agent/fleet';
import { Stack, TOKENS } from './support/stack';

const REVIEW_EXPIRY_S = 120;
const LEASE_MS = 5_000;

/** What `hitl check --json` prints (the fields read here). */
interface CheckReport {
  ok: boolean;
  counts: { decisions: number };
  violations: unknown[];
}

/** `hitl check` over the stack's run, as an operator runs it (with the run's keys): its report. */
async function hitlCheck(stack: Stack): Promise<CheckReport> {
  const args = [
    'check',
    '--json',
    '--prefix',
    stack.prefix,
    '--brokers',
    stack.brokers,
    '--manifest',
    stack.manifestPath,
    '--audit-url',
    stack.urls.audit,
    '--calibrator-db',
    stack.databaseUrl,
  ];
  const run = await runCli(args, { ...testTrust().env(), AUDITOR_TOKEN: TOKENS.compliance });
  // 0: it holds, 1: violations (both print the report); anything else: the run could not be read.
  if (run.code !== 0 && run.code !== 1) throw new Error(`hitl check exited ${run.code}: ${run.stderr.trim()}`);
  // kafkajs 2.2.4 uncorrected makes Node 24 print a TimeoutNegativeWarning on the operator's terminal.
  expect(run.stderr).not.toContain('Warning');
  return JSON.parse(run.stdout) as CheckReport;
}

describe('a fleet of three replicas of one agent', () => {
  // Reviews expire within the run, so a review nobody decided still gets its (terminal) outcome.
  const stack = new Stack((m) => m.replace(/approval_timeout_seconds: \d+/g, `approval_timeout_seconds: ${REVIEW_EXPIRY_S}`));
  const workDir = mkdtempSync(join(tmpdir(), 'hitl-agent-fleet-'));
  let result: FleetResult;

  beforeAll(async () => {
    await stack.start();
    const trust = testTrust();
    result = await runFleet({
      brokers: stack.brokers.split(','),
      topicPrefix: stack.prefix,
      databaseUrl: stack.databaseUrl,
      signingKey: join(trust.dir, 'refund-bot.key.pem'),
      trustedKeys: { router: join(trust.dir, 'router.jwks.json'), escalation: join(trust.dir, 'escalation.jwks.json') },
      escalationUrl: stack.urls.escalation,
      reviewers: (['alice', 'bruno', 'dana', 'emil'] as const).map((name) => ({ name, token: TOKENS[name] })),
      decisions: 300,
      replicas: 3,
      rate: 30,
      seed: 42,
      leaseMs: LEASE_MS,
      killAt: 0.4,
      // Longer than the lease: the survivors take the killed replica's decisions over.
      restartAfterMs: 2 * LEASE_MS,
      workDir,
      deadlineMs: (REVIEW_EXPIRY_S + 120) * 1000,
    });
  }, 10 * 60_000);

  afterAll(async () => {
    await stack.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('acts on every outcome exactly once, with none left waiting, though one replica was killed', async () => {
    expect(result.killed).toBe('replica-0');
    expect(result.neverActed).toEqual([]);
    expect(result.actedTwice).toEqual([]);
    expect(result.doubleRefunds).toEqual([]);
    expect(result.actedOnce).toBe(300);
    // Human reviews were among them (approved, edited or denied by the desk).
    expect(result.desk.approved + result.desk.edited + result.desk.denied).toBeGreaterThan(0);
    // Nothing is left in the shared store: every decision was acted on and marked done.
    expect(await query(`SELECT decision_id FROM hitl_agent.pending_decisions`, [], stack.databaseUrl)).toEqual([]);
  });

  it("resumes the killed replica's decisions in the others, from their checkpoints", () => {
    // Killed with decisions in flight (proposed, not yet acted on): those are what the others resume.
    expect(result.inFlightAtKill).toBeGreaterThan(0);
    expect(result.resumedElsewhere).toBeGreaterThan(0);
  });

  it('passes hitl check over the run', async () => {
    let report: CheckReport | undefined;
    // The audit and the calibrator consume on their own time: the check holds once they caught up.
    await stack
      .eventually(
        'hitl check to pass',
        async () => {
          report = await hitlCheck(stack);
          return report.ok;
        },
        120_000,
      )
      .catch(() => undefined);
    expect(report?.violations).toEqual([]);
    expect(report?.counts.decisions).toBe(300);
  });
});
