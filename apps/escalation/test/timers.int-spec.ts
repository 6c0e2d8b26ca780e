// Assignment and the timers of escalation, on the real broker and database.
import { AnyEvent } from '@hitl/contracts';
import { query } from '@hitl/testing';
import { Env, EscalationProcess, dropEnv, escalationForSuite, newEnv, of, publish, readUntil, request } from './support/escalation-harness';

const data = (e: AnyEvent) => e.data as Record<string, unknown>;

describe('assignment and SLA timers', () => {
  const suite = escalationForSuite();

  /** Lets time pass for one approval: its deadline moves into the past (timers live in the database). */
  const due = (decisionId: string, column: 'sla_deadline' | 'expires_at') =>
    query(`UPDATE escalation.approvals SET ${column} = now() - interval '1 second' WHERE decision_id = $1`, [decisionId], suite.env.databaseUrl);

  it('assigns each request to the least-loaded qualified reviewer', async () => {
    const requests = [request(), request(), request(), request()];
    const assignees: unknown[] = [];
    for (const r of requests) {
      await publish(suite.env, [r]);
      const updates = await readUntil(suite.env, 'approval.updated', (events) => of(events, r.subject).length >= 1);
      assignees.push(data(of(updates, r.subject)[0]).reviewer_id);
    }
    // alice, bob and carol each had none (ties by id); then alice again. Never the unavailable
    // ursula, nor zed of another workspace.
    expect(assignees).toEqual(['alice', 'bob', 'carol', 'alice']);
  });

  it('an SLA miss reassigns to the next qualified reviewer, then escalates to the next tier', async () => {
    const r = request();
    await publish(suite.env, [r]);
    const types = (events: AnyEvent[]) => of(events, r.subject).map((e) => `${e.type.split('.')[2]}:${data(e).reviewer_id}`);
    await readUntil(suite.env, 'approval.updated', (events) => of(events, r.subject).length >= 1);
    for (let step = 2; step <= 4; step++) {
      await due(r.subject, 'sla_deadline');
      await readUntil(suite.env, 'approval.updated', (events) => of(events, r.subject).length >= step);
    }
    const updates = of(await readUntil(suite.env, 'approval.updated', (events) => of(events, r.subject).length >= 4), r.subject);
    expect(types(updates)).toEqual(['assigned:bob', 'reassigned:carol', 'reassigned:alice', 'escalated:dan']);
    expect(data(updates[3])).toMatchObject({ tier: 1, reviewer_role: 'finance_lead', from_role: 'support_agent' });
    expect(data(updates[1]).previous_reviewer_id).toBe('bob');
  });

  it('on_timeout deny publishes expired, resolved by the timeout', async () => {
    const r = request({ onTimeout: 'deny' });
    await publish(suite.env, [r]);
    await readUntil(suite.env, 'approval.updated', (events) => of(events, r.subject).length >= 1);
    await due(r.subject, 'expires_at');
    const resolved = of(await readUntil(suite.env, 'approval.resolved', (events) => of(events, r.subject).length >= 1), r.subject);
    expect(resolved).toHaveLength(1);
    expect(data(resolved[0])).toMatchObject({ status: 'expired', resolved_by: { kind: 'timeout' }, approval_id: r.data.approval_id });
  });

  it('no timeout publishes approved unless the manifest allows it', async () => {
    const refund = request({ onTimeout: 'approve' }); // process_refund: high severity, irreversible
    const lookup = request({ onTimeout: 'approve', action: 'query_crm' }); // low severity, reversible
    const escalating = request({ onTimeout: 'escalate', path: ['finance_lead'] }); // last tier: denied
    await publish(suite.env, [refund, lookup, escalating]);
    for (const r of [refund, lookup, escalating]) {
      await readUntil(suite.env, 'approval.updated', (events) => of(events, r.subject).length >= 1);
      await due(r.subject, 'expires_at');
    }
    const resolved = await readUntil(suite.env, 'approval.resolved', (events) => [refund, lookup, escalating].every((r) => of(events, r.subject).length >= 1));
    expect(data(of(resolved, refund.subject)[0]).status).toBe('expired');
    expect(data(of(resolved, escalating.subject)[0]).status).toBe('expired');
    expect(data(of(resolved, lookup.subject)[0]).status).toBe('approved');
  });
});

describe('many deadlines at once', () => {
  const suite = escalationForSuite();

  it('spreads the reassignments of one scan by load, as one deadline at a time would', async () => {
    const requests = Array.from({ length: 6 }, () => request());
    await publish(suite.env, requests);
    const assigned = await readUntil(suite.env, 'approval.updated', (events) => requests.every((r) => of(events, r.subject).length >= 1));
    expect(requests.map((r) => data(of(assigned, r.subject)[0]).reviewer_id).sort()).toEqual(['alice', 'alice', 'bob', 'bob', 'carol', 'carol']);

    // All six miss their SLA in the same instant: one scan reassigns them all.
    await query(
      `UPDATE escalation.approvals SET sla_deadline = now() - interval '1 second' WHERE decision_id = ANY($1::uuid[])`,
      [requests.map((r) => r.subject)],
      suite.env.databaseUrl,
    );
    const updates = await readUntil(suite.env, 'approval.updated', (events) => requests.every((r) => of(events, r.subject).length >= 2));
    const reassigned = requests.map((r) => data(of(updates, r.subject)[1]));
    expect(reassigned.every((d, i) => d.reviewer_id !== data(of(assigned, requests[i].subject)[0]).reviewer_id)).toBe(true);

    // Counted as the scan goes, the six stay spread over the three; counted once per scan,
    // they would pile onto whoever looked least loaded at its start.
    const load = await query<{ assignee: string; n: number }>(
      `SELECT assignee, count(*)::int AS n FROM escalation.approvals WHERE status = 'pending' GROUP BY assignee`,
      [],
      suite.env.databaseUrl,
    );
    const counts = ['alice', 'bob', 'carol'].map((id) => load.find((row) => row.assignee === id)?.n ?? 0);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });
});

describe('timers survive the service', () => {
  let env: Env;

  beforeAll(async () => {
    env = await newEnv();
  });

  afterAll(() => dropEnv(env));

  it('killed with approvals pending, it fires every deadline after restart; two replicas fire each once', async () => {
    const first = new EscalationProcess(env);
    await first.start();
    const requests = Array.from({ length: 30 }, () => request({ expiresAt: new Date(Date.now() + 4_000) }));
    await publish(env, requests);
    await readUntil(env, 'approval.updated', (events) => requests.every((r) => of(events, r.subject).length >= 1));

    await first.stop('SIGKILL');
    const [{ n }] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM escalation.approvals WHERE status = 'pending'`, [], env.databaseUrl);
    expect(n).toBe(30);
    await new Promise((r) => setTimeout(r, 4_500)); // every deadline passes while nothing runs

    // Two replicas come back at once and race for the same due rows.
    const replicas = [new EscalationProcess(env), new EscalationProcess(env)];
    await Promise.all(replicas.map((r) => r.start()));
    try {
      const resolved = await readUntil(env, 'approval.resolved', (events) => requests.every((r) => of(events, r.subject).length >= 1));
      await new Promise((r) => setTimeout(r, 1_000));
      const all = await readUntil(env, 'approval.resolved', (events) => events.length >= resolved.length);
      for (const r of requests) {
        expect(of(all, r.subject).map((e) => data(e).status)).toEqual(['expired']);
      }
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
  });
});
