// A clarification nobody answers, on the real broker and database: under a manifest whose
// clarification_timeout_seconds is 1, the approval's clocks run again by themselves (a timer in
// PostgreSQL), from the limit, and everyone hears of it on approval.updated.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPROVAL_REQUESTED, AnyEvent, CloudEvent, signEvent } from '@hitl/contracts';
import { eventually, idempotentProducer, query, testTrust } from '@hitl/testing';
import { Env, EscalationProcess, TOKENS, dropEnv, kafka, newEnv, of, publish, readUntil, request, root } from './support/escalation-harness';
import { agentAnswer } from './support/agent-answer';

const data = (e: AnyEvent) => e.data as Record<string, any>;

interface ApprovalClocks {
  status: string;
  assignee: string;
  sla_deadline: Date | null;
  expires_at: Date | null;
  paused_sla_ms: string | null;
  paused_expiry_ms: string | null;
  clarification_deadline: Date | null;
}

describe('a clarification nobody answers', () => {
  let env: Env;
  let service: EscalationProcess;

  beforeAll(async () => {
    env = await newEnv();
    // The refunds manifest with a one-second limit on every clarification.
    const manifest = readFileSync(join(root, 'manifests/refunds.yaml'), 'utf8').replace(/^defaults:\n/m, 'defaults:\n  clarification_timeout_seconds: 1\n');
    const path = join(env.reviewersPath, '..', 'manifest.yaml');
    writeFileSync(path, manifest);
    env.vars.MANIFEST_PATH = path;
    service = new EscalationProcess(env);
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    if (env) await dropEnv(env);
  });

  const clocks = async (approvalId: string) =>
    (
      await query<ApprovalClocks>(
        `SELECT status, assignee, sla_deadline, expires_at, paused_sla_ms, paused_expiry_ms, clarification_deadline FROM escalation.approvals WHERE approval_id = $1`,
        [approvalId],
        env.databaseUrl,
      )
    )[0];

  async function ask(r: CloudEvent<typeof APPROVAL_REQUESTED>, who: string) {
    const response = await fetch(`${service.url}/approvals/${r.data.approval_id}/clarify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS[who]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'Was the item returned?' }),
    });
    expect(response.status).toBe(201);
    return response.json();
  }

  it('resumes the clocks after its limit, counting the pause up to the limit only, and says so on approval.updated; a late answer is kept and moves nothing', async () => {
    const r = request({ slaDeadline: new Date(Date.now() + 3_600_000), expiresAt: new Date(Date.now() + 900_000) });
    await publish(env, [r]);
    const assignedTo = data(of(await readUntil(env, 'approval.updated', (events) => of(events, r.subject).length >= 1), r.subject)[0]).reviewer_id;

    const asked = await ask(r, assignedTo);
    const requestedAt = new Date(asked.requested_at).getTime();
    expect(asked).toMatchObject({ status: 'clarifying', resumes_by: new Date(requestedAt + 1000).toISOString() });
    const { sla_ms: slaMs, expiry_ms: expiryMs } = asked.paused;

    // Nobody answers: the timer resumes the approval by itself.
    const resumed = await eventually('the clocks to resume after the 1 s limit', async () => {
      const c = await clocks(r.data.approval_id);
      return c.status === 'pending' ? c : null;
    });
    // What the clocks had left, from the limit (however late the scan ran): the pause lasted 1 s.
    expect(resumed).toEqual({
      status: 'pending',
      assignee: assignedTo,
      sla_deadline: new Date(requestedAt + 1000 + slaMs),
      expires_at: new Date(requestedAt + 1000 + expiryMs),
      paused_sla_ms: null,
      paused_expiry_ms: null,
      clarification_deadline: null,
    });

    const updates = of(
      await readUntil(env, 'approval.updated', (events) => of(events, r.subject).some((e) => e.type === 'hitl.approval.reassigned.v1')),
      r.subject,
    );
    expect(updates.map((e) => e.type)).toEqual(['hitl.approval.assigned.v1', 'hitl.approval.clarification_requested.v1', 'hitl.approval.reassigned.v1']);
    expect(data(updates[2])).toMatchObject({
      approval_id: r.data.approval_id,
      reviewer_id: assignedTo,
      previous_reviewer_id: assignedTo,
      sla_deadline: new Date(requestedAt + 1000 + slaMs).toISOString(),
      reason: expect.stringContaining('did not answer the clarification within 1 s'),
    });

    // The answer comes after all: kept for the reviewer, the running clocks stay as they are.
    const answer = signEvent(
      agentAnswer({ decisionId: r.subject, approvalId: r.data.approval_id, clarificationId: asked.clarification_id }, 'No: the customer keeps it.'),
      testTrust().key('refund-bot'),
    );
    const producer = idempotentProducer(kafka);
    await producer.connect();
    await producer.send({ topic: `${env.prefix}approval.updated`, acks: -1, messages: [{ key: r.subject, value: JSON.stringify(answer) }] });
    await producer.disconnect();
    await eventually(
      'the late answer to be kept',
      async () =>
        (
          await query<{ answer: string | null }>(
            `SELECT answer FROM escalation.clarifications WHERE clarification_id = $1`,
            [asked.clarification_id],
            env.databaseUrl,
          )
        )[0].answer,
    );
    expect(await clocks(r.data.approval_id)).toEqual(resumed);
  });
});
