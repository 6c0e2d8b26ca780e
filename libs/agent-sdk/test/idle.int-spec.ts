// An agent left idle as its own process, on the real broker: kafkajs 2.2.4 alone re-arms a 1 ms
// check of an empty request queue on every broker connection after each response, forever
// (tulios/kafkajs#1704), about a thousand timers a second per connection; the SDK corrects it
// (@hitl/kafkajs-fix) when an agent is made, so an idle agent only long-polls and heartbeats.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Topics } from '@hitl/contracts';
import { ensureTopics } from '@hitl/messaging';
import { deleteTopicsStartingWith, testTrust } from '@hitl/testing';
import { Kafka, logLevel } from 'kafkajs';

const root = resolve(__dirname, '../../..');
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const IDLE_MS = 3_000;

describe('an agent left idle', () => {
  const prefix = `t-idle-${randomBytes(4).toString('hex')}.`;
  const kafka = new Kafka({ clientId: 'idle-spec', brokers: brokers.split(','), logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    testTrust(); // the keys' folder, which the agent's process inherits
    // ensureTopics waits for their leaders, also when the broker answers the creation before it knows them.
    const topics = [Topics.ApprovalResolved, Topics.ApprovalUpdated, Topics.HandoffUpdated, Topics.DecisionProposed].map((t) => `${prefix}${t}`);
    await ensureTopics(kafka, topics, 1);
  });

  afterAll(async () => {
    await deleteTopicsStartingWith(kafka, prefix);
  });

  it('makes next to no timers, not one a millisecond per broker connection', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'hitl-idle-')), 'pending.json');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', '@swc-node/register', resolve(__dirname, 'support/idle-agent.ts'), brokers, prefix, store, String(IDLE_MS)],
      { cwd: root, encoding: 'utf8', timeout: 120_000 },
    );
    const { timers } = JSON.parse(stdout.trim().split('\n').pop()!) as { timers: number };
    // Its connections (the producer's, the consumer's to the coordinator and to the partition
    // leader) made about 8 000 timers in these 3 s before the correction; one or two now.
    expect(timers).toBeLessThan(300);
  }, 180_000);
});
