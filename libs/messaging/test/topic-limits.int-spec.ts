import { randomUUID } from 'node:crypto';
import { Topics } from '@hitl/contracts';
import { eventually } from '@hitl/testing';
import { ConfigResourceTypes } from 'kafkajs';
import { APPROVAL_EVENT_MAX_BYTES, contractTopics, physicalTopic, raiseMessageLimits } from '../src';
import { Harness, createHarness } from './support/harness';

// Kafka's own default: what a topic an earlier version created without a setting takes.
const BROKER_DEFAULT_MAX_BYTES = 1_048_588;

describe('a topic an earlier version created with a smaller message limit', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await createHarness('limits', undefined, { [Topics.ApprovalRequested]: BROKER_DEFAULT_MAX_BYTES });
  });

  afterEach(async () => {
    await h.close();
  });

  async function topicSettings(topic: string): Promise<Record<string, string>> {
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
      return Object.fromEntries(resources[0].configEntries.map((e) => [e.configName, e.configValue]));
    } finally {
      await admin.disconnect();
    }
  }

  it('has its limit raised to what its events need, its other settings kept, and takes a message over the old limit', async () => {
    const requested = physicalTopic(h.settings, Topics.ApprovalRequested);
    // An operator's own setting on the topic, which raising the limit must not drop.
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: requested,
            configEntries: [
              { name: 'max.message.bytes', value: String(BROKER_DEFAULT_MAX_BYTES) },
              { name: 'retention.ms', value: '3600000' },
            ],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    // The operator's settings were made before this version starts, not in the same instant: a
    // broker answers describeConfigs from its copy of the metadata, which may lag an alter
    // just made (on a busy machine it did, and raising the limit then kept what it read).
    await eventually("the operator's settings in effect", async () => (await topicSettings(requested))['retention.ms'] === '3600000');

    const proposed = physicalTopic(h.settings, Topics.DecisionProposed);
    const proposedLimit = (await topicSettings(proposed))['max.message.bytes'];
    const limits = await raiseMessageLimits(h.kafka, contractTopics(h.settings));
    expect(limits).toEqual({ raised: [{ topic: requested, from: BROKER_DEFAULT_MAX_BYTES, to: APPROVAL_EVENT_MAX_BYTES }], refused: [] });
    const settings = await topicSettings(requested);
    expect({ max: settings['max.message.bytes'], retention: settings['retention.ms'] }).toEqual({
      max: String(APPROVAL_EVENT_MAX_BYTES),
      retention: '3600000',
    });
    // Topics that need nothing more keep what they had.
    expect((await topicSettings(proposed))['max.message.bytes']).toBe(proposedLimit);

    // Once is enough: a second start changes nothing.
    expect(await raiseMessageLimits(h.kafka, contractTopics(h.settings))).toEqual({ raised: [], refused: [] });

    // A request for review of 2 MiB (a proposal near the broker's limit, with its words around it) is taken.
    const producer = h.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const value = Buffer.alloc(2 * 1024 * 1024, 'x');
      // The broker applies a changed setting a moment after it acknowledges it.
      await eventually(
        'the topic to take 2 MiB',
        async () => {
          try {
            await producer.send({ topic: requested, acks: -1, messages: [{ key: randomUUID(), value }] });
            return true;
          } catch (error) {
            if ((error as { type?: string }).type === 'MESSAGE_TOO_LARGE') return false;
            throw error;
          }
        },
        { timeoutMs: 30_000, everyMs: 500 },
      );
    } finally {
      await producer.disconnect();
    }
  });
});
