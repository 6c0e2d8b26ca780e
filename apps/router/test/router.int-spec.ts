// The router end to end on the real broker and database. Agents' messages are written
// here as raw CloudEvents JSON with plain kafkajs, as an agent in any language would.
import { randomBytes, randomUUID } from 'node:crypto';
import { CLOUDEVENTS_CONTENT_TYPE, generateSigningKey } from '@hitl/contracts';
import { CloudEvent, Kafka as CloudEventsKafka, KafkaMessage as CloudEventsKafkaMessage } from 'cloudevents';
import { createServiceApp, loadConfig, startServiceApp } from '@hitl/service-kit';
import { INestApplication } from '@nestjs/common';
import { Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { keepPause } from '../src/pauses/pauses.repository';
import { routerService } from '../src/service';
import { distinctEvents } from './support/distinct-events';
import { proposal, wire } from './support/raw-proposal';
import { consumersCaughtUp, deleteTopicsStartingWith, eventually, idempotentProducer, inProcessEnv, query, readWholeTopic, testTrust } from '@hitl/testing';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'router-test', brokers, logLevel: logLevel.NOTHING });

interface Run {
  schema: string;
  prefix: string;
  app?: INestApplication;
}

function newRun(): Run {
  const id = randomBytes(4).toString('hex');
  return { schema: `t_router_${id}`, prefix: `t-router-${id}.` };
}

async function startRouter(run: Run): Promise<INestApplication> {
  const config = loadConfig(routerService.config, { ...inProcessEnv(run.prefix), ...testTrust().env('router') });
  const app = await createServiceApp({ ...routerService, schema: run.schema }, config);
  await startServiceApp(app, config);
  return app;
}

async function send(run: Run, messages: { key: string | null; value: string | Buffer; headers?: Record<string, string> }[]): Promise<void> {
  const producer = idempotentProducer(kafka);
  await producer.connect();
  // In slices: a signed proposal is larger, and thousands of them in one request pass the broker's size limit.
  for (let i = 0; i < messages.length; i += 1000) {
    await producer.send({ topic: `${run.prefix}decision.proposed`, acks: -1, messages: messages.slice(i, i + 1000) });
  }
  await producer.disconnect();
}

const asMessage = (event: ReturnType<typeof proposal>) => ({ key: event.subject, value: wire(event) });

/** Waits until the router's group has committed up to the end of decision.proposed and its outbox is empty. */
async function settled(run: Run): Promise<void> {
  let seen = '';
  await eventually(
    'the router to settle',
    async () => {
      const caughtUp = await consumersCaughtUp(kafka, [[`${run.prefix}hitl-router`, [`${run.prefix}decision.proposed`]]]);
      const [{ n }] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${run.schema}".outbox`);
      seen = `caught up ${caughtUp}, outbox ${n}`;
      return caughtUp && n === 0;
    },
    { timeoutMs: 60_000, everyMs: 200, detail: () => seen },
  );
}

/** Everything on a topic of this run. */
const readAll = (run: Run, name: string) => readWholeTopic(kafka, `${run.prefix}${name}`);

const json = (m: KafkaMessage) => JSON.parse(m.value!.toString());

async function cleanup(run: Run): Promise<void> {
  await run.app?.close();
  await query(`DROP SCHEMA IF EXISTS "${run.schema}" CASCADE`);
  await deleteTopicsStartingWith(kafka, run.prefix);
}

