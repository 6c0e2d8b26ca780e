// Hostile messages on every topic of the wire contract, against the four services running
// as real processes: malformed JSON, wrongly typed fields, events on the wrong topic, empty
// and oversized values, duplicates, and valid events unsigned or signed by the wrong
// principal. Each bad message ends in the topic's DLQ once per consumer group reading the
// topic (a refused signature: per group that enforces signatures), with the reason in its
// headers; each duplicate has one effect; and no consumer stops: a valid (signed) canary
// afterwards takes effect, and every group's committed offsets reach the end of its topics.
import { randomUUID } from 'node:crypto';
import {
  ALL_TOPICS,
  AUDITED_TOPICS,
  AnyEvent,
  CloudEvent,
  DECISION_PROPOSED,
  EVENT_TYPES,
  EventType,
  Topic,
  Topics,
  decodeEvent,
  dlqTopic,
  exampleEvent,
  topicOf,
} from '@hitl/contracts';
import { consumersCaughtUp, query, readWholeTopic, signed } from '@hitl/testing';
import fc from 'fast-check';
import { AssignerProtocol, Producer } from 'kafkajs';
import { SERVICES, Stack } from '../support/stack';
import { NO_DRIFT_CHECKS, databaseDigest, settled } from './system';

/** Fixed, so a failure reproduces; printed below. */
const SEED = 20261122;
/** Bad messages generated per topic (besides one empty and one oversized message each). */
const PER_TOPIC = 25;

const stack = new Stack(undefined, { env: NO_DRIFT_CHECKS });
let producer: Producer;
/**
 * Consumer group → the topics it reads (of the contract, and DLQs), as the broker's
 * assignments say, so a new @EventPattern is covered.
 */
let readers: Map<string, string[]>;

/**
 * A valid event of `topic`, about a decision (and approval) of its own; unsigned, as an
 * attacker could write it (`signed()` makes it what its rightful producer would send).
 */
function freshEvent(topic: Topic, type: EventType = EVENT_TYPES.find((t) => topicOf(t) === topic)!): AnyEvent {
  const example = exampleEvent(type);
  const data = example.data as { decision_id: string; approval_id?: string };
  let text = JSON.stringify(example).split(data.decision_id).join(randomUUID());
  if (data.approval_id) text = text.split(data.approval_id).join(randomUUID());
  return { ...(JSON.parse(text) as AnyEvent), id: randomUUID() };
}

/** A value of another JSON type than `value`'s, so a schema expecting the original refuses it. */
const wrongType = (value: unknown): fc.Arbitrary<unknown> => {
  const choices: fc.Arbitrary<unknown>[] = [];
  if (typeof value !== 'string') choices.push(fc.string({ maxLength: 20 }));
  if (typeof value !== 'number') choices.push(fc.oneof(fc.integer(), fc.double({ noNaN: true })));
  if (typeof value !== 'boolean') choices.push(fc.boolean());
  if (!Array.isArray(value)) choices.push(fc.array(fc.integer(), { maxLength: 3 }));
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    choices.push(fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }));
  return fc.oneof(...choices);
};

interface Hostile {
  kind: string;
  value: Buffer | null;
}

/** Bad messages for `topic`: each is refused by the contract (checked here with the services' own decoder). */
function hostile(topic: Topic): fc.Arbitrary<Hostile> {
  const event = fc.constant(null).map(() => freshEvent(topic));
  const malformed = fc
    .oneof(
      fc.string({ minLength: 1, maxLength: 80 }),
      event.chain((e) => fc.integer({ min: 1, max: JSON.stringify(e).length - 1 }).map((cut) => JSON.stringify(e).slice(0, cut))),
    )
    .map((text) => ({ kind: 'malformed JSON', value: Buffer.from(text) }));
  const envelopeField = event.chain((e) =>
    fc
      .constantFrom(...(Object.keys(e) as (keyof AnyEvent)[]))
      .chain((field) =>
        wrongType(e[field]).map((wrong) => ({ kind: `envelope ${field} of a wrong type`, value: Buffer.from(JSON.stringify({ ...e, [field]: wrong })) })),
      ),
  );
  const dataField = event.chain((e) => {
    const data = e.data as Record<string, unknown>;
    return fc.constantFrom(...Object.keys(data)).chain((field) =>
      wrongType(data[field]).map((wrong) => ({
        kind: `data.${field} of a wrong type`,
        value: Buffer.from(JSON.stringify({ ...e, data: { ...data, [field]: wrong } })),
      })),
    );
  });
  const missing = event.chain((e) => {
    const data = e.data as Record<string, unknown>;
    return fc.constantFrom(...Object.keys(data)).map((field) => {
      const { [field]: _gone, ...rest } = data;
      return { kind: `data.${field} missing`, value: Buffer.from(JSON.stringify({ ...e, data: rest })) };
    });
  });
  const elsewhere = fc.constantFrom(...EVENT_TYPES.filter((t) => topicOf(t) !== topic)).map((name) => {
    const type = name as EventType;
    return { kind: `a ${type} on the wrong topic`, value: Buffer.from(JSON.stringify(freshEvent(topicOf(type), type))) };
  });
  return fc.oneof(malformed, envelopeField, dataField, missing, elsewhere).filter((m) => !decodeEvent(topic, m.value).ok);
}

