// The repair loop on the real broker and database, with agents' messages written by hand
// as any language would: parameters that fail the schema go back to an agent that can repair
// them, a repair names the attempt it corrects, and after repair.max_attempts (2 in the
// refunds manifest) a person gets every attempt side by side. Counts are the router's own.
import { randomBytes } from 'node:crypto';
import { createServiceApp, loadConfig, startServiceApp } from '@hitl/service-kit';
import { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { routerService } from '../src/service';
import { proposal, wire } from './support/raw-proposal';
import { distinctEvents } from './support/distinct-events';
import { consumersCaughtUp, deleteTopicsStartingWith, eventually, idempotentProducer, inProcessEnv, query, readWholeTopic, testTrust } from '@hitl/testing';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'router-repair-test', brokers, logLevel: logLevel.NOTHING });
const id = randomBytes(4).toString('hex');
const schema = `t_router_repair_${id}`;
const prefix = `t-router-repair-${id}.`;
let app: INestApplication;

type Proposal = ReturnType<typeof proposal>;

async function send(...messages: { key: string; value: string }[]): Promise<void> {
  const producer = idempotentProducer(kafka);
  await producer.connect();
  await producer.send({ topic: `${prefix}decision.proposed`, acks: -1, messages });
  await producer.disconnect();
}
const signedBy = (event: Proposal) => ({ key: event.subject, value: wire(event) });

/** The router's group has committed to the end of decision.proposed and its outbox is empty. */
async function settled(): Promise<void> {
  let seen = '';
  await eventually(
    'the router to settle',
    async () => {
      const caughtUp = await consumersCaughtUp(kafka, [[`${prefix}hitl-router`, [`${prefix}decision.proposed`]]]);
      const [{ n }] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".outbox`);
      seen = `caught up ${caughtUp}, outbox ${n}`;
      return caughtUp && n === 0;
    },
    { timeoutMs: 60_000, everyMs: 200, detail: () => seen },
  );
}

/** Sends, waits for the router, and answers each proposal's outcomes. */
async function routed(...messages: { key: string; value: string }[]) {
  await send(...messages);
  await settled();
  const events = distinctEvents(
    [...(await readWholeTopic(kafka, `${prefix}approval.resolved`)), ...(await readWholeTopic(kafka, `${prefix}approval.requested`))].map((m) =>
      JSON.parse(m.value!.toString()),
    ),
  );
  // (the refunds manifest samples 5% of auto-approvals for a post_review request: not an outcome)
  return (p: Proposal) => events.filter((e) => e.subject === p.subject && e.data.route !== 'post_review');
}

const refund = (fields: Parameters<typeof proposal>[0]) => proposal({ confidence: 0.9, repairable: true, ...fields });
const typeError = { field: 'parameters.amount_usd', rule: 'type', message: 'must be number' };

beforeAll(async () => {
  const config = loadConfig(routerService.config, { ...inProcessEnv(prefix), ...testTrust().env('router') });
  app = await createServiceApp({ ...routerService, schema }, config);
  await startServiceApp(app, config);
});

afterAll(async () => {
  await app?.close();
  await query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await deleteTopicsStartingWith(kafka, prefix);
});

