import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { DECISION_PROPOSED, Topics, exampleEvent } from '@hitl/contracts';
import { eventually, signed, testTrust } from '@hitl/testing';
import { CommittedChunk, physicalTopic } from '../src';
import { Harness, count, createHarness, newLabel, produce, readTopic, rows, startConsumer } from './support/harness';

const root = resolve(__dirname, '../../..');

function runUntilKilled(h: Harness, crashAt: 'after_commit' | 'before_publish' = 'after_commit'): Promise<{ signal: NodeJS.Signals | null; output: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(__dirname, 'support/crashing-consumer.ts')], {
    cwd: root,
    env: { ...process.env, CRASH_AT: crashAt, HARNESS_IDS: JSON.stringify({ schema: h.schema, topicPrefix: h.topicPrefix, groupId: h.groupId }) },
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

  it('a handler that publishes after the commit: killed in between, it publishes the same events when the messages come again', async () => {
    const labels = Array.from({ length: 5 }, () => newLabel());
    await produce(
      h,
      Topics.OutcomeLabeled,
      labels.map((e) => ({ key: 'same-partition', value: JSON.stringify(signed(e)) })),
    );

    const crash = await runUntilKilled(h, 'before_publish');
    expect(crash.signal).toBe('SIGKILL');
    expect(crash.output).toMatch(/committed, \d+ events not published yet/);
    // Recorded, nothing published, no offset committed.
    const answers = await rows<{ decision_id: string; answer_id: string }>(h, 'SELECT decision_id, answer_id FROM answers');
    expect(answers.length).toBeGreaterThan(0);
    expect(await count(h, 'SELECT count(*)::int AS n FROM outbox')).toBe(0);
    const early = await readTopic(h, Topics.ApprovalResolved, () => true, 2_000);
    expect(early).toEqual([]);

    const consumer = await startConsumer(h);
    try {
      const resolved = (await readTopic(h, Topics.ApprovalResolved, (m) => m.length >= labels.length)).map((m) => JSON.parse(m.value!.toString()));
      // One answer per label, and the ones recorded before the crash under the ids they were recorded with.
      expect(resolved.map((e) => e.subject).sort()).toEqual(labels.map((l) => l.data.decision_id).sort());
      expect(new Set(resolved.map((e) => e.id)).size).toBe(labels.length);
      const recorded = new Map(answers.map((a) => [a.decision_id, a.answer_id]));
      for (const event of resolved) if (recorded.has(event.subject)) expect(event.id).toBe(recorded.get(event.subject));
      // Signed by the service, as anything it emits.
      for (const event of resolved) expect(testTrust().keyring.verify(event, event)).toMatchObject({ ok: true });
    } finally {
      await consumer.close();
    }
  });
});

describe('a forgery carrying the id of a real event', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await createHarness('forged');
  });

  afterEach(async () => {
    await h.close();
  });

  it('is dead-lettered without claiming the id: the real event that comes after it is handled', async () => {
    const real = exampleEvent(DECISION_PROPOSED, { id: randomUUID() });
    real.data.decision_id = real.subject = randomUUID();
    // Read off the topic by an attacker, sent first, unsigned and with other content, on the same key.
    const forged = { ...real, data: { ...real.data, parameters: { ...real.data.parameters, amount_usd: 9_999 } } };
    await produce(h, Topics.DecisionProposed, [{ key: real.subject, value: JSON.stringify(forged) }]);
    await produce(h, Topics.DecisionProposed, [{ key: real.subject, value: JSON.stringify(signed(real)) }]);
    const consumer = await startConsumer(h);
    try {
      await eventually('the real event handled', async () => (await count(h, 'SELECT count(*)::int AS n FROM effects WHERE event_id = $1', [real.id])) === 1);
      expect(await rows(h, 'SELECT code FROM invalid_seen WHERE decision_id = $1', [real.subject])).toEqual([{ code: 'unsigned' }]);
    } finally {
      await consumer.close();
    }
  });
});