/** What kind of bad message, without its particulars (which field, which type). */
function familyOf(kind: string): string {
  if (kind.startsWith('data.')) return kind.endsWith(' missing') ? 'data field missing' : 'data field of a wrong type';
  if (kind.startsWith('envelope ')) return 'envelope field of a wrong type';
  return kind.endsWith(' on the wrong topic') ? 'event on the wrong topic' : kind;
}

/** Each service's consumer group and what the broker assigned it: the topics it reads. */
async function consumerGroups(): Promise<Map<string, string[]>> {
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    return await stack.eventually('every service in its consumer group', async () => {
      const groupIds = SERVICES.map((s) => `${stack.prefix}hitl-${s}`);
      const { groups } = await admin.describeGroups(groupIds);
      if (!groups.every((g) => g.state === 'Stable')) return undefined;
      const found = new Map<string, string[]>();
      for (const group of groups) {
        const topics = group.members.flatMap((m) => Object.keys(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}));
        const known = [...ALL_TOPICS, ...ALL_TOPICS.map(dlqTopic)];
        found.set(
          group.groupId,
          known.filter((t) => topics.includes(`${stack.prefix}${t}`)),
        );
      }
      return found;
    });
  } finally {
    await admin.disconnect();
  }
}

interface Sent {
  topic: Topic;
  kind: string;
  partition: number;
  offset: string;
}

async function sendOne(topic: Topic, value: Buffer | null, key: string | null = null): Promise<Pick<Sent, 'partition' | 'offset'>> {
  const [meta] = await producer.send({ topic: `${stack.prefix}${topic}`, messages: [{ key, value }] });
  return { partition: meta.partition, offset: meta.baseOffset! };
}

/** Every group's committed offsets equal the end offsets of every topic it reads. */
const caughtUp = () =>
  consumersCaughtUp(
    stack.kafka,
    [...readers].map(([groupId, topics]) => [groupId, topics.map((t) => `${stack.prefix}${t}`)] as const),
  );

/** The router routed the decision and its outcome left the router's outbox: the audit recorded it. */
async function routedOnward(decisionId: string): Promise<void> {
  await stack.eventually(`decision ${decisionId} routed and its outcome published`, async () => {
    const outcomes = await query(
      `SELECT 1 FROM audit.events WHERE decision_id = $1 AND type IN ('hitl.approval.requested.v1', 'hitl.approval.resolved.v1')`,
      [decisionId],
      stack.databaseUrl,
    );
    return outcomes.length > 0;
  });
}

/**
 * Who signs each topic's fresh event wrongly: another agent in the name of the proposing one,
 * a service in the other's place, a labeler for an execution, a service for a label.
 */
const WRONG_SIGNER: Record<Topic, string> = {
  [Topics.DecisionProposed]: 'other-bot',
  [Topics.ApprovalRequested]: 'escalation',
  [Topics.ApprovalUpdated]: 'router',
  [Topics.ApprovalResolved]: 'router',
  [Topics.ActionExecuted]: 'crm-sync',
  [Topics.OutcomeLabeled]: 'router',
  [Topics.DirectoryChanged]: 'router',
  [Topics.ControlChanged]: 'router',
  [Topics.HandoffRequested]: 'other-bot',
  [Topics.HandoffUpdated]: 'router',
  [Topics.AuditRecorded]: 'escalation',
};

/** What the services that act on events keep (not their inbox and outbox, not the audit's record). */
async function effects(exceptDecisions: readonly string[] = []): Promise<Record<string, string>> {
  const digest = await databaseDigest(stack, exceptDecisions);
  return Object.fromEntries(Object.entries(digest).filter(([table]) => !table.startsWith('audit.') && !/\.(inbox|outbox)$/.test(table)));
}

