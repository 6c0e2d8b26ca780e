// What a re-deriving handler publishes after its commit (the router's answers) when the broker
// refuses one as larger than its topic takes: before, the chunk failed as the broker's
// transient failure and was retried for good, so one oversized answer stopped its partition
// (every decision behind it unanswered). Now that answer is set aside: a letter on the topic's
// DLQ says why (no bytes), its neighbours and the messages after it are answered, in order.
import { randomUUID } from 'node:crypto';
import { Topics, dlqTopic } from '@hitl/contracts';
import { eventually, signed } from '@hitl/testing';
import { register } from 'prom-client';
import { Harness, RunningConsumer, count, createHarness, keyOnPartition, newLabel, produce, readTopic, startConsumer } from './support/harness';

const setAside = async () =>
  (await register.getSingleMetric('hitl_published_after_commit_set_aside_total')?.get())?.values.find((v) => v.labels.topic === Topics.ApprovalResolved)
    ?.value ?? 0;

describe('an answer published after the commit that is larger than its topic takes', () => {
  let h: Harness;
  let consumer: RunningConsumer;

  beforeAll(async () => {
    h = await createHarness('aclarge', undefined, { [Topics.ApprovalResolved]: 20_000 });
    consumer = await startConsumer(h);
  });

  afterAll(async () => {
    await consumer.close();
    await h.close();
  });

  it('is set aside on the DLQ with message_too_large; the others are answered in order and the consumer goes on', async () => {
    const before = await setAside();
    const label = (notes: string | null, decisionId: string = randomUUID()) => newLabel(decisionId, notes);
    // The answers are keyed by their decisions: the two small ones on one partition, the huge
    // one on another, so the broker takes part of the request and refuses the rest (kafkajs
    // then rolls back the sequence numbers of every partition of it, the taken ones too).
    const [first, huge, last] = [label('short', keyOnPartition(0)), label('n'.repeat(30_000), keyOnPartition(1)), label(null, keyOnPartition(0))];
    // One partition, one chunk: the huge answer sits between the two others.
    await produce(
      h,
      Topics.OutcomeLabeled,
      [first, huge, last].map((e) => ({ key: 'one-partition', value: JSON.stringify(signed(e)) })),
    );

    const answers = await readTopic(h, Topics.ApprovalResolved, (m) => m.length >= 2);
    // Those the broker took in the refused request may go out again: the very same events,
    // which consumers de-duplicate on their ids.
    const answered = answers.map((m) => JSON.parse(m.value!.toString()) as { id: string; subject: string });
    expect([...new Set(answered.map((e) => e.subject))]).toEqual([first.subject, last.subject]);
    expect(new Set(answered.map((e) => e.id)).size).toBe(2);
    const [letter, ...more] = await readTopic(h, dlqTopic(Topics.ApprovalResolved), (m) => m.length >= 1);
    expect(more).toEqual([]);
    expect(letter.key?.toString()).toBe(huge.subject);
    expect(letter.value?.length ?? 0).toBe(0);
    expect(letter.headers!['hitl-dlq-error-code']!.toString()).toBe('message_too_large');
    expect(letter.headers!['hitl-dlq-error']!.toString()).toMatch(/larger than the topic takes \(max\.message\.bytes\)/);
    expect(letter.headers!['hitl-dlq-consumer']!.toString()).toBe(h.groupId);
    expect(await setAside()).toBe(before + 1);
    // The label itself was handled (its answer recorded), not refused.
    expect(await count(h, 'SELECT count(*)::int AS n FROM answers WHERE decision_id = $1', [huge.subject])).toBe(1);
    expect(await readTopic(h, dlqTopic(Topics.OutcomeLabeled), () => true, 1_000)).toEqual([]);

    // And the partition goes on.
    const next = label('after');
    await produce(h, Topics.OutcomeLabeled, [{ key: 'one-partition', value: JSON.stringify(signed(next)) }]);
    await eventually('the next label answered', async () =>
      (await readTopic(h, Topics.ApprovalResolved, (m) => m.length >= 3)).some((m) => JSON.parse(m.value!.toString()).subject === next.subject),
    );
  });
});
