// Creates every topic of the wire contract and its DLQ on the broker (idempotent).
// Run by `npm run infra:up`; services also create missing topics at start. On a secured
// cluster, run it as an operator's principal: the services' KAFKA_SSL* and KAFKA_SASL*
// variables; KAFKA_REPLICATION_FACTOR (unset: the broker's default.replication.factor).
import { createKafka, contractTopics, ensureTopics, loadKafkaSecurity, raiseMessageLimits } from '@hitl/messaging';
import { z } from 'zod';

const env = z
  .object({
    KAFKA_BROKERS: z.string().default('127.0.0.1:9092'),
    KAFKA_TOPIC_PREFIX: z.string().default(''),
    KAFKA_PARTITIONS: z.coerce.number().int().min(1).default(3),
    KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(32767).optional(),
  })
  .parse(process.env);

const logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (fields: object, message?: string) => console.warn(message, fields),
  error: (fields: object, message?: string) => console.error(message, fields),
};

async function main(): Promise<void> {
  const security = loadKafkaSecurity(process.env);
  const settings = { brokers: env.KAFKA_BROKERS.split(','), clientId: 'hitl-create-topics', topicPrefix: env.KAFKA_TOPIC_PREFIX, security };
  const topics = contractTopics(settings);
  const created = await ensureTopics(createKafka(settings, logger), topics, env.KAFKA_PARTITIONS, env.KAFKA_REPLICATION_FACTOR);
  console.log(`topics: ${topics.length} in the contract, ${created.length} created${created.length ? ` (${created.join(', ')})` : ''}`);
  const limits = await raiseMessageLimits(createKafka(settings, logger), topics);
  for (const { topic, from, to } of limits.raised) console.log(`topics: ${topic} takes messages up to ${to} bytes (was ${from ?? "the broker's default"})`);
  for (const { topic, reason } of limits.refused) console.error(`topics: could not raise the largest message ${topic} takes: ${reason}`);
  if (limits.refused.length > 0) process.exitCode = 1;
}

main().catch((error) => {
  console.error(`create-topics failed: ${(error as Error).message}`);
  process.exit(1);
});
