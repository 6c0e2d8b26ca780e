// Review quality, end to end on the real services: two support agents each decide 20
// refunds. Alice opens each and reads it for ten seconds before approving; Hugo approves
// each a fraction of a second after opening it. Each first opening is recorded and published
// (hitl.approval.opened.v1, on the audit record), and the calibrator's report flags Hugo as a
// rubber stamp, not Alice. Proposals are signed by the agent's test key.
import { randomUUID } from 'node:crypto';
import { DECISION_PROPOSED, newEvent, topicOf } from '@hitl/contracts';
import { query, readWholeTopic, signed } from '@hitl/testing';
import { Stack, TOKENS } from './support/stack';

const stack = new Stack();
const PER_REVIEWER = 20;

const eventsOn = async (topic: string) =>
  (await readWholeTopic(stack.kafka, `${stack.prefix}${topic}`)).map((m) => JSON.parse(m.value!.toString()) as { type: string; subject: string; data: any });

/** `n` refunds a person must review (above the $50 auto-approval limit, at confidence 0.8); their approval ids, once opened. */
async function proposeForReview(n: number): Promise<{ decision_id: string; approval_id: string }[]> {
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
  const producer = stack.kafka.producer();
  await producer.connect();
  await producer.send({
    topic: `${stack.prefix}${topicOf(DECISION_PROPOSED)}`,
    acks: -1,
    messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
  });
  await producer.disconnect();
  const ids = events.map((e) => e.data.decision_id);
  return stack.eventually(`${n} approvals opened by the escalation`, async () => {
    const rows = await query<{ decision_id: string; approval_id: string }>(
      'SELECT decision_id, approval_id FROM escalation.approvals WHERE decision_id = ANY($1::uuid[])',
      [ids],
      stack.databaseUrl,
    );
    return rows.length === n && rows;
  });
}

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
  rubber_stamp: boolean;
  reason: string;
}

beforeAll(() => stack.start(), 240_000);
afterAll(() => stack.stop(), 60_000);

describe('review quality', () => {
  let alices: { decision_id: string; approval_id: string }[];
  let hugos: { decision_id: string; approval_id: string }[];

  it('a careful reviewer reads each item before approving; a rubber stamp approves within a fraction of a second of opening', async () => {
    [alices, hugos] = [await proposeForReview(PER_REVIEWER), await proposeForReview(PER_REVIEWER)];
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

  it('each first opening by a reviewer who may decide it is kept once; an auditor’s read is none', async () => {
    // Opened again by Alice after deciding, and read by an auditor: nothing more is kept.
    await open(TOKENS.alice, alices[0].approval_id);
    await open(TOKENS.hassan, hugos[0].approval_id);
    const rows = await query<{ reviewer_id: string; n: number }>(
      'SELECT reviewer_id, count(*)::int AS n FROM escalation.approval_openings GROUP BY reviewer_id ORDER BY reviewer_id',
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
    const [alice, hugo] = section.reviewers;
    expect(alice).toMatchObject({ reviewer_id: 'rev-alice', decided: PER_REVIEWER, approval_rate: 1, rubber_stamp: false });
    expect(alice.median_seconds_to_decide).toBeGreaterThan(alice.median_seconds_to_read!);
    expect(alice.reason).toMatch(/time enough to read/);
    expect(hugo).toMatchObject({ reviewer_id: 'rev-hugo', decided: PER_REVIEWER, approval_rate: 1, rubber_stamp: true });
    expect(hugo.median_seconds_to_decide).toBeLessThan(2);
    expect(hugo.reason).toMatch(/^approved 100% unchanged \(20 of 20\), deciding a median [\d.]+ s after opening, faster than the [\d.]+ s a person needs/);
    const markdown = await stack.call('calibrator', 'GET', `/reports/${section.id}.md`, TOKENS.compliance);
    expect(markdown.json).toContain('## Review quality');
    expect(markdown.json).toContain('- **Rubber stamp:** rev-hugo: approved 100% unchanged (20 of 20)');
  }, 90_000);
});
