import { randomUUID } from 'node:crypto';
import { Kafka, KafkaMessage, Producer } from 'kafkajs';

/** Everything on a topic, read from the beginning up to the end offsets seen when it starts. */
export async function readWholeTopic(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<KafkaMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = ends.reduce((sum, e) => sum + Number(e.offset), 0);
  const messages: KafkaMessage[] = [];
  if (total === 0) return messages;
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`read ${messages.length}/${total} of ${topic}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
          if (messages.length >= total) {
            clearTimeout(timer);
            done();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** Deletes every topic whose name starts with `prefix` (a test run's own topics); best effort. */
export async function deleteTopicsStartingWith(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

export interface OutgoingMessage {
  topic: string;
  key: string | null;
  value: string | Buffer;
}

/**
 * A producer as an agent's or a service's: idempotent, so a retry after a timeout under load
 * does not write a message twice (a plain one can, and a spec counting answers sees one more).
 */
export function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
}

/** Sends messages as an agent or another service would: acks from all replicas, idempotent, in order per topic, one request. */
export async function sendMessages(kafka: Kafka, messages: readonly OutgoingMessage[]): Promise<void> {
  const byTopic = new Map<string, { key: string | null; value: string | Buffer }[]>();
  for (const { topic, key, value } of messages) {
    const list = byTopic.get(topic);
    if (list) list.push({ key, value });
    else byTopic.set(topic, [{ key, value }]);
  }
  const producer = idempotentProducer(kafka);
  await producer.connect();
  try {
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })) });
  } finally {
    await producer.disconnect();
  }
}
