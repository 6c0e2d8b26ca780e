// What analysts' BI tools get: a read-only role (`<schema>_reader`) and stable views of the
// record (the decision timeline, resolutions, reviews), the same redacted record, nothing
// of the tables themselves; a refused event is never a resolution.
import { randomUUID } from 'node:crypto';
import { AnyEvent, EventType, exampleEvent, topicOf } from '@hitl/contracts';
import { databaseUrl, query, sendMessages, signed } from '@hitl/testing';
import { INestApplication } from '@nestjs/common';
import { auditReaderRole } from '../src/audit-writer-role';
import { AuditRun } from './support/audit-run';

const run = new AuditRun('readers');
const { schema, prefix, kafka } = run;
const SECRET = '4242424242424242';
const bi = `${schema}_bi`;
const asBi = <T>(text: string) => query<T>(text, [], databaseUrl({ user: bi }));

/** A reviewed decision: proposed, requested, resolved by a reviewer a minute later; a card number in its parameters. */
function reviewed(): AnyEvent[] {
  const decisionId = randomUUID();
  const approvalId = randomUUID();
  const types: EventType[] = ['hitl.decision.proposed.v1', 'hitl.approval.requested.v1', 'hitl.approval.resolved.v1'];
  return types.map((type, i) => {
    const e = exampleEvent(type, { id: randomUUID() }) as AnyEvent;
    e.subject = decisionId;
    const data = e.data as Record<string, unknown> & { parameters?: Record<string, unknown>; decision?: Record<string, unknown> };
    data.decision_id = decisionId;
    if ('approval_id' in data) data.approval_id = approvalId;
    if (data.parameters) data.parameters = { ...data.parameters, card_number: SECRET };
    if (data.decision)
      data.decision = { ...data.decision, decision_id: decisionId, parameters: { ...(data.decision.parameters as object), card_number: SECRET } };
    e.time = new Date(Date.UTC(2026, 11, 1, 9, i, 0)).toISOString();
    return e;
  });
}

describe('the record for analysts', () => {
  let app: INestApplication | undefined;

  afterAll(async () => {
    await run.tearDown(app);
    await query(`DROP ROLE IF EXISTS "${bi}"`);
  });

  it('reads the timeline, resolutions and reviews through the reader role, redacted, and nothing else', async () => {
    app = (await run.start(run.config({}))).app;
    const life = reviewed();
    const resolved = life[2];
    // A forgery of the resolution (unsigned): on the record as refused, never a resolution.
    const forged = { ...exampleEvent('hitl.approval.resolved.v1', { id: randomUUID() }), subject: resolved.subject } as AnyEvent;
    (forged.data as { decision_id: string }).decision_id = resolved.subject;
    await sendMessages(kafka, [
      ...life.map((e) => ({ topic: `${prefix}${topicOf(e.type)}`, key: e.subject, value: JSON.stringify(signed(e)) })),
      { topic: `${prefix}approval.resolved`, key: forged.subject, value: JSON.stringify(forged) },
    ]);
    await run.waitForRecorded(`SELECT count(*)::int AS n FROM "${schema}".events WHERE decision_id = $1`, [resolved.subject], 4);

    await query(`CREATE ROLE "${bi}" LOGIN`);
    await query(`GRANT "${auditReaderRole(schema)}" TO "${bi}"`);

    const timeline = await asBi<{ type: string; verified: boolean; chain_index: string }>(
      `SELECT type, verified, chain_index FROM "${schema}".decision_timeline WHERE decision_id = '${resolved.subject}' ORDER BY chain_index`,
    );
    expect(timeline.map((r) => [r.type, r.verified])).toEqual(
      expect.arrayContaining([
        ['hitl.decision.proposed.v1', true],
        ['hitl.approval.requested.v1', true],
        ['hitl.approval.resolved.v1', true],
        ['hitl.approval.resolved.v1', false],
      ]),
    );
    const resolutions = await asBi<{ status: string; resolved_by_kind: string; approval_id: string }>(
      `SELECT status, resolved_by_kind, approval_id FROM "${schema}".resolutions WHERE decision_id = '${resolved.subject}'`,
    );
    const data = resolved.data as { status: string; approval_id: string; resolved_by: { kind: string; id: string } };
    expect(resolutions).toEqual([{ status: data.status, resolved_by_kind: data.resolved_by.kind, approval_id: data.approval_id }]);
    if (data.resolved_by.kind === 'reviewer') {
      const [review] = await asBi<{ reviewer: string; review_seconds: string }>(
        `SELECT reviewer, review_seconds FROM "${schema}".reviews WHERE decision_id = '${resolved.subject}'`,
      );
      expect({ reviewer: review.reviewer, seconds: Number(review.review_seconds) }).toEqual({ reviewer: data.resolved_by.id, seconds: 60 });
    }
    // Redacted as written: the card number is nowhere in what the views give.
    const everything =
      JSON.stringify(await asBi(`SELECT * FROM "${schema}".decision_timeline`)) + JSON.stringify(await asBi(`SELECT * FROM "${schema}".resolutions`));
    expect(everything).not.toContain(SECRET);

    // Read-only, and only the views.
    await expect(asBi(`SELECT count(*) FROM "${schema}".events`)).rejects.toThrow(/permission denied/);
    await expect(asBi(`DELETE FROM "${schema}".decision_timeline`)).rejects.toThrow(/permission denied/);
    await expect(asBi(`INSERT INTO "${schema}".outbox (topic, value) VALUES ('x', '\\x00')`)).rejects.toThrow(/permission denied/);
  });
});
