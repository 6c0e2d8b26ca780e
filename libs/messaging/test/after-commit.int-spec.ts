import { Topics } from '@hitl/contracts';
import { eventually, signed, testTrust } from '@hitl/testing';
import { physicalTopic } from '../src';
import { Harness, createHarness, newLabel, produce, readTopic, rows, startConsumer } from './support/harness';

// A handler that publishes after its commit (`rederives`): the consumer goes on with its next
// chunks while the broker acknowledges, but a chunk's offset is committed only once its events
// are published, and a publish that fails sends the partition back to the first chunk not published.
describe('events published after their commit', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await createHarness('aftercommit');
  });

  afterEach(async () => {
    await h.close();
  });

  const committedOffset = async () => {
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId: h.groupId, topics: [physicalTopic(h.settings, Topics.OutcomeLabeled)] });
      return offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  };

  const answersOnTopic = async (count: number) =>
    (await readTopic(h, Topics.ApprovalResolved, (m) => m.length >= count)).map((m) => JSON.parse(m.value!.toString()) as { id: string; subject: string });

  it('commits no offset of a chunk before its events are acknowledged', async () => {
    const labels = Array.from({ length: 4 }, () => newLabel());
    await produce(
      h,
      Topics.OutcomeLabeled,
      labels.map((e) => ({ key: 'same-partition', value: JSON.stringify(signed(e)) })),
    );
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let publishes = 0;
    const consumer = await startConsumer(h, {
      chunkSize: 2,
      beforePublish: async () => {
        publishes++;
        await held;
      },
    });
    try {
      // Both chunks recorded (the second did not wait for the first one's publish), nothing committed.
      await eventually('every label answered in the database', async () => (await rows(h, 'SELECT 1 FROM answers')).length === labels.length);
      expect(publishes).toBe(1);
      expect(await committedOffset()).toBe(0);
      release();
      await eventually('the offsets of both chunks committed', async () => (await committedOffset()) === labels.length);
      const resolved = await answersOnTopic(labels.length);
      expect(resolved.map((e) => e.subject).sort()).toEqual(labels.map((l) => l.data.decision_id).sort());
    } finally {
      release();
      await consumer.close();
    }
  });

  it('reads a partition again from the first chunk whose publish failed: every answer goes out, under the id it was recorded with', async () => {
    const labels = Array.from({ length: 6 }, () => newLabel());
    await produce(
      h,
      Topics.OutcomeLabeled,
      labels.map((e) => ({ key: 'same-partition', value: JSON.stringify(signed(e)) })),
    );
    let publishes = 0;
    const consumer = await startConsumer(h, {
      chunkSize: 2,
      beforePublish: () => {
        publishes++;
        if (publishes === 1) throw new Error('the broker went away');
      },
    });
    try {
      const resolved = await answersOnTopic(labels.length);
      await eventually('every offset committed', async () => (await committedOffset()) === labels.length);
      expect(publishes).toBeGreaterThan(labels.length / 2);
      const recorded = new Map(
        (await rows<{ decision_id: string; answer_id: string }>(h, 'SELECT decision_id, answer_id FROM answers')).map((a) => [a.decision_id, a.answer_id]),
      );
      expect(recorded.size).toBe(labels.length);
      // Each label's answer under one id, the recorded one, signed by the service.
      expect([...new Set(resolved.map((e) => e.subject))].sort()).toEqual(labels.map((l) => l.data.decision_id).sort());
      for (const event of resolved) {
        expect(event.id).toBe(recorded.get(event.subject));
        expect(testTrust().keyring.verify(event as never, event as never)).toMatchObject({ ok: true });
      }
    } finally {
      await consumer.close();
    }
  });
});
