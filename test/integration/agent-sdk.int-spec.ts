// The agent SDK against the real router, as its own process on a database and topic prefix
// of its own: what an agent proposes, what comes back, and what the guard lets run.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumersCaughtUp, eventually, idempotentProducer, query, readWholeTopic, sendMessages, signed, testTrust } from '@hitl/testing';
import { Stack } from './support/stack';
import {
  APPROVAL_CLARIFICATION_REQUESTED,
  APPROVAL_RESOLVED,
  AnyEvent,
  CloudEvent,
  EventType,
  decodeEvent,
  newEvent,
  payloadHash,
  topicOf,
} from '@hitl/contracts';
import { HitlAgent, HitlAgentOptions, NotApprovedError, PayloadMismatchError, Proposal, ResolutionTimeoutError, UnknownDecisionError } from '@hitl/agent-sdk';

const stack = new Stack();
const { kafka, prefix } = stack;
const brokers = stack.brokers.split(',');

/** Everything on a topic of this run. */
const readAll = (name: string) => readWholeTopic(kafka, `${prefix}${name}`);

/** Publishes as another service would (escalation: a reviewer's question, a reviewer's verdict), signed with its key. */
const publish = <T extends EventType>(event: CloudEvent<T>) =>
  sendMessages(kafka, [{ topic: `${prefix}${topicOf(event.type)}`, key: event.subject, value: JSON.stringify(signed(event as AnyEvent)) }]);

/** What `probe` finds, once it finds something (30 s at the most). */
// A minute: a full CI run shares two cores among every spec, and each probe reads a whole DLQ
// (which the router's refusals of approval.resolved now grow too).
const found = <T>(what: string, probe: () => Promise<T[]>) =>
  eventually(
    what,
    async () => {
      const list = await probe();
      return list.length > 0 && list;
    },
    { timeoutMs: 60_000, everyMs: 200 },
  );

const eventsOf = async (name: string, decisionId: string) =>
  (await readAll(name)).map((m) => JSON.parse(m.value!.toString())).filter((e) => e.subject === decisionId);

const refund = (amount: number, fields: Partial<Proposal> = {}): Proposal => ({
  decision_id: randomUUID(),
  action: 'process_refund',
  parameters: { order_id: `ORD-${amount}`, amount_usd: amount },
  confidence: 0.9,
  confidence_basis: 'matches the order history',
  uncertainty_factors: [],
  recommended_review: false,
  summary: `Refund $${amount} to the customer.`,
  ...fields,
});

/** rev-alice's approval of a proposal as it was, answering its approval.requested. */
function aliceApproves(proposal: Proposal, requested: { data: { approval_id: string; manifest_version: string } }) {
  return {
    decision_id: proposal.decision_id!,
    approval_id: requested.data.approval_id,
    status: 'approved' as const,
    resolved_by: { kind: 'reviewer' as const, id: 'rev-alice' },
    parameters: proposal.parameters,
    edited: false,
    reasons: [{ rule: 'reviewer_approved', detail: 'rev-alice approved' }],
    notes: 'ok',
    chosen_option: null,
    manifest_version: requested.data.manifest_version,
    confidence: 0.9,
    action: proposal.action,
    payload_hash: payloadHash(proposal.action, proposal.parameters),
  };
}

