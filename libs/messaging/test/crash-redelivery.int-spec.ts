import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { DECISION_PROPOSED, Topics, exampleEvent } from '@hitl/contracts';
import { eventually, signed } from '@hitl/testing';
import { CommittedChunk, physicalTopic } from '../src';
import { Harness, createHarness, produce, readTopic, startConsumer } from './support/harness';

const root = resolve(__dirname, '../../..');

function runUntilKilled(h: Harness): Promise<{ signal: NodeJS.Signals | null; output: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(__dirname, 'support/crashing-consumer.ts')], {
    cwd: root,
    env: { ...process.env, HARNESS_IDS: JSON.stringify({ schema: h.schema, topicPrefix: h.topicPrefix, groupId: h.groupId }) },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((done) => child.on('exit', (_code, signal) => done({ signal, output })));
}

describe('a consumer killed after its database commit but before its offset commit', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await createHarness('crash');
  });

  afterEach(async () => {
    await h.close();
  });

  it('has no second effect when the messages are redelivered', async () => {
    const decisions = Array.from({ length: 5 }, () => {
      const e = exampleEvent(DECISION_PROPOSED, { id: randomUUID() });
      e.data.decision_id = e.subject = randomUUID();
      return e;
    });
    // One key: one partition, so the offsets below are the ones of these messages.
    await produce(
      h,
      Topics.DecisionProposed,
      decisions.map((e) => ({ key: 'same-partition', value: JSON.stringify(signed(e)) })),
    );

    const crash = await runUntilKilled(h);
    expect(crash.signal).toBe('SIGKILL');
    expect(crash.output).toMatch(/committed \d+ messages/);

    // The effects of the first chunk are in the database, but no offset was committed.
    const effectsAfterCrash = (await h.dataSource.query(`SELECT count(*)::int AS n FROM "${h.schema}".effects`))[0].n;
    expect(effectsAfterCrash).toBeGreaterThan(0);
    const admin = h.kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: h.groupId, topics: [physicalTopic(h.settings, Topics.DecisionProposed)] });
    await admin.disconnect();
    expect(offsets.partitions.every((p) => p.offset === '-1')).toBe(true);

    // A new consumer in the same group gets the same messages again...
    const seen: CommittedChunk[] = [];
    const consumer = await startConsumer(h, { afterCommit: (c) => void seen.push(c) });
    try {
      await eventually('a commit of the last decision', () => seen.some((c) => Number(c.lastOffset) >= decisions.length - 1));
      expect(seen[0].firstOffset).toBe('0');

      // ...and every decision still has exactly one effect and one emitted event.
      const effects = await h.dataSource.query(`SELECT decision_id, count(*)::int AS n FROM "${h.schema}".effects GROUP BY decision_id`);
      expect(effects).toHaveLength(decisions.length);
      expect(effects.every((r: { n: number }) => r.n === 1)).toBe(true);

      await consumer.relay.drain();
      const resolved = await readTopic(h, Topics.ApprovalResolved, (m) => m.length >= decisions.length);
      const bySubject = new Map<string, Set<string>>();
      for (const m of resolved) {
        const e = JSON.parse(m.value!.toString());
        bySubject.set(e.subject, (bySubject.get(e.subject) ?? new Set()).add(e.id));
      }
      expect([...bySubject.keys()].sort()).toEqual(decisions.map((d) => d.subject).sort());
      expect([...bySubject.values()].every((ids) => ids.size === 1)).toBe(true);
    } finally {
      await consumer.close();
    }
  });
});
