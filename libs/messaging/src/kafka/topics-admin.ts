import { ALL_TOPICS, dlqTopic } from '@hitl/contracts';
import { Kafka } from 'kafkajs';
import { KafkaSettings, physicalTopic } from './kafka-settings';

/** Every topic of the contract and its DLQ, as named on the cluster. */
export function contractTopics(settings: Pick<KafkaSettings, 'topicPrefix'>): string[] {
  return ALL_TOPICS.flatMap((t) => [physicalTopic(settings, t), physicalTopic(settings, dlqTopic(t))]);
}

/** Asks the broker for its own `default.replication.factor` (CreateTopics with -1; Kafka 2.4+). */
export const BROKER_DEFAULT_REPLICATION = -1;

/**
 * Creates the topics that are missing (idempotent); returns the ones it created. The
 * replication factor defaults to the broker's. Under ACLs a topic the principal may not
 * DESCRIBE looks missing: the error then says so.
 */
export async function ensureTopics(kafka: Kafka, topics: string[], partitions: number, replicationFactor = BROKER_DEFAULT_REPLICATION): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin
        .createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
        })
        .catch((error: Error & { type?: string; errors?: Array<{ type?: string }> }) => {
          // One topic: a protocol error; several: an aggregate of one per topic.
          const refusal = [error, ...(error.errors ?? [])].map((e) => e.type).find((type) => type?.endsWith('AUTHORIZATION_FAILED'));
          if (!refusal) throw error;
          throw new Error(
            `not authorized to create ${missing.join(', ')} (${refusal}): an operator creates them (scripts/create-topics.ts), and this principal needs DESCRIBE on each`,
          );
        });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