describe('the repair loop in the router', () => {
  it('sends invalid parameters back twice, then asks a person with the three attempts; a repair that fixes them is routed as any proposal', async () => {
    const first = refund({ parameters: { order_id: 'ORD-R1', amount_usd: '20' } });
    let outcomes = await routed(signedBy(first));
    expect(outcomes(first)).toEqual([
      expect.objectContaining({
        type: 'hitl.approval.resolved.v1',
        data: expect.objectContaining({ status: 'blocked', resolved_by: expect.objectContaining({ kind: 'policy' }), parameter_errors: [typeError] }),
      }),
    ]);
    expect(outcomes(first)[0].data.reasons.at(-1)).toEqual({
      rule: 'parameters_invalid',
      detail: "parameters do not match the action's schema: parameters.amount_usd must be number (type); sent back to the agent to repair (repair 1 of 2)",
    });

    const second = refund({ parameters: { order_id: 'ORD-R1', amount_usd: 'twenty' }, repairOf: first.subject });
    outcomes = await routed(signedBy(second));
    expect(outcomes(second).map((e) => [e.data.status, e.data.parameter_errors])).toEqual([['blocked', [typeError]]]);
    expect(outcomes(second)[0].data.reasons.at(-1).detail).toContain('(repair 2 of 2)');

    const third = refund({ parameters: { order_id: 'ORD-R1', amount_usd: '20.00' }, repairOf: second.subject });
    outcomes = await routed(signedBy(third));
    expect(outcomes(third).map((e) => e.type)).toEqual(['hitl.approval.requested.v1']);
    const [request] = outcomes(third);
    expect(request.data).toMatchObject({ route: 'human_review', reviewer_role: 'support_agent', on_timeout: 'deny', decision: { decision_id: third.subject } });
    expect(request.data.repair_attempts).toEqual([
      { decision_id: first.subject, attempt: 1, parameters: { order_id: 'ORD-R1', amount_usd: '20' }, errors: [typeError] },
      { decision_id: second.subject, attempt: 2, parameters: { order_id: 'ORD-R1', amount_usd: 'twenty' }, errors: [typeError] },
      { decision_id: third.subject, attempt: 3, parameters: { order_id: 'ORD-R1', amount_usd: '20.00' }, errors: [typeError] },
    ]);
    expect(request.data.reasons.map((r: { rule: string }) => r.rule)).toEqual([
      'action',
      'repair_of',
      'parameters_invalid',
      'repair_attempt',
      'repair_attempt',
      'repair_exhausted',
    ]);

    // The router's own record of the chain.
    const rows = await query<{ decision_id: string; repair_of: string | null; repair_chain: string; attempt: number; verdict: string }>(
      `SELECT decision_id, repair_of, repair_chain, attempt, verdict FROM "${schema}".decisions WHERE repair_chain = $1 ORDER BY attempt`,
      [first.subject],
    );
    expect(rows).toEqual([
      { decision_id: first.subject, repair_of: null, repair_chain: first.subject, attempt: 1, verdict: 'block' },
      { decision_id: second.subject, repair_of: first.subject, repair_chain: first.subject, attempt: 2, verdict: 'block' },
      { decision_id: third.subject, repair_of: second.subject, repair_chain: first.subject, attempt: 3, verdict: 'human_review' },
    ]);

    // A repair that fixes the parameters: $20 at 0.9 is approved by policy.
    const broken = refund({ parameters: { order_id: 'ORD-R2', amount_usd: '20' } });
    await routed(signedBy(broken));
    const fixed = refund({ parameters: { order_id: 'ORD-R2', amount_usd: 20 }, repairOf: broken.subject });
    outcomes = await routed(signedBy(fixed));
    expect(outcomes(fixed).map((e) => e.data.status)).toEqual(['approved']);
    expect(outcomes(fixed)[0].data.parameter_errors).toBeUndefined();
    expect(outcomes(fixed)[0].data.reasons.map((r: { rule: string }) => r.rule)).toContain('repair_of');
  });

  it('an agent that cannot repair: a person reviews the parameters with their errors at once', async () => {
    const plain = proposal({ parameters: { order_id: 'ORD-R3' } });
    const outcomes = await routed(signedBy(plain));
    expect(outcomes(plain).map((e) => e.type)).toEqual(['hitl.approval.requested.v1']);
    expect(outcomes(plain)[0].data.reasons.at(-1).rule).toBe('repair_unavailable');
    expect(outcomes(plain)[0].data.repair_attempts).toEqual([
      {
        decision_id: plain.subject,
        attempt: 1,
        parameters: { order_id: 'ORD-R3' },
        errors: [{ field: 'parameters.amount_usd', rule: 'required', message: "must have required property 'amount_usd'" }],
      },
    ]);
  });

  it("refuses a repair_of that is not the agent's own attempt sent back, and keeps one repair per attempt, even when two race on two partitions", async () => {
    const first = refund({ parameters: { order_id: 'ORD-R4', amount_usd: '5' } });
    const approved = refund({ parameters: { order_id: 'ORD-R5', amount_usd: 5 } });
    await routed(signedBy(first), signedBy(approved));

    // Another agent borrowing refund-bot's chain (signed with its own key), one naming nothing
    // the router knows, one continuing a decision that was never sent back, another action.
    const borrowed = refund({ agentId: 'other-bot', parameters: { order_id: 'ORD-R4', amount_usd: 5 }, repairOf: first.subject });
    const unknown = refund({ parameters: { order_id: 'ORD-R4', amount_usd: 5 }, repairOf: '00000000-0000-4000-8000-000000000000' });
    const notSentBack = refund({ parameters: { order_id: 'ORD-R5', amount_usd: 5 }, repairOf: approved.subject });
    const otherAction = refund({ action: 'issue_goodwill_credit', parameters: { customer_id: 'c', amount_usd: 5 }, repairOf: first.subject });
    let outcomes = await routed(signedBy(borrowed), signedBy(unknown), signedBy(notSentBack), signedBy(otherAction));
    for (const [event, why] of [
      [borrowed, `repair_of ${first.subject} is not a decision of agent "other-bot"`],
      [unknown, 'repair_of 00000000-0000-4000-8000-000000000000 is not a decision of agent "refund-bot"'],
      [notSentBack, `decision ${approved.subject} was not sent back for a repair`],
      [otherAction, `repair_of ${first.subject} proposed "process_refund", not "issue_goodwill_credit"`],
    ] as const) {
      expect(outcomes(event).map((e) => [e.data.status, e.data.parameter_errors])).toEqual([['blocked', undefined]]);
      expect(outcomes(event)[0].data.reasons.at(-1)).toEqual({ rule: 'repair_refused', detail: expect.stringContaining(why) });
    }

    // Two repairs of the one attempt, each keyed by its own decision (two partitions routed side by side, or one
    // chunk when they hash alike): one repairs it, the other is refused.
    const forkA = refund({ parameters: { order_id: 'ORD-R4', amount_usd: 5 }, repairOf: first.subject });
    const forkB = refund({ parameters: { order_id: 'ORD-R4', amount_usd: 6 }, repairOf: first.subject });
    outcomes = await routed(signedBy(forkA), signedBy(forkB));
    const statuses = [forkA, forkB].map((f) => outcomes(f).map((e) => e.data.status));
    expect(statuses.flat().sort()).toEqual(['approved', 'blocked']);
    const loser = statuses[0][0] === 'blocked' ? forkA : forkB;
    expect(outcomes(loser)[0].data.reasons.at(-1).detail).toContain(`decision ${first.subject} is already repaired by decision`);
    const [{ n }] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".decisions WHERE repair_of = $1`, [first.subject]);
    expect(n).toBe(1);

    // The accepted repair delivered again: no second outcome.
    const winner = loser === forkA ? forkB : forkA;
    outcomes = await routed(signedBy(winner));
    expect(outcomes(winner)).toHaveLength(1);
  });
});
