import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { APPROVAL_ASSIGNED, Topics, exampleEvent } from '@hitl/contracts';
import { testTrust } from '@hitl/testing';
import { Outbox, OutboxRelay } from '../src';
import { Harness, createHarness, quietLogger, readTopic } from './support/harness';

// This test stops a broker, so it runs its own: a second native KRaft broker on other ports.
const root = resolve(__dirname, '../../..');
const broker = {
  ...process.env,
  HITL_KAFKA_STATE_DIR: resolve(root, '.infra/kafka-outage-test'),
  HITL_INFRA_MODE: 'native',
  HITL_SKIP_TOPICS: '1',
  KAFKA_PORT: '19092',
  KAFKA_CONTROLLER_PORT: '19093',
};
const infra = (command: 'up' | 'down' | 'reset') =>
  execFileSync('bash', [resolve(root, 'scripts/infra.sh'), command], { env: broker, stdio: 'pipe', cwd: root });

describe('events written to the outbox while Kafka is stopped', () => {
  let h: Harness;
  let relay: OutboxRelay;

  beforeAll(() => {
    infra('reset');
    infra('up');
  });

  afterAll(() => {
    infra('down');
  });

  beforeEach(async () => {
    h = await createHarness('outage', [`127.0.0.1:${broker.KAFKA_PORT}`]);
    relay = new OutboxRelay({
      dataSource: h.dataSource,
      schema: h.schema,
      kafka: h.kafka,
      settings: h.settings,
      logger: quietLogger,
      idleMs: 50,
      maxBackoffMs: 1_000,
    });
  });

  afterEach(async () => {
    await relay.stop();
    await h.close();
  });

  it('are all published, in order per key, once it is back', async () => {
    const outbox = new Outbox(h.schema, testTrust().key('escalation'));
    const decisions = Array.from({ length: 4 }, () => randomUUID());
    const eventFor = (decision: string, seq: number) => {
      const e = exampleEvent(APPROVAL_ASSIGNED, { id: randomUUID() });
      e.data.decision_id = e.subject = decision;
      e.data.tier = seq;
      return e;
    };

    relay.start();
    await h.dataSource.transaction((m) => outbox.publish(m, [eventFor(decisions[0], 0)]));
    await relay.drain();

    infra('down');
    // Interleaved keys, many transactions, while nothing can be published.
    for (let seq = 1; seq <= 15; seq++) {
      await h.dataSource.transaction((m) =>
        outbox.publish(
          m,
          decisions.map((d) => eventFor(d, seq)),
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 2_000));
    const waiting = (await h.dataSource.query(`SELECT count(*)::int AS n FROM "${h.schema}".outbox`))[0].n;
    expect(waiting).toBe(60);

    infra('up');
    await relay.drain(90_000);

    const messages = await readTopic(h, Topics.ApprovalUpdated, (m) => m.length >= 61, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    const tiersByDecision = new Map<string, number[]>();
    const ids = new Set<string>();
    for (const m of messages) {
      const e = JSON.parse(m.value!.toString());
      ids.add(e.id);
      tiersByDecision.set(e.subject, [...(tiersByDecision.get(e.subject) ?? []), e.data.tier]);
    }
    expect(messages).toHaveLength(61);
    expect(ids.size).toBe(61);
    expect(tiersByDecision.get(decisions[0])).toEqual(Array.from({ length: 16 }, (_, i) => i));
    for (const d of decisions.slice(1)) expect(tiersByDecision.get(d)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });
});