/** How the audit marked each event: `verified`, or `unverified, <refusal code>`. */
async function signatureMarks(eventIds: string[]): Promise<Map<string, string>> {
  const rows = await query<{ event_id: string; verified: boolean | null; refusal: string | null }>(
    'SELECT event_id, verified, refusal FROM audit.events WHERE event_id = ANY($1::text[])',
    [eventIds],
    stack.databaseUrl,
  );
  return new Map(
    rows.map((r) => [
      r.event_id,
      r.verified === true ? 'verified' : `${r.verified === false ? 'unverified' : 'not checked'}, ${r.refusal?.split(':')[0] ?? 'no refusal'}`,
    ]),
  );
}

const auditCount = async (eventId: string) =>
  Number((await query<{ n: string }>('SELECT count(*)::text AS n FROM audit.events WHERE event_id = $1', [eventId], stack.databaseUrl))[0].n);

beforeAll(async () => {
  await stack.start();
  producer = stack.kafka.producer();
  await producer.connect();
  readers = await consumerGroups();
}, 240_000);

afterAll(async () => {
  await producer?.disconnect();
  await stack.stop();
});

describe('hostile messages on every topic', () => {
  const sent: Sent[] = [];
  const duplicates: { topic: Topic; event: AnyEvent }[] = [];

  // audit.recorded is the audit's stream for analysts: no service reads it (the audit would record its own records).
  it('every topic of the contract but the audit’s stream has a reader, and the audit reads them all', () => {
    for (const topic of AUDITED_TOPICS) expect([...readers].filter(([, topics]) => topics.includes(topic)).length).toBeGreaterThan(0);
    expect(readers.get(`${stack.prefix}hitl-audit`)).toEqual([...AUDITED_TOPICS, ...AUDITED_TOPICS.map(dlqTopic)]);
    expect([...readers].filter(([, topics]) => topics.some((t) => t.startsWith(Topics.AuditRecorded)))).toEqual([]);
  });

  it(`dead-letters each bad message once per reading group, with its reason (seed ${SEED})`, async () => {
    console.log(`consumer fuzz: fast-check seed ${SEED}, ${PER_TOPIC} bad messages per topic, groups ${JSON.stringify(Object.fromEntries(readers))}`);
    for (const [i, topic] of AUDITED_TOPICS.entries()) {
      const generated = fc.sample(hostile(topic), { seed: SEED + i, numRuns: PER_TOPIC });
      // An empty value, and one larger than any event (half a megabyte of an unterminated string).
      generated.push({ kind: 'empty value', value: null }, { kind: 'oversized', value: Buffer.from(`{"specversion":"1.0","data":"${'x'.repeat(512 * 1024)}`) });
      for (const message of generated) sent.push({ topic, kind: message.kind, ...(await sendOne(topic, message.value, randomUUID())) });
      // The same valid event twice: one effect.
      const event = signed(freshEvent(topic));
      duplicates.push({ topic, event });
      for (let copy = 0; copy < 2; copy++) await sendOne(topic, Buffer.from(JSON.stringify(event)), event.subject);
    }
    const kinds: Record<string, number> = {};
    for (const { kind } of sent) kinds[familyOf(kind)] = (kinds[familyOf(kind)] ?? 0) + 1;
    console.log(`consumer fuzz: sent ${sent.length} bad messages: ${JSON.stringify(kinds)}`);
    await stack.eventually('every group at the end of its topics', caughtUp, 90_000);

    for (const topic of AUDITED_TOPICS) {
      const groups = [...readers].filter(([, topics]) => topics.includes(topic)).map(([g]) => g);
      const expected = sent.filter((s) => s.topic === topic).flatMap((s) => groups.map((g) => `${g} ${s.partition}/${s.offset}`));
      const letters = await stack.eventually(`the dead letters of ${topic}`, async () => {
        const found = await readWholeTopic(stack.kafka, `${stack.prefix}${dlqTopic(topic)}`);
        return found.length >= expected.length ? found : undefined;
      });
      const headers = letters.map((l) => Object.fromEntries(Object.entries(l.headers ?? {}).map(([k, v]) => [k, String(v)])));
      // Exactly the bad messages, once per group, each with a code and a reason.
      expect(headers.map((h) => `${h['hitl-dlq-consumer']} ${h['hitl-dlq-partition']}/${h['hitl-dlq-offset']}`).sort()).toEqual(expected.sort());
      for (const h of headers) {
        expect(h['hitl-dlq-topic']).toBe(topic);
        expect(h['hitl-dlq-error-code']).toMatch(/^[a-z_]+$/);
        expect(h['hitl-dlq-error'].length).toBeGreaterThan(0);
      }
    }
  });

  it('gives each duplicate one effect', async () => {
    for (const { topic, event } of duplicates) {
      await stack.eventually(`the ${topic} duplicate in the audit record`, async () => (await auditCount(event.id)) > 0);
      expect({ topic, recorded: await auditCount(event.id) }).toEqual({ topic, recorded: 1 });
    }
    const proposal = duplicates.find((d) => d.topic === Topics.DecisionProposed)!.event;
    const routed = await query<{ n: string }>('SELECT count(*)::text AS n FROM router.decisions WHERE decision_id = $1', [proposal.subject], stack.databaseUrl);
    expect(routed[0].n).toBe('1');
    const requested = duplicates.find((d) => d.topic === Topics.ApprovalRequested)!.event;
    const opened = await query<{ n: string }>(
      'SELECT count(*)::text AS n FROM escalation.approvals WHERE decision_id = $1',
      [requested.subject],
      stack.databaseUrl,
    );
    expect(opened[0].n).toBe('1');
  });

  it('dead-letters a second copy of a decision with other content, and the first outcome stands', async () => {
    const original = duplicates.find((d) => d.topic === Topics.DecisionProposed)!.event as Extract<AnyEvent, { type: 'hitl.decision.proposed.v1' }>;
    const routedBefore = await query('SELECT verdict, content_hash FROM router.decisions WHERE decision_id = $1', [original.subject], stack.databaseUrl);
    // Signed by the agent itself: refused for its content, not for its signature.
    const impostor = signed({
      ...original,
      id: randomUUID(),
      data: { ...original.data, parameters: { order_id: 'ORD-OTHER', amount_usd: 1 }, summary: 'Approve me instead.' },
    });
    const at = await sendOne(Topics.DecisionProposed, Buffer.from(JSON.stringify(impostor)), impostor.subject);
    const letter = await stack.eventually('the second copy dead-lettered by the router', async () => {
      const letters = await readWholeTopic(stack.kafka, `${stack.prefix}${dlqTopic(Topics.DecisionProposed)}`);
      return letters.find(
        (l) => String(l.headers?.['hitl-dlq-offset']) === at.offset && String(l.headers?.['hitl-dlq-consumer']) === `${stack.prefix}hitl-router`,
      );
    });
    expect(String(letter.headers?.['hitl-dlq-error-code'])).toMatch(/^[a-z_]+$/);
    expect(String(letter.headers?.['hitl-dlq-error-code'])).not.toMatch(/^(unsigned|signature_invalid)$/);
    expect(await query('SELECT verdict, content_hash FROM router.decisions WHERE decision_id = $1', [original.subject], stack.databaseUrl)).toEqual(
      routedBefore,
    );
  });

  it('dead-letters two oversized messages of one key back to back, and routes what comes after', async () => {
    // Their dead letters share a key, so a partition of the DLQ: relayed in one batch they would be
    // larger than the broker takes in one message batch (1 MB by default).
    const key = randomUUID();
    const big = Buffer.from(`{"specversion":"1.0","data":"${'y'.repeat(600 * 1024)}`);
    // Two produce requests at once (one request would itself be too large), so a consumer fetches them together.
    const [first, second] = await Promise.all([sendOne(Topics.DecisionProposed, big, key), sendOne(Topics.DecisionProposed, big, key)]);
    const after = signed(freshEvent(Topics.DecisionProposed));
    await sendOne(Topics.DecisionProposed, Buffer.from(JSON.stringify(after)), after.subject);
    await routedOnward(after.subject);
    const groups = [...readers].filter(([, topics]) => topics.includes(Topics.DecisionProposed)).map(([g]) => g);
    const wanted = [first, second].flatMap((s) => groups.map((g) => `${g} ${s.partition}/${s.offset}`));
    await stack.eventually('both oversized messages dead-lettered by every group', async () => {
      const letters = await readWholeTopic(stack.kafka, `${stack.prefix}${dlqTopic(Topics.DecisionProposed)}`);
      const found = new Set(
        letters.map(
          (l) => `${String(l.headers?.['hitl-dlq-consumer'])} ${String(l.headers?.['hitl-dlq-partition'])}/${String(l.headers?.['hitl-dlq-offset'])}`,
        ),
      );
      return wanted.every((w) => found.has(w));
    });
  });

  it('refuses, on every topic, a valid event unsigned or signed by the wrong principal: dead-lettered by each group that enforces, with no effect, and the signed event after them is processed', async () => {
    // Each is a copy of the topic's canary under an id of its own (a copy under the same id
    // would be a duplicate), keyed by its decision as the canary is: same partition, read first.
    // A refused proposal is the one refused event with an answer: its agent gets `blocked`
    // (the decision is recorded blocked, nobody reviews it). So its copies name a decision of
    // their own; the canary's decision must still be routed as if nothing had happened.
    const blockedDecision = freshEvent(Topics.DecisionProposed);
    const cases = AUDITED_TOPICS.map((topic) => {
      const event = freshEvent(topic);
      const refusedCopy = topic === Topics.DecisionProposed ? blockedDecision : event;
      return {
        topic,
        unsigned: { ...refusedCopy, id: randomUUID() },
        forged: signed({ ...refusedCopy, id: randomUUID() }, WRONG_SIGNER[topic]),
        canary: signed(event),
      };
    });
    // Refused and keyed by another decision than its own (not as the contract keys messages):
    // no answer at all, so a forger cannot block a decision from another partition.
    const misKeyed = { ...freshEvent(Topics.DecisionProposed), id: randomUUID() };
    // The audit takes action.executed only from the agent that proposed the decision: on the
    // record first, the canary's decision as refund-bot proposed it.
    const executed = cases.find((c) => c.topic === Topics.ActionExecuted)!.canary;
    const executedProposal = freshEvent(Topics.DecisionProposed) as CloudEvent<typeof DECISION_PROPOSED>;
    executedProposal.subject = executedProposal.data.decision_id = executed.subject;
    await sendOne(Topics.DecisionProposed, Buffer.from(JSON.stringify(signed(executedProposal))), executed.subject);
    await stack.eventually('the proposal of the executed canary in the audit record', async () => (await auditCount(executedProposal.id)) === 1);
    await settled(stack);
    const before = await effects([blockedDecision.subject]);
    const refused: (Sent & { id: string; code: string })[] = [];
    for (const { topic, unsigned, forged } of cases) {
      refused.push({
        topic,
        kind: 'unsigned',
        id: unsigned.id,
        code: 'unsigned',
        ...(await sendOne(topic, Buffer.from(JSON.stringify(unsigned)), unsigned.subject)),
      });
      refused.push({
        topic,
        kind: `signed by ${WRONG_SIGNER[topic]}`,
        id: forged.id,
        code: 'signature_invalid',
        ...(await sendOne(topic, Buffer.from(JSON.stringify(forged)), forged.subject)),
      });
    }
    refused.push({
      topic: Topics.DecisionProposed,
      kind: 'unsigned, keyed by another decision',
      id: misKeyed.id,
      code: 'unsigned',
      ...(await sendOne(Topics.DecisionProposed, Buffer.from(JSON.stringify(misKeyed)), randomUUID())),
    });
    const enforcing = (topic: Topic) =>
      [...readers].filter(([group, topics]) => topics.includes(topic) && group !== `${stack.prefix}hitl-audit`).map(([group]) => group);
    const expected = refused.flatMap((r) => enforcing(r.topic).map((group) => `${r.topic} ${group} ${r.partition}/${r.offset} ${r.code}`)).sort();
    const letters = await stack.eventually('every refused event dead-lettered by every group that enforces', async () => {
      const found: string[] = [];
      for (const topic of AUDITED_TOPICS) {
        for (const letter of await readWholeTopic(stack.kafka, `${stack.prefix}${dlqTopic(topic)}`)) {
          const h = Object.fromEntries(Object.entries(letter.headers ?? {}).map(([k, v]) => [k, String(v)]));
          if (refused.some((r) => r.topic === topic && String(r.partition) === h['hitl-dlq-partition'] && r.offset === h['hitl-dlq-offset'])) {
            found.push(`${topic} ${h['hitl-dlq-consumer']} ${h['hitl-dlq-partition']}/${h['hitl-dlq-offset']} ${h['hitl-dlq-error-code']}`);
          }
        }
      }
      return found.length >= expected.length ? found.sort() : undefined;
    });
    // Exactly once per group that enforces, with its code; never by the audit, which records instead.
    expect(letters).toEqual(expected);
    await stack.eventually('every group at the end of its topics', caughtUp, 60_000);
    // The audit records each refused event once (it keeps everything, acts on nothing), marked
    // unverified with the code it was refused for.
    for (const r of refused) await stack.eventually(`the ${r.topic} event ${r.kind} in the audit record`, async () => (await auditCount(r.id)) === 1);
    const marks = await signatureMarks(refused.map((r) => r.id));
    expect(refused.map((r) => `${r.topic}, ${r.kind}: ${marks.get(r.id)}`)).toEqual(refused.map((r) => `${r.topic}, ${r.kind}: unverified, ${r.code}`));
    // No effect: what the router, escalation and calibrator keep is as it was, but for the
    // decision the refused proposals named: blocked once, for its signature, and never requested.
    expect(await effects([blockedDecision.subject])).toEqual(before);
    const blocked = await query<{ verdict: string; rule: string }>(
      "SELECT verdict, reasons->0->>'rule' AS rule FROM router.decisions WHERE decision_id = $1",
      [blockedDecision.subject],
      stack.databaseUrl,
    );
    expect(blocked).toEqual([{ verdict: 'block', rule: 'signature' }]);
    expect(await query('SELECT 1 FROM escalation.approvals WHERE decision_id = $1', [blockedDecision.subject], stack.databaseUrl)).toEqual([]);

    // The genuine events after them are processed: signed, the same decisions take effect.
    for (const { topic, canary } of cases) await sendOne(topic, Buffer.from(JSON.stringify(canary)), canary.subject);
    for (const { topic, canary } of cases)
      await stack.eventually(`the ${topic} event after the refused ones in the audit record`, async () => (await auditCount(canary.id)) === 1);
    const verified = await signatureMarks(cases.map((c) => c.canary.id));
    expect(cases.map((c) => `${c.topic}: ${verified.get(c.canary.id)}`)).toEqual(cases.map((c) => `${c.topic}: verified`));
    const proposal = cases.find((c) => c.topic === Topics.DecisionProposed)!.canary;
    await routedOnward(proposal.subject);
    const routed = await query<{ event_id: string }>('SELECT event_id FROM router.decisions WHERE decision_id = $1', [proposal.subject], stack.databaseUrl);
    expect(routed).toEqual([{ event_id: proposal.id }]);
    const requested = cases.find((c) => c.topic === Topics.ApprovalRequested)!.canary;
    await stack.eventually(
      'the approval of the signed approval.requested opened',
      async () => (await query('SELECT 1 FROM escalation.approvals WHERE decision_id = $1', [requested.subject], stack.databaseUrl)).length === 1,
    );
    await stack.eventually('every group at the end of its topics', caughtUp, 60_000);
  });

  it('keeps every consumer running: a valid canary on each topic takes effect, and every group reaches the end', async () => {
    const canaries = AUDITED_TOPICS.map((topic) => ({ topic, event: signed(freshEvent(topic)) }));
    for (const { topic, event } of canaries) await sendOne(topic, Buffer.from(JSON.stringify(event)), event.subject);
    for (const { topic, event } of canaries) await stack.eventually(`the ${topic} canary in the audit record`, async () => (await auditCount(event.id)) === 1);
    const proposal = canaries.find((c) => c.topic === Topics.DecisionProposed)!.event;
    await routedOnward(proposal.subject);
    const requested = canaries.find((c) => c.topic === Topics.ApprovalRequested)!.event;
    await stack.eventually(
      'the canary approval opened',
      async () => (await query('SELECT 1 FROM escalation.approvals WHERE decision_id = $1', [requested.subject], stack.databaseUrl)).length === 1,
    );
    await stack.eventually('every group at the end of its topics', caughtUp, 60_000);
    for (const service of SERVICES) expect((await fetch(`${stack.urls[service]}/healthz`)).status).toBe(200);
  });

  it('records anything written straight onto a DLQ once, whatever its headers, and the audit goes on', async () => {
    const junk = fc.record({
      value: fc.option(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b))),
      // Headers a dead letter carries, with values nobody checked: a time that is no time, a code that is prose.
      headers: fc.dictionary(
        fc.constantFrom('hitl-dlq-time', 'hitl-dlq-error-code', 'hitl-dlq-error', 'hitl-dlq-consumer', 'hitl-dlq-topic', 'hitl-dlq-offset', 'x-other'),
        fc.string({ maxLength: 30 }),
      ),
    });
    const letters: { letter: string; headers: Record<string, string> }[] = [];
    for (const [i, topic] of AUDITED_TOPICS.entries()) {
      for (const { value, headers } of fc.sample(junk, { seed: SEED + 100 + i, numRuns: 4 })) {
        const [meta] = await producer.send({ topic: `${stack.prefix}${dlqTopic(topic)}`, messages: [{ key: null, value, headers }] });
        letters.push({ letter: `${dlqTopic(topic)}/${meta.partition}/${meta.baseOffset}`, headers });
      }
    }
    const unrecorded = async () => {
      const counts = await Promise.all(letters.map(async (l) => ({ ...l, recorded: await auditCount(l.letter) })));
      return counts.filter((c) => c.recorded !== 1);
    };
    // Wait for every letter; then name those the audit did not record once, with their headers.
    await stack.eventually('every letter in the audit record', async () => (await unrecorded()).length === 0, 30_000).catch(() => undefined);
    expect(await unrecorded()).toEqual([]);
    await stack.eventually('the audit at the end of every DLQ', caughtUp, 30_000);
  });
});

