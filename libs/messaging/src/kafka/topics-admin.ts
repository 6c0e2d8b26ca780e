import { ALL_TOPICS, dlqTopic } from '@hitl/contracts';
import { Kafka } from 'kafkajs';
import { KafkaSettings, physicalTopic } from './kafka-settings';

/** Every topic of the contract and its DLQ, as named on the cluster. */
export function contractTopics(settings: Pick<KafkaSettings, 'topicPrefix'>): string[] {
  return ALL_TOPICS.flatMap((t) => [physicalTopic(settings, t), physicalTopic(settings, dlqTopic(t))]);
}

/** Creates the topics that are missing (idempotent); returns the ones it created. */
export async function ensureTopics(kafka: Kafka, topics: string[], partitions: number): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
