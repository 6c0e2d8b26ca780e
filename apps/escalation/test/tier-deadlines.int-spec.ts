// Every tier of an escalation path is offered the decision before on_timeout applies,
// on real timers: nobody acts on a review, and it is reassigned within its first tier,
// then offered to the next tier, then expires as denied, in that order. The manifests are
// the shipped ones with only the timeout shortened to seconds; the request carries the
// deadline the router computes from them (libs/policy route(), the router's own function).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AnyEvent, exampleDecision } from '@hitl/contracts';
import { loadManifest, route } from '@hitl/policy';
import { EscalationProcess, Env, dropEnv, newEnv, of, publish, readUntil, request, root } from './support/escalation-harness';

const TIMEOUT_S = 8;

/** The reviewers of both manifests' paths: two people at each first tier (so one reassignment can happen), one above. */
const REVIEWERS = `
reviewers:
  - { id: pia, name: Pia, roles: [primary_reviewer], workspaces: [acme-support] }
  - { id: quinn, name: Quinn, roles: [primary_reviewer], workspaces: [acme-support] }
  - { id: tom, name: Tom, roles: [team_lead], workspaces: [acme-support] }
  - { id: alice, name: Alice, roles: [support_agent], workspaces: [acme-support] }
  - { id: bob, name: Bob, roles: [support_agent], workspaces: [acme-support] }
  - { id: dan, name: Dan, roles: [finance_lead], workspaces: [acme-support] }
`;

const cases = [
  {
    name: "the seed manifest's send_customer_email",
    manifest: readFileSync(resolve(root, 'manifests/seed-004.yaml'), 'utf8').replace(
      'approval_timeout_seconds: 3600',
      `approval_timeout_seconds: ${TIMEOUT_S}`,
    ),
    action: 'send_customer_email',
    parameters: { to: 'customer@example.com', subject: 'Your refund', body: 'It is on its way.' },
    firstTier: 'primary_reviewer',
    nextTier: 'team_lead',
  },
  {
    name: "manifests/refunds.yaml's process_refund",
    manifest: readFileSync(resolve(root, 'manifests/refunds.yaml'), 'utf8').replace('approval_timeout_seconds: 900', `approval_timeout_seconds: ${TIMEOUT_S}`),
    action: 'process_refund',
    parameters: { order_id: 'ORD-9', amount_usd: 120 },
    firstTier: 'support_agent',
    nextTier: 'finance_lead',
  },
];

describe.each(cases)('nobody acts on a review: $name', ({ manifest: text, action, parameters, firstTier, nextTier }) => {
  let env: Env;
  let service: EscalationProcess;

  beforeAll(async () => {
    env = await newEnv();
    const dir = mkdtempSync(join(tmpdir(), 'hitl-tiers-'));
    writeFileSync(join(dir, 'manifest.yaml'), text);
    writeFileSync(join(dir, 'reviewers.yaml'), REVIEWERS);
    // A timeout of seconds: the 60 s least share of a tier is lowered for this run only.
    Object.assign(env.vars, { MANIFEST_PATH: join(dir, 'manifest.yaml'), REVIEWERS_PATH: join(dir, 'reviewers.yaml'), MANIFEST_MIN_TIER_SHARE_SECONDS: '1' });
    service = new EscalationProcess(env);
    await service.start();
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
    if (env) await dropEnv(env);
  });

  it('is reassigned within its first tier, then offered to the next tier, then expires as denied, in that order, each before the expiry', async () => {
    const manifest = loadManifest(text, { minTierShareSeconds: 1 });
    const now = new Date();
    const decision = {
      ...structuredClone(exampleDecision),
      action,
      parameters,
      confidence: 0.8,
      recommended_review: true,
      context: {},
      uncertainty_factors: [],
      urgency: 'normal' as const,
    };
    const routing = route(decision, manifest, now);
    expect(routing.verdict).toBe('human_review');
    const plan = routing.approval!;
    expect(plan.escalation_path).toEqual([firstTier, nextTier]);
    // Half the timeout for the first tier, though its SLA is an hour.
    expect(new Date(plan.sla_deadline).getTime() - now.getTime()).toBe((TIMEOUT_S / 2) * 1000);

    const req = request({
      action,
      parameters,
      path: plan.escalation_path,
      slaDeadline: new Date(plan.sla_deadline),
      expiresAt: new Date(plan.expires_at!),
      onTimeout: plan.on_timeout,
    });
    await publish(env, [req]);

    const resolved = await readUntil(env, 'approval.resolved', (events) => of(events, req.subject).length > 0, 45_000);
    const updates = of(
      await readUntil(env, 'approval.updated', (events) => of(events, req.subject).some((e) => e.type === 'hitl.approval.escalated.v1')),
      req.subject,
    );
    const story = updates.map((e: AnyEvent) => {
      const data = e.data as { reviewer_role: string; reviewer_id: string | null };
      return `${e.type.replace(/^hitl\.approval\.|\.v1$/g, '')} ${data.reviewer_role}`;
    });
    expect(story).toEqual([`assigned ${firstTier}`, `reassigned ${firstTier}`, `escalated ${nextTier}`]);
    const [resolution] = of(resolved, req.subject);
    expect(resolution.data).toMatchObject({ status: 'expired', resolved_by: { kind: 'timeout' } });

    // In that order on the clock, and the next tier offered it before the expiry.
    const at = (e: AnyEvent) => new Date(e.time).getTime();
    const escalated = updates.find((e) => e.type === 'hitl.approval.escalated.v1')!;
    expect(at(updates[1])).toBeLessThan(at(escalated));
    expect(at(escalated)).toBeLessThan(new Date(plan.expires_at!).getTime());
    expect(at(resolution)).toBeGreaterThanOrEqual(new Date(plan.expires_at!).getTime() - 1000);
    // The next tier's reviewer had the time left until the expiry, not a fresh hour.
    expect(new Date((escalated.data as { sla_deadline: string }).sla_deadline).getTime()).toBe(new Date(plan.expires_at!).getTime());
  }, 90_000);
});
