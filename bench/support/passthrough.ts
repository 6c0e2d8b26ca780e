// The raw baseline of routing throughput, as its own process like the router: a kafkajs
// consumer and producer that forward every message of one topic to another with the
// service transport's settings (batches, chunks of 200, 3 partitions at once, acks from
// all replicas before the offset is resolved), and nothing else.
//   PASSTHROUGH_FROM, PASSTHROUGH_TO, PASSTHROUGH_GROUP, KAFKA_BROKERS (and the services' KAFKA_SSL*, KAFKA_SASL*)
import { kafkaClientSecurity, loadKafkaSecurity } from '@hitl/messaging';
import { Kafka, logLevel } from 'kafkajs';
import { relayLikeProducer } from './decisions';

const CHUNK = 200;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

async function main(): Promise<void> {
  const from = required('PASSTHROUGH_FROM');
  const to = required('PASSTHROUGH_TO');
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const kafka = new Kafka({ clientId: 'bench-passthrough', brokers, ...kafkaClientSecurity(loadKafkaSecurity(process.env)), logLevel: logLevel.WARN });
  const producer = relayLikeProducer(kafka);
  const consumer = kafka.consumer({ groupId: required('PASSTHROUGH_GROUP'), maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic: from, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      for (let i = 0; i < batch.messages.length; i += CHUNK) {
        if (!isRunning() || isStale()) return;
        const chunk = batch.messages.slice(i, i + CHUNK);
        await producer.send({ topic: to, acks: -1, messages: chunk.map((m) => ({ key: m.key, value: m.value })) });
        resolveOffset(chunk[chunk.length - 1].offset);
        await commitOffsetsIfNecessary();
        await heartbeat();
      }
    },
  });
  const stop = () => void Promise.all([consumer.disconnect(), producer.disconnect()]).finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  console.log('passthrough ready');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