describe('router, end to end over the real broker and database', () => {
  const run = newRun();

  beforeAll(async () => {
    run.app = await startRouter(run);
  });

  afterAll(() => cleanup(run));

  it('turns every proposal into exactly one outcome, with its trace, and refuses what breaks the contract', async () => {
    const auto = proposal({ parameters: { order_id: 'ORD-1', amount_usd: 20 }, confidence: 0.7 });
    const human = proposal({ parameters: { order_id: 'ORD-2', amount_usd: 120 }, confidence: 0.9 });
    const escalate = proposal({ parameters: { order_id: 'ORD-3', amount_usd: 120, customer_tier: 'enterprise' }, confidence: 0.99 });
    const block = proposal({ action: 'wire_money', parameters: { iban: 'DE00' } });
    const onTheLoop = proposal({ action: 'cancel_subscription', parameters: { subscription_id: 'sub_1' } });
    const sameAgain = { ...auto, id: randomUUID() }; // the agent retried: same decision, same content
    const conflicting = proposal({ decisionId: human.subject, parameters: { order_id: 'ORD-2', amount_usd: 9999 } });
    const malformed = proposal({});
    (malformed.data as { confidence: unknown }).confidence = 7;
    const garbage = Buffer.from('{"specversion": "1.0", "id": ');

    await send(run, [auto, human, escalate, block, onTheLoop].map(asMessage));
    await settled(run); // routed, so the copies below come in chunks of their own
    await send(run, [asMessage(auto), asMessage(sameAgain), asMessage(conflicting), asMessage(malformed), { key: 'x', value: garbage }]);
    await settled(run);

    const resolved = distinctEvents((await readAll(run, 'approval.resolved')).map(json));
    const requested = distinctEvents((await readAll(run, 'approval.requested')).map(json));
    const letters = await readAll(run, 'decision.proposed.dlq');

    const resolvedBy = (id: string) => resolved.filter((e) => e.subject === id);
    const requestedBy = (id: string) => requested.filter((e) => e.subject === id);

    // auto-approve: one approval.resolved, approved by policy, with the trace and hash.
    expect(resolvedBy(auto.subject)).toHaveLength(1);
    // Each delivery (sent twice; a producer's retry can write one more) answered with the very
    // same event (the router emits it again from its record); the agent's retry under a new
    // event id is answered by neither.
    const deliveries = (await readAll(run, 'decision.proposed')).filter((m) => m.value!.toString().includes(auto.id)).length;
    expect(deliveries).toBeGreaterThanOrEqual(2);
    const copies = (await readAll(run, 'approval.resolved')).filter((m) => json(m).subject === auto.subject);
    expect(copies.map((m) => m.value!.toString())).toEqual(Array<string>(deliveries).fill(copies[0].value!.toString()));
    expect(resolvedBy(auto.subject)[0]).toMatchObject({
      type: 'hitl.approval.resolved.v1',
      source: 'hitl/router',
      workspaceid: 'acme-support',
      data: { status: 'approved', approval_id: null, resolved_by: { kind: 'policy' }, edited: false, action: 'process_refund' },
    });
    // (the refunds manifest may also sample it for review after the fact: a post_review request)
    expect(resolvedBy(auto.subject)[0].data.reasons.map((r: { rule: string }) => r.rule)).toContain('amount_below_auto_approve');
    expect(requestedBy(auto.subject).every((e) => e.data.route === 'post_review')).toBe(true);
    expect(resolvedBy(auto.subject)[0].data.payload_hash).toMatch(/^sha256:[0-9a-f]{64}$/);

    // human review: one approval.requested at the first tier; nothing resolved yet.
    expect(requestedBy(human.subject)).toHaveLength(1);
    expect(requestedBy(human.subject)[0].data).toMatchObject({
      route: 'human_review',
      reviewer_role: 'support_agent',
      on_timeout: 'deny',
      required_approvals: 1,
    });
    expect(requestedBy(human.subject)[0].data.decision.parameters.amount_usd).toBe(120); // the first copy, not the conflicting one
    expect(resolvedBy(human.subject)).toHaveLength(0);

    // escalate: second tier, urgency raised.
    expect(requestedBy(escalate.subject)).toHaveLength(1);
    expect(requestedBy(escalate.subject)[0].data).toMatchObject({ route: 'escalate', reviewer_role: 'finance_lead', escalation_path: ['finance_lead'] });
    expect(requestedBy(escalate.subject)[0].data.reasons.at(-1).detail).toContain('parameters.customer_tier is "enterprise"');

    // block: unknown action.
    expect(resolvedBy(block.subject).map((e) => e.data.status)).toEqual(['blocked']);
    expect(resolvedBy(block.subject)[0].data.reasons.at(-1).rule).toBe('unknown_action');

    // review_after: approved now, reviewed after with the rollback window.
    expect(resolvedBy(onTheLoop.subject).map((e) => e.data.status)).toEqual(['approved']);
    expect(requestedBy(onTheLoop.subject).map((e) => e.data)).toEqual([
      expect.objectContaining({ route: 'post_review', rollback_window_seconds: 3600, expires_at: null }),
    ]);

    // malformed but readable: the DLQ has it and its agent is told.
    expect(resolvedBy(malformed.subject)).toHaveLength(1);
    expect(resolvedBy(malformed.subject)[0]).toMatchObject({ workspaceid: 'acme-support', data: { status: 'blocked', action: 'process_refund' } });
    expect(resolvedBy(malformed.subject)[0].data.reasons[0].detail).toContain('data.confidence');

    // The DLQ: the conflicting copy, the malformed proposal and the garbage, each with its reason.
    const codes = letters.map((m) => m.headers!['hitl-dlq-error-code']!.toString()).sort();
    expect(codes).toEqual(['decision_conflict', 'invalid_data', 'invalid_json']);
    expect(letters.find((m) => m.headers!['hitl-dlq-error-code']!.toString() === 'decision_conflict')!.headers!['hitl-dlq-error']!.toString()).toContain(
      'the first outcome (human_review) stands',
    );

    // Exactly one outcome per decision, ever.
    const outcomesPer = new Map<string, number>();
    for (const e of resolved) outcomesPer.set(e.subject, (outcomesPer.get(e.subject) ?? 0) + 1);
    expect([...outcomesPer.values()].every((n) => n === 1)).toBe(true);
    const rows = await query<{ decision_id: string; verdict: string }>(`SELECT decision_id, verdict FROM "${run.schema}".decisions`);
    expect(rows).toHaveLength(6);
  });

  it('keeps arrival order between a proposal and a malformed copy of it in one chunk', async () => {
    // A valid proposal, then a malformed copy of the same decision: the first is routed.
    const routedFirst = proposal({ parameters: { order_id: 'ORD-7', amount_usd: 20 }, confidence: 0.7 });
    const brokenLater = proposal({ decisionId: routedFirst.subject });
    (brokenLater.data as { confidence: unknown }).confidence = 7;
    // A malformed proposal, then a valid copy: the decision is blocked, the copy refused.
    const brokenFirst = proposal({ parameters: { order_id: 'ORD-8', amount_usd: 20 } });
    (brokenFirst.data as { confidence: unknown }).confidence = 7;
    const validLater = proposal({ decisionId: brokenFirst.subject, parameters: { order_id: 'ORD-8', amount_usd: 20 }, confidence: 0.7 });
    // One send, one key: one partition, in this order (and one chunk when they arrive together).
    await send(
      run,
      [routedFirst, brokenLater, brokenFirst, validLater].map((e) => ({ key: 'same-agent', value: wire(e) })),
    );
    await settled(run);

    const resolved = (await readAll(run, 'approval.resolved')).map(json);
    expect(resolved.filter((e) => e.subject === routedFirst.subject).map((e) => e.data.status)).toEqual(['approved']);
    expect(resolved.filter((e) => e.subject === brokenFirst.subject).map((e) => e.data.status)).toEqual(['blocked']);
    // (the DLQ also holds the garbage of the test before: not JSON, no id)
    const idOf = (m: KafkaMessage): string | null => {
      try {
        return json(m).id;
      } catch {
        return null;
      }
    };
    const letters = (await readAll(run, 'decision.proposed.dlq')).map((m) => ({ id: idOf(m), code: m.headers!['hitl-dlq-error-code']!.toString() }));
    expect(letters.filter((l) => l.id === brokenLater.id || l.id === validLater.id)).toEqual([
      { id: brokenLater.id, code: 'invalid_data' },
      { id: validLater.id, code: 'decision_conflict' },
    ]);
  });
});

