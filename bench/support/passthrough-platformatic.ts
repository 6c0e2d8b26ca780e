// The raw passthrough of bench/support/passthrough.ts on @platformatic/kafka instead of
// kafkajs (issue 22: the client measured against kafkajs in the same run). The same work:
// every message of one topic forwarded to another, chunks of up to 200, an idempotent
// producer with acks from all replicas and the Java partitioner, offsets committed only
// after the chunk's acknowledgement.
//   PASSTHROUGH_FROM, PASSTHROUGH_TO, PASSTHROUGH_GROUP, KAFKA_BROKERS
import { Consumer, Message, MessagesStreamModes, Producer, compatibilityPartitioner } from '@platformatic/kafka';

const CHUNK = 200;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

async function main(): Promise<void> {
  const from = required('PASSTHROUGH_FROM');
  const to = required('PASSTHROUGH_TO');
  const bootstrapBrokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const producer = new Producer({
    clientId: 'bench-passthrough-platformatic',
    bootstrapBrokers,
    idempotent: true,
    acks: -1,
    autocreateTopics: false,
    partitioner: compatibilityPartitioner,
  });
  const consumer = new Consumer({
    clientId: 'bench-passthrough-platformatic',
    groupId: required('PASSTHROUGH_GROUP'),
    bootstrapBrokers,
    maxWaitTime: 100,
  });
  const stream = await consumer.consume({ topics: [from], mode: MessagesStreamModes.COMMITTED, fallbackMode: 'earliest', autocommit: false });

  let chunk: Message[] = [];
  const forward = async () => {
    const messages = chunk;
    chunk = [];
    await producer.send({ messages: messages.map((m) => ({ topic: to, key: m.key, value: m.value })) });
    // The last message of each partition commits everything before it in that partition.
    const last = new Map<number, Message>();
    for (const m of messages) last.set(m.partition, m);
    await Promise.all([...last.values()].map((m) => m.commit()));
  };
  const stop = () => void Promise.all([stream.close(), consumer.close(), producer.close()]).finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  console.log('passthrough ready');
  for await (const message of stream as AsyncIterable<Message>) {
    chunk.push(message);
    // A full chunk, or nothing more read yet: forward what there is.
    if (chunk.length >= CHUNK || stream.readableLength === 0) await forward();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
