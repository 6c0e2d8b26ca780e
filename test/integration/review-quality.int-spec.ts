// Review quality, end to end on the real services: two support agents each decide 20
// refunds. Alice opens each and reads it for ten seconds before approving; Hugo (the demo's
// rubber stamp) approves each a fraction of a second after opening it. Each first opening is
// recorded and published (hitl.approval.opened.v1, on the audit record), and the calibrator's
// report flags Hugo as a rubber stamp, not Alice. The manifest mixes canaries (known-answer
// refunds a careful reviewer denies) into the queue at 20%: Alice denies one (correct), Hugo
// approves the others (wrong), one is left to time out (missed). No canary is ever on
// approval.resolved or in the calibrator's decisions; each is scored. Proposals are signed by
// the agent's test key.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DECISION_PROPOSED, newEvent, topicOf } from '@hitl/contracts';
import { idempotentProducer, query, readWholeTopic, signed } from '@hitl/testing';
import { withCanaries, withRubberStamp } from '../../examples/refund-agent/review-quality';
import { Stack, TOKENS, root } from './support/stack';

const CANARIES = `
canaries:
  rate: 0.2
  items:
    - action: process_refund
      parameters: { order_id: ORD-118204, amount_usd: 4850 }
      confidence: 0.71
      summary: Refund the full order; the customer says the parcel never arrived.
      expected: deny
      why: ten times the customer's usual order, and nothing supports it
`;
const reviewersPath = join(mkdtempSync(join(tmpdir(), 'hitl-review-quality-')), 'reviewers.yaml');
writeFileSync(reviewersPath, withRubberStamp(readFileSync(join(root, 'config/reviewers.yaml'), 'utf8')));
const stack = new Stack((manifest) => withCanaries(manifest, CANARIES), { reviewersPath });
const PER_REVIEWER = 20;

const eventsOn = async (topic: string) =>
  (await readWholeTopic(stack.kafka, `${stack.prefix}${topic}`)).map((m) => JSON.parse(m.value!.toString()) as { type: string; subject: string; data: any });

/** `n` refunds a person must review (above the $50 auto-approval limit, at confidence 0.8); their approval ids, once opened. */
async function proposeForReview(n: number): Promise<Approval[]> {
  const events = Array.from({ length: n }, () => {
    const decisionId = randomUUID();
    return signed(
      newEvent(
        DECISION_PROPOSED,
        {
          decision_id: decisionId,
          agent: { id: 'refund-bot' },
          action: 'process_refund',
          parameters: { order_id: `ORD-${decisionId.slice(0, 6)}`, amount_usd: 120 },
          confidence: 0.8,
          confidence_basis: 'matches the order history',
          uncertainty_factors: [],
          recommended_review: false,
          summary: 'Refund the damaged blender in full.',
        },
        { source: 'agent/refund-bot', workspaceid: 'acme-support' },
      ),
    );
  });
  const producer = idempotentProducer(stack.kafka);
  await producer.connect();
  await producer.send({
    topic: `${stack.prefix}${topicOf(DECISION_PROPOSED)}`,
    acks: -1,
    messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
  });
  await producer.disconnect();
  const ids = events.map((e) => e.data.decision_id);
  return stack.eventually(`${n} approvals opened by the escalation`, async () => {
    const rows = await query<Approval>(
      'SELECT decision_id, approval_id FROM escalation.approvals WHERE decision_id = ANY($1::uuid[])',
      [ids],
      stack.databaseUrl,
    );
    return rows.length === n && rows;
  });
}

interface Approval {
  decision_id: string;
  approval_id: string;
}

const canaries = () =>
  query<Approval & { assignee: string | null; status: string }>(
    'SELECT decision_id, approval_id, assignee, status FROM escalation.approvals WHERE canary IS NOT NULL ORDER BY created_at, approval_id',
    [],
    stack.databaseUrl,
  );

const open = async (token: string, approvalId: string) => {
  const page = await stack.call('escalation', 'GET', `/approvals/${approvalId}`, token);
  expect(page.status).toBe(200);
  return page.json as { payload_hash: string };
};

