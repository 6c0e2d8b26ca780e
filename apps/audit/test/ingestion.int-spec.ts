// The audit record on the real broker and database: everything once, in order, redacted,
// append-only for real, and tampering found by verify.
import { randomUUID } from 'node:crypto';
import { AnyEvent, EventType, exampleEvent, topicOf } from '@hitl/contracts';
import { INestApplication } from '@nestjs/common';
import { VerifyService } from '../src/verify/verify.service';
import { databaseUrl, eventually, query, sendMessages, signed } from '@hitl/testing';
import { AuditRun } from './support/audit-run';

const run = new AuditRun('audit');
const { schema, writer, prefix, kafka } = run;
const SECRET = '4242424242424242';

/** SQL as the service's own login role. */
const asWriter = <T>(text: string, params: unknown[] = []) => query<T>(text, params, databaseUrl({ user: writer }));

const startAudit = async () => (await run.start(run.config({}))).app;

const produce = (events: AnyEvent[]) =>
  sendMessages(
    kafka,
    events.map((e) => ({ topic: `${prefix}${topicOf(e.type)}`, key: e.subject, value: JSON.stringify(signed(e)) })),
  );

/** A decision's whole life, one event per step, a second apart, with a card number in its parameters. */
function lifecycle(): AnyEvent[] {
  const decisionId = randomUUID();
  const types: EventType[] = [
    'hitl.decision.proposed.v1',
    'hitl.approval.requested.v1',
    'hitl.approval.assigned.v1',
    'hitl.approval.resolved.v1',
    'hitl.action.executed.v1',
    'hitl.outcome.labeled.v1',
  ];
  return types.map((type, i) => {
    const e = exampleEvent(type, { id: randomUUID() }) as AnyEvent;
    e.subject = decisionId;
    (e.data as { decision_id: string }).decision_id = decisionId;
    e.time = new Date(Date.UTC(2026, 10, 22, 9, 0, i)).toISOString();
    const data = e.data as { parameters?: Record<string, unknown>; decision?: { decision_id: string; parameters: Record<string, unknown> } };
    if (data.parameters) data.parameters = { ...data.parameters, card_number: SECRET };
    if (data.decision) data.decision = { ...data.decision, decision_id: decisionId, parameters: { ...data.decision.parameters, card_number: SECRET } };
    return e;
  });
}

const recorded = async () => (await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".events`))[0].n;

describe('the audit record', () => {
  let app: INestApplication | undefined;

  afterAll(() => run.tearDown(app));

  it('holds every event of a lifecycle exactly once, in order, redacted, through duplicates and a restart mid-batch', async () => {
    app = await startAudit();
    const others = Array.from({ length: 80 }, () => lifecycle()).flat();
    const life = lifecycle();
    await produce(others);
    // Stop it while it works through the stream; a new one carries on.
    await eventually('the first records', async () => (await recorded()) > 0, { timeoutMs: 60_000 });
    await app.close();
    app = await startAudit();
    await produce([...life, ...life]); // everything delivered twice
    await eventually('every event', async () => (await recorded()) >= others.length + life.length, { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 1_000));

    expect(await recorded()).toBe(others.length + life.length);
    const timeline = await query<{ event_id: string; type: string; actor_kind: string }>(
      `SELECT event_id, type, actor_kind FROM "${schema}".events WHERE decision_id = $1 ORDER BY occurred_at, seq`,
      [life[0].subject],
    );
    expect(timeline.map((r) => r.event_id)).toEqual(life.map((e) => e.id));
    expect(timeline.map((r) => r.actor_kind)).toEqual(['agent', 'policy', 'policy', 'reviewer', 'agent', 'reviewer']);
    // Each signed by its rightful producer: every row says it verified, and who signed it.
    const signers = await query<{ signer: string; verified: boolean }>(
      `SELECT signer, verified FROM "${schema}".events WHERE decision_id = $1 ORDER BY occurred_at, seq`,
      [life[0].subject],
    );
    expect(signers).toEqual(
      ['agent:refund-bot', 'service:router', 'service:escalation', 'service:escalation', 'agent:refund-bot', 'agent:refund-bot'].map((signer) => ({
        signer,
        verified: true,
      })),
    );
    expect((await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".events WHERE verified IS NOT TRUE`))[0].n).toBe(0);

    // The card number is in no row, in clear or otherwise.
    expect((await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".events WHERE event::text LIKE $1`, [`%${SECRET}%`]))[0].n).toBe(0);
    expect((await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".events WHERE event::text LIKE '%[REDACTED]%'`))[0].n).toBeGreaterThan(0);

    const [verified] = await app.get(VerifyService).verify('acme-support');
    expect(verified).toMatchObject({ ok: true, checked: others.length + life.length, first_break: null });

    // It wrote all that through its own role, not as the owner.
    const sessions = await query<{ usename: string }>(
      `SELECT DISTINCT usename FROM pg_stat_activity WHERE application_name = 'hitl-audit' AND datname = current_database()`,
    );
    expect(sessions.map((s) => s.usename)).toEqual([writer]);
  });

  it('refuses UPDATE and DELETE through the service role, and even as the owner', async () => {
    const [row] = await query<{ event_id: string }>(`SELECT event_id FROM "${schema}".events LIMIT 1`);
    await expect(asWriter(`UPDATE "${schema}".events SET actor_id = 'mallory' WHERE event_id = $1`, [row.event_id])).rejects.toThrow(/permission denied/);
    await expect(asWriter(`DELETE FROM "${schema}".events WHERE event_id = $1`, [row.event_id])).rejects.toThrow(/permission denied/);
    await expect(asWriter(`TRUNCATE "${schema}".events`)).rejects.toThrow(/permission denied|must be owner/);
    await expect(query(`UPDATE "${schema}".events SET actor_id = 'mallory' WHERE event_id = $1`, [row.event_id])).rejects.toThrow(/append-only/);
    await expect(query(`DELETE FROM "${schema}".events WHERE event_id = $1`, [row.event_id])).rejects.toThrow(/append-only/);
    await expect(query(`TRUNCATE "${schema}".events`)).rejects.toThrow(/append-only/);
    // And the service role owns nothing it could change the rules of.
    const [owner] = await query<{ tableowner: string }>(`SELECT tableowner FROM pg_tables WHERE schemaname = $1 AND tablename = 'events'`, [schema]);
    expect(owner.tableowner).not.toBe(writer);
  });

  it('finds a row changed behind its back, and names it', async () => {
    const [victim] = await query<{ event_id: string; seq: string }>(
      `SELECT event_id, seq::text FROM "${schema}".events WHERE workspace = 'acme-support' ORDER BY chain_index OFFSET 100 LIMIT 1`,
    );
    await query(`BEGIN; ALTER TABLE "${schema}".events DISABLE TRIGGER events_append_only;
               UPDATE "${schema}".events SET event = jsonb_set(event, '{data,notes}', '"edited later"') WHERE event_id = '${victim.event_id}';
               ALTER TABLE "${schema}".events ENABLE TRIGGER events_append_only; COMMIT;`);
    const [verified] = await app!.get(VerifyService).verify('acme-support');
    expect(verified.ok).toBe(false);
    expect(verified.first_break).toMatchObject({ event_id: victim.event_id, seq: victim.seq, reason: expect.stringContaining('changed after it was written') });
  });
});
