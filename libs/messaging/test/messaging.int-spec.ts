import { randomUUID } from 'node:crypto';
import { APPROVAL_REQUESTED, DECISION_PROPOSED, Topics, dlqTopic, exampleEvent } from '@hitl/contracts';
import { register } from 'prom-client';
import { eventually, signed } from '@hitl/testing';
import { physicalTopic } from '../src';
import { Harness, RunningConsumer, count, createHarness, newLabel, produce, produceEvents, readTopic, startConsumer } from './support/harness';

function decision(parameters: Record<string, unknown> = {}) {
  const event = exampleEvent(DECISION_PROPOSED, { id: randomUUID() });
  event.data.decision_id = event.subject = randomUUID();
  Object.assign(event.data.parameters, parameters);
  return event;
}

describe('reliable messaging over the real broker and database', () => {
  let h: Harness;
  let consumer: RunningConsumer;

  beforeEach(async () => {
    h = await createHarness('msg');
    consumer = await startConsumer(h);
  });

  afterEach(async () => {
    await consumer.close();
    await h.close();
  });

  it('handles every event once, even when each is delivered twice, and publishes what handlers emit', async () => {
    const events = Array.from({ length: 20 }, () => decision());
    const sentinel = decision();
    // One key, one partition: the sentinel is handled after every duplicate before it.
    const asMessages = (list: typeof events) => list.map((e) => ({ key: 'one-partition', value: JSON.stringify(signed(e)) }));
    await produce(h, Topics.DecisionProposed, [...asMessages(events), ...asMessages(events), ...asMessages([sentinel])]);

    await eventually(
      "the sentinel's effect",
      async () => (await count(h, 'SELECT count(*)::int AS n FROM effects WHERE decision_id = $1', [sentinel.subject])) === 1,
    );
    expect(await count(h, 'SELECT count(*)::int AS n FROM effects')).toBe(21);
    expect(await count(h, 'SELECT count(DISTINCT decision_id)::int AS n FROM effects')).toBe(21);

    await consumer.relay.drain();
    const resolved = await readTopic(h, Topics.ApprovalResolved, (m) => m.length >= 21);
    const subjects = resolved.map((m) => JSON.parse(m.value!.toString()).subject);
    expect(new Set(subjects).size).toBe(21);
    expect(subjects).toHaveLength(21);
    expect(resolved.every((m) => m.key!.toString() === JSON.parse(m.value!.toString()).subject)).toBe(true);

    // A batch handler got every one of those events once, whole chunks at a time.
    const ids = resolved.map((m) => JSON.parse(m.value!.toString()).id);
    await eventually('21 events in batches', async () => (await count(h, 'SELECT count(*)::int AS n FROM batch_seen')) >= 21);
    const seen = await h.dataSource.query(`SELECT event_id, batch_size FROM "${h.schema}".batch_seen`);
    expect(seen.map((r: { event_id: string }) => r.event_id).sort()).toEqual([...ids].sort());
  });

  it('refuses events whose signature does not verify: never handled, dead-lettered with the code, the hook told, the next event handled', async () => {
    const unsigned = decision();
    const forged = signed(decision(), 'other-bot'); // names refund-bot, signed by another agent
    const tampered = signed(decision());
    tampered.data.parameters.amount_usd = 999_999;
    const valid = decision();
    const bytes = [unsigned, forged, tampered].map((e) => Buffer.from(JSON.stringify(e)));
    await produce(h, Topics.DecisionProposed, [...bytes.map((value) => ({ key: 'k', value })), { key: 'k', value: JSON.stringify(signed(valid)) }]);

    await eventually(
      "the valid decision's effect",
      async () => (await count(h, 'SELECT count(*)::int AS n FROM effects WHERE decision_id = $1', [valid.subject])) === 1,
    );
    expect(await count(h, 'SELECT count(*)::int AS n FROM effects')).toBe(1);
    await consumer.relay.drain();
    const letters = await readTopic(h, dlqTopic(Topics.DecisionProposed), (m) => m.length >= 3);
    expect(letters.map((m) => m.value)).toEqual(bytes);
    expect(letters.map((m) => m.headers!['hitl-dlq-error-code']!.toString())).toEqual(['unsigned', 'signature_invalid', 'signature_invalid']);
    expect(letters[1].headers!['hitl-dlq-error']!.toString()).toContain('names agent "refund-bot" but is signed by agent "other-bot"');
    expect(letters[2].headers!['hitl-dlq-error']!.toString()).toContain('does not verify');
    const seen = await h.dataSource.query(`SELECT decision_id, code FROM "${h.schema}".invalid_seen ORDER BY id`);
    expect(seen).toEqual([unsigned, forged, tampered].map((e, i) => ({ decision_id: e.subject, code: i === 0 ? 'unsigned' : 'signature_invalid' })));
    // What the handler emitted is signed by the service's key and verifies.
    const resolved = await readTopic(h, Topics.ApprovalResolved, (m) => m.length >= 1);
    const event = JSON.parse(resolved[0].value!.toString());
    expect(event.sigkid).toEqual(expect.any(String));
  });

  it('skips, unverified and unclaimed, the events a handler declares of no interest; still refuses forgeries of those it acts on', async () => {
    const request = (role: string) => {
      const event = exampleEvent(APPROVAL_REQUESTED, { id: randomUUID() });
      event.data.decision_id = event.subject = event.data.decision.decision_id = randomUUID();
      event.data.approval_id = randomUUID();
      event.data.reviewer_role = role;
      return event;
    };
    const ignoredBefore = (await register.getSingleMetric('hitl_messages_consumed_total')?.get())?.values.find(
      (v) => v.labels.topic === Topics.ApprovalRequested && v.labels.outcome === 'ignored',
    )?.value;
    const forgedOther = signed(request('support_agent'), 'other-bot'); // of no interest, and forged
    const realOther = signed(request('support_agent'));
    const real = signed(request('finance_lead'));
    const forged = signed(request('finance_lead'), 'other-bot');
    const sentinel = signed(request('finance_lead'));
    const values = [forgedOther, realOther, real, forged].map((e) => JSON.stringify(e));
    await produce(h, Topics.ApprovalRequested, [
      ...values.map((value) => ({ key: 'one-partition', value })),
      { key: 'one-partition', value: '{not json' },
      { key: 'one-partition', value: JSON.stringify(sentinel) },
    ]);

    await eventually(
      'the sentinel handled',
      async () => (await count(h, 'SELECT count(*)::int AS n FROM batch_seen WHERE event_id = $1', [sentinel.id])) === 1,
    );
    const handled = await h.dataSource.query(`SELECT event_id FROM "${h.schema}".batch_seen ORDER BY id`);
    expect(handled.map((r: { event_id: string }) => r.event_id)).toEqual([real.id, sentinel.id]);
    // Those of no interest left nothing behind: no claim, no letter (forged or not).
    expect(await count(h, 'SELECT count(*)::int AS n FROM inbox WHERE message_id = ANY($1)', [[forgedOther.id, realOther.id]])).toBe(0);
    await consumer.relay.drain();
    const letters = await readTopic(h, dlqTopic(Topics.ApprovalRequested), (m) => m.length >= 2);
    expect(letters.map((m) => m.headers!['hitl-dlq-error-code']!.toString())).toEqual(['signature_invalid', 'invalid_json']);
    expect(letters[0].value!.toString()).toBe(values[3]);
    const ignored = (await register.getSingleMetric('hitl_messages_consumed_total')?.get())?.values.find(
      (v) => v.labels.topic === Topics.ApprovalRequested && v.labels.outcome === 'ignored',
    )?.value;
    expect((ignored ?? 0) - (ignoredBefore ?? 0)).toBe(2);
  });

  it('wakes the outbox relay after a transaction that wrote to the outbox, and only then', async () => {
    // A re-deriving handler's answers go out after the commit, not through the outbox: the
    // relay is left asleep (it read an empty outbox after every such chunk before).
    const labels = Array.from({ length: 3 }, () => newLabel());
    await produce(
      h,
      Topics.OutcomeLabeled,
      labels.map((e) => ({ key: 'one-partition', value: JSON.stringify(signed(e)) })),
    );
    const answers = await readTopic(h, Topics.ApprovalResolved, (m) => m.length >= labels.length);
    expect(answers.map((m) => JSON.parse(m.value!.toString()).subject).sort()).toEqual(labels.map((l) => l.subject).sort());
    expect(consumer.relay.nudges).toBe(0);

    // A handler that emits through the outbox wakes it once its transaction committed...
    const proposed = decision();
    await produce(h, Topics.DecisionProposed, [{ key: 'k', value: JSON.stringify(signed(proposed)) }]);
    await eventually('the relay woken for the decision', async () => consumer.relay.nudges === 1);
    expect(await count(h, 'SELECT count(*)::int AS n FROM effects WHERE decision_id = $1', [proposed.subject])).toBe(1);
    // ...and so does a dead letter, which goes out through the outbox too.
    await produce(h, Topics.OutcomeLabeled, [{ key: 'one-partition', value: '{not json' }]);
    await eventually('the relay woken for the letter', async () => consumer.relay.nudges === 2);
    const letters = await readTopic(h, dlqTopic(Topics.OutcomeLabeled), (m) => m.length >= 1);
    expect(letters.map((m) => m.headers!['hitl-dlq-error-code']!.toString())).toEqual(['invalid_json']);
  });

  it('commits the offsets of everything it handled before it leaves the group', async () => {
    // Offsets are committed in the background (the next fetch does not wait for them); closing
    // waits for the chunks being handled and commits their offsets, so a restart redelivers nothing.
    const events = Array.from({ length: 30 }, () => decision());
    await produce(
      h,
      Topics.DecisionProposed,
      events.map((e) => ({ key: e.subject, value: JSON.stringify(signed(e)) })),
    );
    await eventually('every decision handled', async () => (await count(h, 'SELECT count(*)::int AS n FROM effects')) === events.length);
    await consumer.close();

    const topic = physicalTopic(h.settings, Topics.DecisionProposed);
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId: h.groupId, topics: [topic] });
      for (const end of ends) {
        expect({ partition: end.partition, offset: committed.partitions.find((p) => p.partition === end.partition)?.offset }).toEqual({
          partition: end.partition,
          offset: Number(end.offset) > 0 ? end.offset : expect.any(String),
        });
      }
    } finally {
      await admin.disconnect();
    }
    consumer = await startConsumer(h); // for afterEach
  });

  it('puts invalid JSON and schema-invalid messages in the DLQ with the reason, and handles the next valid message', async () => {
    const garbage = Buffer.from('{"specversion":"1.0", this is not json');
    const invalid = decision();
    (invalid.data as { confidence: unknown }).confidence = 7;
    const invalidBytes = Buffer.from(JSON.stringify(invalid));
    const valid = decision();
    await produce(h, Topics.DecisionProposed, [
      { key: 'k', value: garbage },
      { key: 'k', value: invalidBytes },
      { key: 'k', value: JSON.stringify(signed(valid)) },
    ]);

    await eventually(
      "the valid decision's effect",
      async () => (await count(h, 'SELECT count(*)::int AS n FROM effects WHERE decision_id = $1', [valid.subject])) === 1,
    );
    await consumer.relay.drain();
    const letters = await readTopic(h, dlqTopic(Topics.DecisionProposed), (m) => m.length >= 2);
    const header = (i: number, name: string) => letters[i].headers![name]!.toString();

    expect(letters.map((m) => m.value)).toEqual([garbage, invalidBytes]);
    expect(header(0, 'hitl-dlq-error-code')).toBe('invalid_json');
    expect(header(0, 'hitl-dlq-error')).toMatch(/not valid JSON/);
    expect(header(1, 'hitl-dlq-error-code')).toBe('invalid_data');
    expect(header(1, 'hitl-dlq-error')).toContain('data.confidence');
    for (const i of [0, 1]) {
      expect(header(i, 'hitl-dlq-consumer')).toBe(h.groupId);
      expect(header(i, 'hitl-dlq-topic')).toBe(Topics.DecisionProposed);
    }
    // The service's own hook saw both, with the decision when it could be read.
    const seen = await h.dataSource.query(`SELECT decision_id, code FROM "${h.schema}".invalid_seen ORDER BY id`);
    expect(seen).toEqual([
      { decision_id: null, code: 'invalid_json' },
      { decision_id: invalid.subject, code: 'invalid_data' },
    ]);
    expect(await count(h, 'SELECT count(*)::int AS n FROM effects')).toBe(1);

    // A consumer of the DLQ reads the letters raw, each once, bytes intact.
    await eventually('two letters read off the DLQ', async () => (await count(h, 'SELECT count(*)::int AS n FROM dlq_seen')) >= 2);
    const recorded = await h.dataSource.query(`SELECT value, code FROM "${h.schema}".dlq_seen ORDER BY id`);
    expect(recorded).toEqual([
      { value: garbage, code: 'invalid_json' },
      { value: invalidBytes, code: 'invalid_data' },
    ]);
  });

  it('dead-letters a message its handler can never process, undoing only its writes', async () => {
    const before = decision();
    const poison = decision({ poison: true });
    const after = decision();
    await produceEvents(h, Topics.DecisionProposed, [before, poison, after]);

    await eventually('the effects around the poison', async () => (await count(h, 'SELECT count(*)::int AS n FROM effects')) >= 2);
    await consumer.relay.drain();
    const letters = await readTopic(h, dlqTopic(Topics.DecisionProposed), (m) => m.length >= 1);
    expect(letters).toHaveLength(1);
    expect(JSON.parse(letters[0].value!.toString()).id).toBe(poison.id);
    expect(letters[0].headers!['hitl-dlq-error-code']!.toString()).toBe('poison');

    const effects = await h.dataSource.query(`SELECT decision_id FROM "${h.schema}".effects ORDER BY id`);
    expect(effects.map((r: { decision_id: string }) => r.decision_id).sort()).toEqual([before.subject, after.subject].sort());
    const resolved = await readTopic(h, Topics.ApprovalResolved, (m) => m.length >= 2);
    expect(resolved.map((m) => JSON.parse(m.value!.toString()).subject).sort()).toEqual([before.subject, after.subject].sort());
  });
});