describe('a router restarted in the middle of a stream', () => {
  const run = newRun();

  afterAll(() => cleanup(run));

  it('loses and duplicates nothing', async () => {
    // Enough that a router routing whole chunks at a time is stopped part-way.
    const stream = Array.from({ length: 4800 }, (_, i) =>
      proposal({ parameters: { order_id: `ORD-${i}`, amount_usd: 10 + (i % 200) }, confidence: 0.5 + (i % 50) / 100 }),
    );
    run.app = await startRouter(run);
    const routed = async () => (await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${run.schema}".decisions`))[0].n;
    await send(run, stream.slice(0, 4000).map(asMessage));
    // Stop it as soon as it has started on the stream; start a new one.
    await eventually('the router to start on the stream', async () => (await routed()) > 0, { timeoutMs: 120_000, everyMs: 5 });
    await run.app.close();
    expect(await routed()).toBeLessThan(4000);
    run.app = await startRouter(run);
    await send(run, stream.slice(4000).map(asMessage));
    await settled(run);

    // One outcome per decision: resolved by policy, or a request for a person to decide first.
    // A sampled auto-approval also gets one post_review request.
    const requested = distinctEvents((await readAll(run, 'approval.requested')).map(json));
    const outcomes = [...distinctEvents((await readAll(run, 'approval.resolved')).map(json)), ...requested.filter((e) => e.data.route !== 'post_review')];
    const count = (events: { subject: string }[]) => {
      const per = new Map<string, number>();
      for (const e of events) per.set(e.subject, (per.get(e.subject) ?? 0) + 1);
      return per;
    };
    const perDecision = count(outcomes);
    expect(perDecision.size).toBe(stream.length);
    expect([...perDecision.values()].filter((n) => n !== 1)).toEqual([]);
    expect([...count(requested.filter((e) => e.data.route === 'post_review')).values()].filter((n) => n !== 1)).toEqual([]);
    const [{ n }] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${run.schema}".decisions`);
    expect(n).toBe(stream.length);
  });
});

describe('a pause kept by another replica', () => {
  const run = newRun();

  beforeAll(async () => {
    run.app = await startRouter(run);
  });

  afterAll(() => cleanup(run));

  it('routes under the pauses in force when it records, though it read them chunks before: a pause kept meanwhile by another replica holds', async () => {
    // Routed once, so the router holds this workspace's controls (no pause) from then on.
    const before = proposal({ parameters: { order_id: 'ORD-P1', amount_usd: 20 }, confidence: 0.99 });
    await send(run, [asMessage(before)]);
    await settled(run);
    // Kept straight in the database, as a replica that read the pause would: this router reads no event of it.
    const pauseId = randomUUID();
    await keepPause(
      run.app!.get(DataSource).manager,
      'acme-support',
      { pause_id: pauseId, agent_id: 'refund-bot', action: null, effect: 'review', reason: 'incident 7', paused_by: 'admin-1' },
      new Date(),
    );
    const after = proposal({ parameters: { order_id: 'ORD-P2', amount_usd: 20 }, confidence: 0.99 });
    await send(run, [asMessage(after)]);
    await settled(run);

    const resolved = distinctEvents((await readAll(run, 'approval.resolved')).map(json));
    const requested = distinctEvents((await readAll(run, 'approval.requested')).map(json));
    expect(resolved.find((e) => e.subject === before.subject)?.data.status).toBe('approved');
    expect(resolved.some((e) => e.subject === after.subject)).toBe(false);
    const asked = requested.filter((e) => e.subject === after.subject && e.data.route !== 'post_review');
    expect(asked).toHaveLength(1);
    const [{ verdict, reasons }] = await query<{ verdict: string; reasons: { rule: string }[] }>(
      `SELECT verdict, reasons FROM "${run.schema}".decisions WHERE decision_id = $1`,
      [after.subject],
    );
    expect(verdict).not.toBe('auto_approve');
    expect(reasons.map((r) => r.rule)).toContain('paused');
  });
});

describe('signed authority: the router acts only on proposals their agent signed', () => {
  const run = newRun();

  beforeAll(async () => {
    run.app = await startRouter(run);
  });

  afterAll(() => cleanup(run));

  it('blocks a proposal whose signature is refused, asks nobody to review it, and gives an unsigned sandbox proposal no autonomy', async () => {
    const trust = testTrust();
    // Each would be auto-approved if its signature were good: $20, confidence 0.9.
    const refund = (order: string, fields: Parameters<typeof proposal>[0] = {}) =>
      proposal({ parameters: { order_id: order, amount_usd: 20 }, confidence: 0.9, ...fields });
    const impersonated = refund('ORD-S1'); // names refund-bot, signed by other-bot
    const unknownKey = refund('ORD-S2'); // signed by a key in no registry
    const otherWorkspace = refund('ORD-S3', { agentId: 'acme-only-bot', workspaceid: 'globex' }); // acme-only-bot, in globex
    const unsignedAcme = refund('ORD-S4'); // unsigned, in a workspace that wants signatures
    const unsignedSandbox = refund('ORD-S5', { workspaceid: 'sandbox' }); // unsigned, admitted by the sandbox
    const signedSandbox = refund('ORD-S6', { workspaceid: 'sandbox' }); // signed, in the sandbox: routed as usual
    const routedFirst = refund('ORD-S7');
    const forgedLater = refund('ORD-S7', { decisionId: routedFirst.subject }); // a forged copy of a decision that has an outcome

    await send(run, [
      { key: impersonated.subject, value: wire(impersonated, trust.key('other-bot')) },
      { key: unknownKey.subject, value: wire(unknownKey, generateSigningKey().key) },
      { key: otherWorkspace.subject, value: wire(otherWorkspace) },
      { key: unsignedAcme.subject, value: wire(unsignedAcme, null) },
      { key: unsignedSandbox.subject, value: wire(unsignedSandbox, null) },
      { key: signedSandbox.subject, value: wire(signedSandbox) },
      { key: routedFirst.subject, value: wire(routedFirst) },
    ]);
    await settled(run);
    await send(run, [{ key: forgedLater.subject, value: wire(forgedLater, trust.key('other-bot')) }]);
    await settled(run);

    const resolved = distinctEvents((await readAll(run, 'approval.resolved')).map(json));
    const requested = distinctEvents((await readAll(run, 'approval.requested')).map(json));
    const resolvedBy = (id: string) => resolved.filter((e) => e.subject === id);
    const requestedBy = (id: string) => requested.filter((e) => e.subject === id);
    const letters = (await readAll(run, 'decision.proposed.dlq')).map((m) => ({
      id: json(m).id as string,
      code: m.headers!['hitl-dlq-error-code']!.toString(),
    }));

    // Refused: blocked by the router (signed by it), the reason names the signature; nobody is asked; the DLQ has it.
    const refused: [ReturnType<typeof proposal>, string, string][] = [
      [impersonated, 'signature_invalid', 'the proposal names agent "refund-bot" but is signed by agent "other-bot"'],
      [unknownKey, 'signature_invalid', 'is not trusted'],
      [otherWorkspace, 'signature_invalid', 'agent "acme-only-bot" may not act in workspace "globex"'],
      [unsignedAcme, 'unsigned', 'must be signed'],
    ];
    for (const [event, code, why] of refused) {
      expect(resolvedBy(event.subject)).toHaveLength(1);
      const [blocked] = resolvedBy(event.subject);
      expect(blocked).toMatchObject({
        source: 'hitl/router',
        workspaceid: event.workspaceid,
        data: { status: 'blocked', approval_id: null, resolved_by: { kind: 'policy' }, action: 'process_refund' },
      });
      expect(blocked.data.reasons).toEqual([{ rule: 'signature', detail: expect.stringContaining(`the proposal's signature was refused (${code}): `) }]);
      expect(blocked.data.reasons[0].detail).toContain(why);
      expect(trust.keyring.verify(blocked, blocked)).toMatchObject({ ok: true, signer: { kind: 'service', service: 'router' } });
      expect(requestedBy(event.subject)).toEqual([]);
      expect(letters.filter((l) => l.id === event.id)).toEqual([{ id: event.id, code }]);
    }
    const rows = await query<{ decision_id: string; verdict: string; agent_id: string | null; reasons: { rule: string }[] }>(
      `SELECT decision_id, verdict, agent_id, reasons FROM "${run.schema}".decisions WHERE decision_id = ANY($1::uuid[])`,
      [refused.map(([e]) => e.subject)],
    );
    expect(rows).toHaveLength(refused.length);
    for (const row of rows) expect(row).toMatchObject({ verdict: 'block', agent_id: null, reasons: [{ rule: 'signature' }] });

    // Unsigned in the sandbox: not auto-approved; a person at the first tier decides, and the trace says why.
    expect(resolvedBy(unsignedSandbox.subject)).toEqual([]);
    expect(requestedBy(unsignedSandbox.subject)).toHaveLength(1);
    const [review] = requestedBy(unsignedSandbox.subject);
    expect(review).toMatchObject({
      source: 'hitl/router',
      workspaceid: 'sandbox',
      data: { route: 'human_review', reviewer_role: 'support_agent', escalation_path: ['support_agent', 'finance_lead'], on_timeout: 'deny' },
    });
    expect(review.data.reasons.at(-1)).toEqual({
      rule: 'unsigned_agent',
      detail: 'unsigned proposal: a workspace that admits unsigned agents gets no autonomy',
    });
    expect(trust.keyring.verify(review, review)).toMatchObject({ ok: true, signer: { kind: 'service', service: 'router' } });
    expect(letters.filter((l) => l.id === unsignedSandbox.id)).toEqual([]);

    // Signed in the sandbox: routed as anywhere else.
    expect(resolvedBy(signedSandbox.subject).map((e) => e.data.status)).toEqual(['approved']);

    // A forged copy of a decision that has its outcome: refused, and no second outcome.
    expect(resolvedBy(routedFirst.subject).map((e) => e.data.status)).toEqual(['approved']);
    expect(letters.filter((l) => l.id === forgedLater.id)).toEqual([{ id: forgedLater.id, code: 'signature_invalid' }]);
    const [first] = await query<{ verdict: string; reasons: { rule: string }[] }>(
      `SELECT verdict, reasons FROM "${run.schema}".decisions WHERE decision_id = $1`,
      [routedFirst.subject],
    );
    expect(first.verdict).toBe('auto_approve');
  });
});

describe('a forged copy right behind the real proposal, in the same chunk', () => {
  const run = newRun();

  beforeAll(async () => {
    run.app = await startRouter(run);
  });

  afterAll(() => cleanup(run));

  it('does not make the real, signed proposal look unsigned: it is routed as signed', async () => {
    const real = proposal({ parameters: { order_id: 'ORD-F1', amount_usd: 20 }, confidence: 0.9 });
    // The same id and decision, other content, unsigned: dead-lettered; the real one routed by policy, alone.
    const forged = { ...real, data: { ...real.data, parameters: { order_id: 'ORD-F1', amount_usd: 20_000 } } };
    await send(run, [
      { key: real.subject, value: wire(real) },
      { key: real.subject, value: wire(forged as typeof real, null) },
    ]);
    await settled(run);
    const resolved = distinctEvents((await readAll(run, 'approval.resolved')).map(json)).filter((e) => e.subject === real.subject);
    expect(resolved.map((e) => [e.data.status, e.data.resolved_by.kind])).toEqual([['approved', 'policy']]);
    expect((await readAll(run, 'approval.requested')).map(json).filter((e) => e.subject === real.subject && e.data.route !== 'post_review')).toEqual([]);
    const letters = (await readAll(run, 'decision.proposed.dlq')).map((m) => m.headers!['hitl-dlq-error-code']!.toString());
    expect(letters).toEqual(['unsigned']);
  });
});

describe('the CloudEvents Kafka binding (structured mode), with the cloudevents SDK on the other end', () => {
  const run = newRun();

  beforeAll(async () => {
    run.app = await startRouter(run);
  });

  afterAll(() => cleanup(run));

  it("the router takes a proposal the SDK's binding wrote, and the SDK reads the router's answer as a valid CloudEvent", async () => {
    const event = proposal({ parameters: { order_id: 'ORD-CE', amount_usd: 20 }, confidence: 0.9 });
    // The agent's signed event, as the SDK builds it and writes it (its key order, its headers).
    const written = CloudEventsKafka.structured(new CloudEvent(JSON.parse(wire(event)), false));
    expect(written.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    await send(run, [{ key: event.subject, value: String(written.value), headers: { 'content-type': String(written.headers['content-type']) } }]);
    await settled(run);

    const [answer] = (await readAll(run, 'approval.resolved')).filter((m) => json(m).subject === event.subject);
    expect(answer).toBeDefined();
    // What every event message carries: the binding's content type, and no binary-mode ce_ headers.
    expect(Object.keys(answer.headers ?? {})).toEqual(['content-type']);
    expect(answer.headers!['content-type']!.toString()).toBe(CLOUDEVENTS_CONTENT_TYPE);
    const read = CloudEventsKafka.toEvent(<CloudEventsKafkaMessage>{
      key: answer.key!.toString(),
      value: answer.value!,
      timestamp: answer.timestamp,
      headers: Object.fromEntries(Object.entries(answer.headers!).map(([k, v]) => [k, String(v)])),
    }) as CloudEvent<{ status: string; decision_id: string }>;
    expect(read.validate()).toBe(true);
    expect(read).toMatchObject({ type: 'hitl.approval.resolved.v1', source: 'hitl/router', subject: event.subject, workspaceid: event.workspaceid });
    expect(read.data).toMatchObject({ status: 'approved', decision_id: event.subject });
  });
});

describe('a proposal at the broker’s size limit', () => {
  const run = newRun();

  beforeAll(async () => {
    run.app = await startRouter(run);
  });

  afterAll(() => cleanup(run));

  it('is asked about: its request for review, larger than the proposal, fits the approval topics (4 MiB), and the next proposal is routed', async () => {
    // 1 048 250 bytes signed: decision.proposed takes it at the broker's default (1 048 588 a batch).
    const base = wire(proposal({ confidence: 0.5, context: { ticket: '' } })).length;
    const big = proposal({ confidence: 0.5, context: { ticket: 'x'.repeat(1_048_250 - base) } });
    const next = proposal({ confidence: 0.5 });
    expect(wire(big).length).toBe(1_048_250);
    await send(run, [asMessage(big)]);
    await send(run, [asMessage(next)]);
    await settled(run);

    const requests = (await readAll(run, 'approval.requested')).filter((m) => [big.subject, next.subject].includes(json(m).subject));
    expect(requests.map((m) => json(m).subject).sort()).toEqual([big.subject, next.subject].sort());
    const request = requests.find((m) => json(m).subject === big.subject)!;
    // Over the broker's default limit (1 MiB), which the topic used to keep.
    expect(request.value!.length).toBeGreaterThan(1_048_576);
    expect(json(request).data.decision.context.ticket).toHaveLength(1_048_250 - base);
    expect(await readAll(run, 'approval.requested.dlq')).toEqual([]);
  });
});
