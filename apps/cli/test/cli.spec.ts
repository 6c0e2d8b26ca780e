// The CLI as a user runs it: a real process from the TypeScript sources, real files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const fixture = (name: string) => join('apps/cli/test/fixtures', name);
const seed = readFileSync(join(root, 'manifests/seed-004.yaml'), 'utf8');

function hitl(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/cli/src/main.ts', ...args], { cwd: root, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the hitl command', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hitl-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('validates the seed manifest', () => {
    const run = hitl('manifest', 'validate', 'manifests/seed-004.yaml');
    expect(run.stdout).toMatch(/^valid: 4 actions, version sha256:[0-9a-f]{64}\n$/);
    expect(run.status).toBe(0);
  });

  it('rejects on_timeout: approve on process_refund (high, irreversible), naming the field', () => {
    const lenient = write('lenient.yaml', seed.replace('approval_timeout_seconds: 900', 'approval_timeout_seconds: 900\n    on_timeout: approve'));
    const run = hitl('manifest', 'validate', lenient);
    expect(run.stderr).toContain('actions.process_refund.on_timeout: approve is allowed only for severity: low and reversible: true');
    expect(run.status).toBe(1);
  });

  it('exits 2 on a file it cannot read', () => {
    const run = hitl('manifest', 'validate', join(dir, 'missing.yaml'));
    expect(run.stderr).toBe(`hitl: cannot read manifest ${join(dir, 'missing.yaml')}: no such file\n`);
    expect(run.status).toBe(2);
  });

  it('explains the routing of a refund decision event', () => {
    const run = hitl('manifest', 'explain', 'manifests/seed-004.yaml', fixture('refund-decision.event.json'), '--now', '2026-11-22T09:00:00Z');
    expect(run.stdout).toContain('verdict:          human_review\nmode:             approve_before\n');
    expect(run.stdout).toContain('  confidence_below_auto_approve: confidence 0.82 is below the auto-approve threshold 0.95\n');
    expect(run.stdout).toContain('  expires at:         2026-11-22T09:15:00.000Z\n');
    expect(run.status).toBe(0);
  });

  it('explains bare decision data as JSON with --json', () => {
    const run = hitl('manifest', 'explain', '--json', 'manifests/seed-004.yaml', fixture('small-refund-decision.data.json'));
    expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'auto_approve', mode: 'approve_before', approval: null });
    expect(run.status).toBe(0);
  });

  it('rejects an invalid decision, naming its fields', () => {
    const run = hitl('manifest', 'explain', 'manifests/seed-004.yaml', fixture('invalid-refund-decision.data.json'));
    expect(run.stderr).toMatch(/^ {2}confidence: /m);
    expect(run.stderr).toMatch(/^ {2}summary: /m);
    expect(run.status).toBe(1);
  });

  it('lists the fields changed between the seed and a modified copy; --exit-code exits 3', () => {
    const modified = write(
      'modified.yaml',
      seed
        .replace('auto_approve_below_usd: 50', 'auto_approve_below_usd: 25')
        .replace('  create_jira_ticket:\n    severity: low', '  create_jira_ticket:\n    severity: medium\n    mode: log_and_alert'),
    );
    const run = hitl('manifest', 'diff', '--exit-code', 'manifests/seed-004.yaml', modified);
    expect(run.stdout).toContain(
      [
        'changed fields:',
        '  actions.create_jira_ticket.severity: low → medium',
        '  actions.create_jira_ticket.mode: (unset) → log_and_alert',
        '  actions.process_refund.conditions.auto_approve_below_usd: 50 → 25',
        'effective mode changes:',
        '  create_jira_ticket: autonomous → log_and_alert',
      ].join('\n'),
    );
    expect(run.status).toBe(3);
  });

  it('says a formatting-only change is no policy change', () => {
    const flow = seed.replace(
      'conditions:\n      auto_approve_below_usd: 50\n      always_approve_above_usd: 500',
      'conditions: { always_approve_above_usd: 500, auto_approve_below_usd: 50 } # reviewed by payments',
    );
    expect(flow).not.toBe(seed);
    const restyled = write('restyled.yaml', flow);
    const run = hitl('manifest', 'diff', '--exit-code', 'manifests/seed-004.yaml', restyled);
    expect(run.stdout).toMatch(/^no policy changes \(formatting only, same manifest version sha256:[0-9a-f]{64}\)\n$/);
    expect(run.status).toBe(0);
  });
});