describe('the agent SDK against the router', () => {
  let dir: string;
  const agents: HitlAgent[] = [];

  const options = (): HitlAgentOptions => ({
    brokers,
    clientId: 'refund-bot',
    agentId: 'refund-bot',
    workspace: 'acme-support',
    topicPrefix: prefix,
    pendingStore: join(dir, 'pending.json'),
    signingKey: testTrust().key('refund-bot'),
    trustedKeys: { router: join(testTrust().dir, 'router.jwks.json'), escalation: join(testTrust().dir, 'escalation.jwks.json') },
  });

  async function startAgent(): Promise<HitlAgent> {
    const agent = new HitlAgent(options());
    agents.push(agent);
    await agent.start();
    return agent;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hitl-agent-sdk-'));
    await stack.start(['router']);
  });

  afterAll(async () => {
    for (const agent of agents) await agent.stop();
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('proposes, waits, runs what was approved and reports it; refuses the rest', async () => {
    const agent = await startAgent();

    // A $20 refund at 0.9: approved by policy.
    const small = refund(20);
    const approved = await agent.propose(small, { timeoutMs: 60_000 });
    expect(approved).toMatchObject({
      decision_id: small.decision_id,
      status: 'approved',
      resolved_by: { kind: 'policy' },
      edited: false,
      parameters: small.parameters,
    });
    expect(approved.payload_hash).toMatch(/^sha256:[0-9a-f]{64}$/);

    const ran: unknown[] = [];
    const result = await agent.guard(approved, async (parameters) => {
      ran.push(parameters);
      return { refund_id: 'rf-1' };
    });
    expect(result).toEqual({ refund_id: 'rf-1' });
    expect(ran).toEqual([small.parameters]);
    const executed = await eventsOf('action.executed', small.decision_id!);
    expect(executed).toHaveLength(1);
    expect(executed[0]).toMatchObject({
      type: 'hitl.action.executed.v1',
      source: 'agent/refund-bot',
      data: { succeeded: true, output: { refund_id: 'rf-1' }, error: null, payload_hash: approved.payload_hash, parameters: small.parameters },
    });
    // What the agent publishes is signed with its key: the services' keyring names refund-bot.
    for (const [topic, sent] of [
      ['decision.proposed', (await eventsOf('decision.proposed', small.decision_id!))[0]],
      ['action.executed', executed[0]],
    ] as const) {
      const decoded = decodeEvent(topic, JSON.stringify(sent));
      expect(decoded.ok && testTrust().keyring.verify(decoded.raw, decoded.event)).toMatchObject({ ok: true, signer: { kind: 'agent', id: 'refund-bot' } });
    }

    // A tampered resolution: refused, nothing runs.
    const tampered = { ...approved, parameters: { ...approved.parameters, amount_usd: 2000 } };
    await expect(agent.guard(tampered, () => ran.push('tampered'))).rejects.toBeInstanceOf(PayloadMismatchError);
    expect(ran).toHaveLength(1);

    // An unknown action: blocked, and the guard refuses it with the router's reasons.
    const unknown = refund(10, { action: 'wire_money', parameters: { iban: 'DE00' } });
    const blocked = await agent.propose(unknown, { timeoutMs: 60_000 });
    expect(blocked.status).toBe('blocked');
    const refusal = await agent.guard(blocked, () => ran.push('blocked')).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(NotApprovedError);
    expect(refusal).toMatchObject({ status: 'blocked' });
    expect((refusal as NotApprovedError).reasons.map((r) => r.rule)).toContain('unknown_action');
    expect(ran).toHaveLength(1);
  });

  it('proposing the same decision twice publishes it once and gets one outcome', async () => {
    const agent = agents[0];
    const twice = refund(25);
    const [first, second] = await Promise.all([agent.propose(twice, { timeoutMs: 60_000 }), agent.propose(twice, { timeoutMs: 60_000 })]);
    const third = await agent.propose(twice);
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(await eventsOf('decision.proposed', twice.decision_id!)).toHaveLength(1);
    expect(await eventsOf('approval.resolved', twice.decision_id!)).toHaveLength(1);
  });

  it('a decision pending for a human survives the agent stopping and starting again', async () => {
    const before = agents[0];
    const big = refund(120);
    const waited = await before.propose(big, { timeoutMs: 3_000 }).catch((e: unknown) => e);
    expect(waited).toBeInstanceOf(ResolutionTimeoutError);
    expect((waited as Error).message).toContain(`resolution("${big.decision_id}")`);
    expect(await eventsOf('approval.requested', big.decision_id!)).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ route: 'human_review' }) }),
    ]);
    await before.stop();

    const after = await startAgent();
    expect((await after.pending()).map((d) => d.decision_id)).toEqual([big.decision_id]);
    // Still pending after the restart: awaiting it again times out the same way.
    await expect(after.resolution(big.decision_id!, { timeoutMs: 1_000 })).rejects.toBeInstanceOf(ResolutionTimeoutError);

    // A reviewer asks a question; the agent's handler answers it.
    after.onClarification(({ question }) => `about "${question}": the parcel photo shows the damage`);
    const [requested] = await eventsOf('approval.requested', big.decision_id!);
    const clarificationId = randomUUID();
    const meta = { source: 'hitl/escalation', workspaceid: 'acme-support' };
    await publish(
      newEvent(
        APPROVAL_CLARIFICATION_REQUESTED,
        {
          decision_id: big.decision_id!,
          approval_id: requested.data.approval_id,
          clarification_id: clarificationId,
          requested_by: 'rev-alice',
          question: 'Why the full amount?',
        },
        meta,
      ),
    );
    const answers = await found("the agent's answer", async () =>
      (await eventsOf('approval.updated', big.decision_id!)).filter((e) => e.type === 'hitl.approval.clarification_provided.v1'),
    );
    expect(answers.map((e) => e.data)).toEqual([
      expect.objectContaining({
        clarification_id: clarificationId,
        provided_by: 'agent/refund-bot',
        answer: 'about "Why the full amount?": the parcel photo shows the damage',
      }),
    ]);

    // The reviewer approves while the agent is down; it is not lost.
    await after.stop();
    const verdict = aliceApproves(big, requested);
    const stranger = randomUUID(); // another agent's decision
    await publish(newEvent(APPROVAL_RESOLVED, { ...verdict, decision_id: stranger }, meta));
    await publish(newEvent(APPROVAL_RESOLVED, verdict, meta));

    const again = await startAgent();
    await expect(again.resolution(big.decision_id!, { timeoutMs: 30_000 })).resolves.toMatchObject({
      status: 'approved',
      notes: 'ok',
      resolved_by: { id: 'rev-alice' },
    });
    expect(await again.pending()).toEqual([]);
    await expect(again.resolution(stranger)).rejects.toBeInstanceOf(UnknownDecisionError);
  });

  it('no message stops the agent: what PostgreSQL or JSON cannot keep is dead-lettered with its code, the real outcome after it on the same partition is taken, and the group reaches the end', async () => {
    // A replica of its own (its own group and store), so the agents of the tests before it take nothing from it.
    const agent = new HitlAgent({ ...options(), replicaId: 'fuzz', pendingStore: join(dir, 'fuzz.journal') });
    agents.push(agent);
    await agent.start();
    const waiting = refund(130);
    await expect(agent.propose(waiting, { timeoutMs: 2_000 })).rejects.toBeInstanceOf(ResolutionTimeoutError);
    const [requested] = await found('the approval request', () => eventsOf('approval.requested', waiting.decision_id!));
    const meta = { source: 'hitl/escalation', workspaceid: 'acme-support' };
    const verdict = newEvent(APPROVAL_RESOLVED, aliceApproves(waiting, requested), meta);
    const text = (notes: string) => Buffer.from(JSON.stringify(signed({ ...verdict, id: randomUUID(), data: { ...verdict.data, notes } } as AnyEvent)));
    const key = Buffer.from(waiting.decision_id!);
    // Each on the decision's own partition, before its real outcome; each signed by the escalation service.
    const hostile: { kind: string; code: string; key: Buffer; value: Buffer; headers?: Record<string, Buffer | string> }[] = [
      { kind: 'U+0000 in the notes', code: 'unsupported_character', key, value: text('ok\u0000') },
      { kind: 'a lone surrogate in the notes', code: 'unsupported_character', key, value: text('half \ud83d') },
      { kind: 'a number beyond a double', code: 'invalid_data', key, value: Buffer.from(text('ok').toString().replace('"data":{', '"data":{"beyond":1e400,')) },
      {
        kind: 'nested 100 000 deep, with a key and headers that are no text',
        code: 'invalid_envelope',
        key: Buffer.concat([key, Buffer.from([0x00, 0xff])]),
        headers: { 'x-nul\u0000': Buffer.from([0x00]) },
        value: Buffer.from(
          text('ok')
            .toString()
            .replace(/"workspaceid":"[^"]*"/, `"workspaceid":${'['.repeat(100_000)}${']'.repeat(100_000)}`),
        ),
      },
    ];
    const producer = idempotentProducer(kafka);
    await producer.connect();
    const sent: { kind: string; code: string; at: string }[] = [];
    // The partition is set, not left to the key: a key that is no text hashes elsewhere, and a
    // message read after the real outcome concerns no pending decision of this agent's.
    let partition: number | undefined;
    for (const h of hostile) {
      const [meta] = await producer.send({
        topic: `${prefix}approval.resolved`,
        messages: [{ key: h.key, value: h.value, headers: h.headers, partition }],
      });
      partition = meta.partition;
      sent.push({ kind: h.kind, code: h.code, at: `${meta.partition}/${meta.baseOffset}` });
    }
    await producer.disconnect();
    await publish(verdict);

    await expect(agent.resolution(waiting.decision_id!, { timeoutMs: 30_000 })).resolves.toMatchObject({ status: 'approved', notes: 'ok' });
    const group = `${prefix}hitl-agent-refund-bot-fuzz`;
    const letters = await found('every hostile message dead-lettered', async () => {
      const mine = (await readAll('approval.resolved.dlq')).filter((l) => String(l.headers?.['hitl-dlq-consumer']) === group);
      return mine.length >= sent.length ? mine : [];
    });
    const byPlace = new Map(
      letters.map((l) => [
        `${String(l.headers?.['hitl-dlq-partition'])}/${String(l.headers?.['hitl-dlq-offset'])}`,
        String(l.headers?.['hitl-dlq-error-code']),
      ]),
    );
    expect(sent.map((s) => `${s.kind}: ${byPlace.get(s.at)}`)).toEqual(sent.map((s) => `${s.kind}: ${s.code}`));
    // The agent's group is at the end of what it reads.
    const caughtUp = await found('the group at the end of what it reads', async () =>
      (await consumersCaughtUp(kafka, [[group, [`${prefix}approval.resolved`, `${prefix}approval.updated`]]])) ? [true] : [],
    );
    expect(caughtUp).toEqual([true]);
  });

  it('a fleet sharing one PostgreSQL store records and acts on no forged outcome: unsigned or router-signed as a reviewer, refused by every replica; the real approval acted on once', async () => {
    const storeSchema = 'agent_fleet';
    const acted: string[] = [];
    const replica = async (replicaId: string) => {
      const agent = new HitlAgent({ ...options(), replicaId, pendingStore: { postgres: stack.databaseUrl, schema: storeSchema } });
      agent.onResolution(async (resolution) => void acted.push(`${replicaId} ${resolution.decision_id} ${resolution.status}`));
      agents.push(agent);
      await agent.start();
      return agent;
    };
    const [first] = [await replica('r1'), await replica('r2')];
    const waiting = refund(140);
    await expect(first.propose(waiting, { timeoutMs: 2_000 })).rejects.toBeInstanceOf(ResolutionTimeoutError);
    const [requested] = await found('the approval request', () => eventsOf('approval.requested', waiting.decision_id!));
    const genuine = aliceApproves(waiting, requested);
    const meta = { source: 'hitl/escalation', workspaceid: 'acme-support' };
    // What an attacker on the topic can write: unsigned, and signed by the router (which never speaks for a reviewer).
    const forgeries = [
      {
        ...newEvent(
          APPROVAL_RESOLVED,
          {
            ...genuine,
            parameters: { ...waiting.parameters, amount_usd: 9_999 },
            payload_hash: payloadHash('process_refund', { ...waiting.parameters, amount_usd: 9_999 }),
          },
          meta,
        ),
      },
      signed(newEvent(APPROVAL_RESOLVED, genuine, meta) as AnyEvent, 'router'),
    ];
    await sendMessages(
      kafka,
      forgeries.map((f) => ({ topic: `${prefix}approval.resolved`, key: waiting.decision_id!, value: JSON.stringify(f) })),
    );
    const stored = async () =>
      (
        await query<{ resolution: unknown }>(
          `SELECT resolution FROM "${storeSchema}".pending_decisions WHERE decision_id = $1`,
          [waiting.decision_id],
          stack.databaseUrl,
        )
      )[0]?.resolution ?? null;
    // Both replicas read both forgeries (a group each) and dead-letter them, as does the router (which counts
    // reviewers' resolutions towards probations); neither is recorded nor acted on.
    const refusals = await found('both forgeries dead-lettered', async () => {
      const letters = (await readAll('approval.resolved.dlq')).filter((l) => forgeries.some((f) => l.value!.toString() === JSON.stringify(f)));
      const codes = new Set(letters.map((l) => String(l.headers?.['hitl-dlq-error-code'])));
      return codes.has('unsigned') && codes.has('signature_invalid') ? letters : [];
    });
    expect(refusals.map((l) => String(l.headers?.['hitl-dlq-error-code'])).sort()).toEqual(expect.arrayContaining(['signature_invalid', 'unsigned']));
    expect(await stored()).toBeNull();
    expect(acted).toEqual([]);

    await publish(newEvent(APPROVAL_RESOLVED, genuine, meta));
    await found('the approval acted on', async () => acted);
    await new Promise((r) => setTimeout(r, 1_000)); // a second replica acting would show by now
    expect(acted).toEqual([`r1 ${waiting.decision_id} approved`]);
  });
});