const approve = async (token: string, approvalId: string, payloadHash: string) =>
  expect((await stack.call('escalation', 'POST', `/approvals/${approvalId}/approve`, token, { payload_hash: payloadHash })).status).toBe(200);

interface QualityRow {
  reviewer_id: string;
  action: string | null;
  decided: number;
  approval_rate: number;
  median_seconds_to_decide: number | null;
  median_seconds_to_read: number | null;
  decided_without_opening: number;
  canaries: { answered: number; correct: number; missed: number; score: number | null };
  rubber_stamp: boolean;
  reason: string;
}

beforeAll(() => stack.start(), 240_000);
afterAll(() => stack.stop(), 60_000);

describe('review quality', () => {
  let alices: Approval[];
  let hugos: Approval[];
  let mixed: (Approval & { assignee: string | null; status: string })[];

  it('at the manifest’s rate, canaries join the queue looking like any other item', async () => {
    [alices, hugos] = [await proposeForReview(PER_REVIEWER), await proposeForReview(PER_REVIEWER)];
    // At 20% a few canaries come with 40 approvals; a few more proposals if the draw was thin.
    while ((await canaries()).length < 3) await proposeForReview(10);
    mixed = await canaries();
    const [canary] = mixed;
    const real = alices[0];
    // In the inbox and on its page, a canary has exactly the fields of a real item, and no word gives it away.
    const inbox = await stack.call('escalation', 'GET', '/approvals?queue=blocking&assigned=all&limit=200', TOKENS.alice);
    const item = (id: string) => (inbox.json.items as { approval_id: string }[]).find((i) => i.approval_id === id)!;
    expect(Object.keys(item(canary.approval_id)).sort()).toEqual(Object.keys(item(real.approval_id)).sort());
    const [canaryPage, realPage] = [await open(TOKENS.hassan, canary.approval_id), await open(TOKENS.hassan, real.approval_id)];
    expect(Object.keys(canaryPage).sort()).toEqual(Object.keys(realPage).sort());
    expect(JSON.stringify(canaryPage)).not.toMatch(/canary|expected|nothing supports it/i);
    expect(JSON.stringify(item(canary.approval_id))).not.toMatch(/canary/i);
  }, 120_000);

  it('a careful reviewer reads each item before approving; a rubber stamp approves within a fraction of a second of opening', async () => {
    // Alice opens all of hers, reads for ten seconds (a refund takes about 6 s to read), then approves them.
    const shown = await Promise.all(alices.map((a) => open(TOKENS.alice, a.approval_id)));
    await new Promise((r) => setTimeout(r, 10_000));
    await Promise.all(alices.map((a, i) => approve(TOKENS.alice, a.approval_id, shown[i].payload_hash)));
    for (const h of hugos) {
      const page = await open(TOKENS.hugo, h.approval_id);
      await new Promise((r) => setTimeout(r, 150));
      await approve(TOKENS.hugo, h.approval_id, page.payload_hash);
    }
  }, 120_000);

  it('canaries are answered like any item, and only scored: correct, wrong, and missed when left to time out', async () => {
    const [first, ...rest] = mixed;
    const last = rest.pop()!;
    // Alice reads the first and denies it, as expected.
    await open(TOKENS.alice, first.approval_id);
    const denied = await stack.call('escalation', 'POST', `/approvals/${first.approval_id}/deny`, TOKENS.alice, { reason: 'nothing supports that amount' });
    expect(denied).toMatchObject({ status: 200, json: { status: 'denied' } });
    // Hugo approves the others at a glance: the answer looks like any approval's.
    for (const c of rest) {
      const page = await open(TOKENS.hugo, c.approval_id);
      expect(
        (await stack.call('escalation', 'POST', `/approvals/${c.approval_id}/approve`, TOKENS.hugo, { payload_hash: page.payload_hash })).json,
      ).toMatchObject({
        status: 'approved',
        approval_id: c.approval_id,
      });
    }
    // Nobody answers the last: its deadline comes (moved to now), and it is missed.
    await query("UPDATE escalation.approvals SET sla_deadline = now() - interval '1 second' WHERE approval_id = $1", [last.approval_id], stack.databaseUrl);
    await stack.eventually('the last canary missed', async () => (await canaries()).find((c) => c.approval_id === last.approval_id)?.status === 'expired');

    const scored = await stack.eventually('every canary scored on approval.updated', async () => {
      const events = (await eventsOn('approval.updated')).filter((e) => e.type === 'hitl.approval.canary_scored.v1');
      return events.length >= mixed.length && events;
    });
    expect(scored.map((e) => [e.data.approval_id, e.data.answered, e.data.correct]).sort()).toEqual(
      [[first.approval_id, 'deny', true], ...rest.map((c) => [c.approval_id, 'approve', false]), [last.approval_id, null, null]].sort(),
    );
    expect(scored.find((e) => e.data.approval_id === first.approval_id)?.data).toMatchObject({ reviewer_id: 'rev-alice', expected: 'deny' });
    expect(scored.find((e) => e.data.approval_id === last.approval_id)?.data.reviewer_id).toBe(last.assignee);
    // Nothing else about a canary is ever published: no assignment, no opening, no resolution, no request.
    const ids = new Set(mixed.map((c) => c.decision_id));
    for (const topic of ['decision.proposed', 'approval.requested', 'approval.resolved', 'action.executed']) {
      expect((await eventsOn(topic)).filter((e) => ids.has(e.subject))).toEqual([]);
    }
    const updates = (await eventsOn('approval.updated')).filter((e) => ids.has(e.subject));
    expect([...new Set(updates.map((e) => e.type))]).toEqual(['hitl.approval.canary_scored.v1']);
    // Real decisions are resolved as usual.
    const resolved = (await eventsOn('approval.resolved')).filter((e) => [...alices, ...hugos].some((a) => a.decision_id === e.subject));
    expect(resolved).toHaveLength(2 * PER_REVIEWER);
  }, 120_000);

  it('the audit marks each canary', async () => {
    const recorded = await stack.eventually('the canaries on the audit record', async () => {
      const answer = await stack.call('audit', 'GET', '/audit/events?workspace=acme-support&type=hitl.approval.canary_scored.v1&limit=200', TOKENS.compliance);
      const items = (answer.json.items ?? []) as { verified: boolean; summary: string }[];
      return items.length >= mixed.length && items;
    });
    expect(recorded.every((e) => e.verified && e.summary.startsWith('canary (a known-answer item, never executed)'))).toBe(true);
  }, 60_000);

  it('each first opening by a reviewer who may decide it is kept once; an auditor’s read is none', async () => {
    // Opened again by Alice after deciding, and read by an auditor: nothing more is kept.
    await open(TOKENS.alice, alices[0].approval_id);
    await open(TOKENS.hassan, hugos[0].approval_id);
    const rows = await query<{ reviewer_id: string; n: number }>(
      `SELECT o.reviewer_id, count(*)::int AS n FROM escalation.approval_openings o JOIN escalation.approvals a USING (approval_id)
        WHERE a.canary IS NULL GROUP BY o.reviewer_id ORDER BY o.reviewer_id`,
      [],
      stack.databaseUrl,
    );
    expect(rows).toEqual([
      { reviewer_id: 'rev-alice', n: PER_REVIEWER },
      { reviewer_id: 'rev-hugo', n: PER_REVIEWER },
    ]);
    const opened = await stack.eventually('the openings on approval.updated', async () => {
      const events = (await eventsOn('approval.updated')).filter((e) => e.type === 'hitl.approval.opened.v1');
      return events.length >= 2 * PER_REVIEWER && events;
    });
    expect(opened).toHaveLength(2 * PER_REVIEWER);
    expect(new Set(opened.map((e) => `${e.data.approval_id}/${e.data.opened_by}`)).size).toBe(2 * PER_REVIEWER);
    // On the audit record, verified as the escalation service's.
    const recorded = await stack.eventually('the openings on the audit record', async () => {
      const answer = await stack.call('audit', 'GET', '/audit/events?workspace=acme-support&type=hitl.approval.opened.v1&limit=200', TOKENS.compliance);
      const items = (answer.json.items ?? []) as { verified: boolean; actor: { kind: string; id: string } }[];
      return items.length >= 2 * PER_REVIEWER && items;
    });
    expect(recorded.every((e) => e.verified && e.actor.kind === 'reviewer')).toBe(true);
  }, 90_000);

  it('the calibration report flags the rubber stamp, and not the careful reviewer', async () => {
    const section = await stack.eventually('every decision in the report', async () => {
      const answer = await stack.call('calibrator', 'POST', '/reports', TOKENS.compliance, { window_days: 1, workspace: 'acme-support' });
      expect(answer.status).toBe(201);
      const quality = answer.json.review_quality as { reviewers: QualityRow[]; flagged: string[] };
      const decided = quality.reviewers.reduce((n, r) => n + r.decided, 0);
      const opened = quality.reviewers.every((r) => r.decided_without_opening === 0);
      return decided === 2 * PER_REVIEWER && opened && { ...quality, id: answer.json.id as string };
    });
    expect(section.flagged).toEqual(['rev-hugo']);
    const reviewer = (id: string) => section.reviewers.find((r) => r.reviewer_id === id)!;
    const [alice, hugo] = [reviewer('rev-alice'), reviewer('rev-hugo')];
    expect(alice).toMatchObject({ reviewer_id: 'rev-alice', decided: PER_REVIEWER, approval_rate: 1, rubber_stamp: false });
    expect(alice.median_seconds_to_decide).toBeGreaterThan(alice.median_seconds_to_read!);
    expect(alice.reason).toMatch(/time enough to read/);
    expect(hugo).toMatchObject({ reviewer_id: 'rev-hugo', decided: PER_REVIEWER, approval_rate: 1, rubber_stamp: true });
    expect(hugo.median_seconds_to_decide).toBeLessThan(2);
    expect(hugo.reason).toMatch(/^approved 100% unchanged \(20 of 20\), deciding a median [\d.]+ s after opening, faster than the [\d.]+ s a person needs/);
    // Canary scores: Alice right on hers; Hugo wrong on every one he answered; the missed one on its assignee's record.
    expect(alice.canaries).toMatchObject({ answered: 1, correct: 1, score: 1 });
    expect(hugo.canaries).toMatchObject({ answered: mixed.length - 2, correct: 0, score: 0 });
    expect(section.reviewers.reduce((n, r) => n + r.canaries.missed, 0)).toBe(1);
    // Whoever else is listed decided nothing: only a missed canary brought them in.
    expect(section.reviewers.filter((r) => r !== alice && r !== hugo).every((r) => r.decided === 0 && r.canaries.missed === 1 && !r.rubber_stamp)).toBe(true);
    // Canaries are never calibration material: not among the calibrator's decisions nor resolutions.
    const ids = mixed.map((c) => c.decision_id);
    expect(
      await query(
        'SELECT decision_id FROM calibrator.decisions WHERE decision_id = ANY($1::uuid[]) UNION ALL SELECT decision_id FROM calibrator.resolutions WHERE decision_id = ANY($1::uuid[])',
        [ids],
        stack.databaseUrl,
      ),
    ).toEqual([]);
    const reviewerResolutions = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM calibrator.resolutions WHERE resolved_by_kind = 'reviewer'",
      [],
      stack.databaseUrl,
    );
    expect(reviewerResolutions).toEqual([{ n: 2 * PER_REVIEWER }]);
    const markdown = await stack.call('calibrator', 'GET', `/reports/${section.id}.md`, TOKENS.compliance);
    expect(markdown.json).toContain('## Review quality');
    expect(markdown.json).toContain('- **Rubber stamp:** rev-hugo: approved 100% unchanged (20 of 20)');
  }, 90_000);
});
