import { PROBATION_COUNTING, ProbationFacts, probationMarkdown, probationSection, probationSummary } from './probations';

const probation = (over: Partial<ProbationFacts> = {}): ProbationFacts => ({
  probation_id: '2e7a9c4d-5b3f-4a1e-8d6c-0f9b8a7e6d5c',
  workspace: 'acme-support',
  action: 'issue_store_credit',
  state: 'active',
  reason: 'new to the manifest of acme-support',
  manifest_version: 'sha256:9c1b0e',
  started_at: '2026-12-01T09:00:00.000Z',
  decisions: 50,
  approved_unchanged_rate: 0.95,
  reviewed: null,
  approved_unchanged: null,
  graduated_at: null,
  ended_by: null,
  end_reason: null,
  ended_at: null,
  ...over,
});

const graduated = probation({ state: 'graduated', reviewed: 52, approved_unchanged: 50, graduated_at: '2026-12-04T10:00:00.000Z' });
const ended = probation({
  probation_id: '3f8b0d5e-6c4a-4b2f-9e7d-1a0c9b8f7e6d',
  action: 'send_customer_email',
  state: 'ended',
  reason: 'auto_approve_confidence lowered from 0.97 to 0.9',
  ended_by: 'rev-grace',
  end_reason: 'billing-team signed off on the evals',
  ended_at: '2026-12-03T08:00:00.000Z',
});

describe('probation in the report', () => {
  it('a graduation with its evidence: how many reviewed decisions were approved unchanged, what it needed, when and why it started', () => {
    expect(probationSummary(graduated)).toBe(
      'issue_store_credit graduated from probation on 2026-12-04: 50 of 52 reviewed decisions approved unchanged (needed 50 at 95%); started 2026-12-01: new to the manifest of acme-support',
    );
  });

  it('an active probation: since when, why, and what graduating asks', () => {
    expect(probationSummary(probation())).toBe(
      'issue_store_credit on probation since 2026-12-01: new to the manifest of acme-support; every decision to a person until 50 reviewed decisions are approved unchanged at 95%',
    );
  });

  it('an early end: when, by whom, and the reason in their words', () => {
    expect(probationSummary(ended)).toBe(
      'send_customer_email probation ended early on 2026-12-03 by rev-grace: "billing-team signed off on the evals"; started 2026-12-01: auto_approve_confidence lowered from 0.97 to 0.9',
    );
  });

  it('a report over every workspace names the workspace', () => {
    expect(probationSummary(probation(), true)).toMatch(/^issue_store_credit in acme-support on probation since 2026-12-01/);
  });

  it('an end whose start was not seen says so', () => {
    const alone = probation({ ...ended, reason: null, manifest_version: null, started_at: null, decisions: null, approved_unchanged_rate: null });
    expect(probationSummary(alone)).toBe(
      'send_customer_email probation ended early on 2026-12-03 by rev-grace: "billing-team signed off on the evals"; its start was not seen',
    );
    const graduation = probation({ ...graduated, reason: null, started_at: null });
    expect(probationSummary(graduation)).toMatch(/\(needed 50 at 95%\); its start was not seen$/);
  });

  it('the section: by state, in the order they happened, each with its summary', () => {
    const later = probation({ probation_id: '4a9c1e6f-7d5b-4c3a-8f0e-2b1d0c9a8f7e', action: 'apply_discount', started_at: '2026-12-02T09:00:00.000Z' });
    const section = probationSection([later, ended, graduated, probation()]);
    expect(section.active.map((p) => p.action)).toEqual(['issue_store_credit', 'apply_discount']);
    expect(section.graduated).toEqual([{ ...graduated, summary: probationSummary(graduated) }]);
    expect(section.ended.map((p) => p.summary)).toEqual([probationSummary(ended)]);
  });

  it('the Markdown: graduations, early ends, then those still on probation; how probation works', () => {
    const md = probationMarkdown(probationSection([probation(), graduated, ended])).join('\n');
    expect(md).toMatch(/^## Probation/);
    const [g, e, a] = ['Graduated in the window:', 'Ended early in the window:', 'On probation now:'].map((t) => md.indexOf(t));
    expect(0 < g && g < e && e < a).toBe(true);
    expect(md).toContain(`- ${probationSummary(graduated)}`);
    expect(md).toContain(`- ${probationSummary(ended)}`);
    expect(md).toContain(`- ${probationSummary(probation())}`);
    expect(md).toContain(PROBATION_COUNTING);
  });

  it('no probations: the section says so', () => {
    const md = probationMarkdown({ active: [], graduated: [], ended: [] });
    expect(md).toContain('No probation started, graduated or ended in the window, and none is active.');
    expect(md.some((l) => l.startsWith('- '))).toBe(false);
  });
});