/** The event with `text` in a free-text field of its data (or, where it has none, its workspace). */
function withText(event: AnyEvent, text: string): AnyEvent {
  const data = event.data as Record<string, unknown>;
  const field = ['summary', 'notes', 'error'].find((f) => f in data);
  return field ? ({ ...event, data: { ...data, [field]: text } } as AnyEvent) : { ...event, workspaceid: `${event.workspaceid}${text}` };
}

describe('poison: what PostgreSQL would refuse, on every topic, each followed by an ordinary message on its partition', () => {
  it('dead-letters each bad message with its code in every group that reads it, answers the agent of a readable decision, handles the ordinary message after it, and every group reaches the end', async () => {
    interface Poison {
      topic: Topic;
      kind: string;
      code: string;
      /** The groups expected to dead-letter it: all readers, or the one whose database refuses it. */
      groups: string[];
      at: Pick<Sent, 'partition' | 'offset'>;
      key: Buffer;
    }
    const poisons: Poison[] = [];
    const ordinaries: { topic: Topic; event: AnyEvent }[] = [];
    const readersOf = (topic: Topic) => [...readers].filter(([, topics]) => topics.includes(topic)).map(([g]) => g);
    const blockedDecision = freshEvent(Topics.DecisionProposed);
    const producerSend = async (topic: Topic, key: Buffer, value: Buffer, headers?: Record<string, Buffer | string>) => {
      const [meta] = await producer.send({ topic: `${stack.prefix}${topic}`, messages: [{ key, value, headers }] });
      return { partition: meta.partition, offset: meta.baseOffset! };
    };
    for (const topic of AUDITED_TOPICS) {
      const ordinary = signed(freshEvent(topic));
      // The contract keys every message by its decision: the bad ones share the ordinary one's key, so its partition.
      const key = Buffer.from(ordinary.subject);
      // About the ordinary message's decision, except proposals: a refused proposal is answered
      // `blocked`, so each names a decision of its own (and shares the partition by its key).
      const bad = (base: AnyEvent) =>
        topic === Topics.DecisionProposed
          ? base
          : ({ ...base, subject: ordinary.subject, data: { ...(base.data as object), decision_id: ordinary.subject } } as AnyEvent);
      // A number beyond a double (JSON.parse makes it Infinity) in a field of its own: the contract refuses it anywhere.
      const outOfRange = JSON.stringify(signed(bad(freshEvent(topic)))).replace(/"data":\{/, '"data":{"beyond_a_double":1e400,');
      const nulEvent = topic === Topics.DecisionProposed ? blockedDecision : bad(freshEvent(topic));
      const cases: { kind: string; code: string; value: Buffer; key?: Buffer; headers?: Record<string, Buffer | string> }[] = [
        // Signed by its rightful producer, so only the character is wrong.
        {
          kind: 'U+0000 in a string field',
          code: 'unsupported_character',
          value: Buffer.from(JSON.stringify(signed(withText(nulEvent, 'before\u0000after')))),
        },
        {
          kind: 'a lone surrogate in a string field',
          code: 'unsupported_character',
          value: Buffer.from(JSON.stringify(signed(withText(bad(freshEvent(topic)), 'half \ud83d of an emoji')))),
        },
        { kind: 'a number out of range (1e400)', code: 'invalid_data', value: Buffer.from(outOfRange) },
        {
          kind: 'a key and headers PostgreSQL refuses as text, on a message nested 100 000 deep',
          code: 'invalid_envelope',
          key: Buffer.concat([key, Buffer.from([0x00, 0xff])]),
          headers: { 'x-nul\u0000': Buffer.from([0x00, 0xfe]), 'x-text': 'a\u0000b' },
          value: Buffer.from(
            JSON.stringify(signed(bad(freshEvent(topic)))).replace(/"workspaceid":"[^"]*"/, `"workspaceid":${'['.repeat(100_000)}${']'.repeat(100_000)}`),
          ),
        },
      ];
      for (const c of cases) {
        const decoded = decodeEvent(topic, c.value);
        const code = decoded.ok ? 'ok' : decoded.violation.code;
        expect({ topic, kind: c.kind, code }).toEqual({ topic, kind: c.kind, code: c.code });
        poisons.push({
          topic,
          kind: c.kind,
          code: c.code,
          groups: readersOf(topic),
          key: c.key ?? key,
          at: await producerSend(topic, c.key ?? key, c.value, c.headers),
        });
      }
      if (topic === Topics.ApprovalRequested) {
        // Valid by the contract and signed by the router, but beyond the escalation's integer column:
        // its database refuses it, the audit (jsonb) records it.
        const base = bad(freshEvent(topic));
        (base.data as { rollback_window_seconds: number }).rollback_window_seconds = 3_000_000_000;
        const huge = signed(base);
        expect(decodeEvent(topic, Buffer.from(JSON.stringify(huge))).ok).toBe(true);
        poisons.push({
          topic,
          kind: 'rollback_window_seconds beyond a PostgreSQL integer',
          code: 'database_refused',
          groups: [`${stack.prefix}hitl-escalation`],
          key,
          at: await producerSend(topic, key, Buffer.from(JSON.stringify(huge))),
        });
      }
      await producerSend(topic, key, Buffer.from(JSON.stringify(ordinary)));
      ordinaries.push({ topic, event: ordinary });
    }
    console.log(`consumer fuzz (poison): ${poisons.length} messages: ${[...new Set(poisons.map((p) => p.kind))].join('; ')}`);

    // Every ordinary message after them takes effect: the audit records it, the router routes its proposal.
    for (const { topic, event } of ordinaries)
      await stack.eventually(`the ordinary ${topic} event after the poison`, async () => (await auditCount(event.id)) === 1, 60_000);
    await routedOnward(ordinaries.find((o) => o.topic === Topics.DecisionProposed)!.event.subject);
    await stack.eventually('every group at the end of its topics', caughtUp, 90_000);

    // Each bad message dead-lettered once by each group expected to, with its code, key and headers intact.
    const expected = poisons.flatMap((p) => p.groups.map((g) => `${p.topic} ${g} ${p.at.partition}/${p.at.offset} ${p.code}`)).sort();
    const found = await stack.eventually(
      'every poison message dead-lettered',
      async () => {
        const lines: string[] = [];
        for (const topic of AUDITED_TOPICS) {
          for (const letter of await readWholeTopic(stack.kafka, `${stack.prefix}${dlqTopic(topic)}`)) {
            const h = Object.fromEntries(Object.entries(letter.headers ?? {}).map(([k, v]) => [k, String(v)]));
            const poison = poisons.find((p) => p.topic === topic && String(p.at.partition) === h['hitl-dlq-partition'] && p.at.offset === h['hitl-dlq-offset']);
            if (!poison) continue;
            expect(letter.key).toEqual(poison.key);
            if (poison.kind.startsWith('a key and headers')) expect((letter.headers ?? {})['x-nul\u0000']).toEqual(Buffer.from([0x00, 0xfe]));
            lines.push(`${topic} ${h['hitl-dlq-consumer']} ${h['hitl-dlq-partition']}/${h['hitl-dlq-offset']} ${h['hitl-dlq-error-code']}`);
          }
        }
        return lines.length >= expected.length ? lines.sort() : undefined;
      },
      60_000,
    );
    expect(found).toEqual(expected);

    // The proposal with U+0000 named its decision: its agent is answered `blocked`, nobody reviews it.
    const blocked = await query<{ verdict: string; rule: string }>(
      "SELECT verdict, reasons->0->>'rule' AS rule FROM router.decisions WHERE decision_id = $1",
      [blockedDecision.subject],
      stack.databaseUrl,
    );
    expect(blocked).toEqual([{ verdict: 'block', rule: 'contract_violation' }]);
    await stack.eventually('the blocked answer on the record', async () => {
      const answers = await query<{ status: string }>(
        "SELECT event->'data'->>'status' AS status FROM audit.events WHERE decision_id = $1 AND type = 'hitl.approval.resolved.v1'",
        [blockedDecision.subject],
        stack.databaseUrl,
      );
      return answers.length === 1 && answers[0].status === 'blocked' ? true : undefined;
    });
    expect(await query('SELECT 1 FROM escalation.approvals WHERE decision_id = $1', [blockedDecision.subject], stack.databaseUrl)).toEqual([]);
    // Every consumer still serves.
    for (const service of SERVICES) expect((await fetch(`${stack.urls[service]}/healthz`)).status).toBe(200);
  });
});
