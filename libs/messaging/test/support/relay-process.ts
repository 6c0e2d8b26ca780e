// The outbox relay of a test's schema as its own process, publishing through the client
// RELAY_CLIENT names until the outbox is empty. Its own process, because @platformatic/kafka
// is an ES module loaded by Node's require, and under the test runner its Maps (headers)
// would come from another realm than the module's.
import { KafkaClientName, OutboxRelay, createEventPublisher } from '../../src';
import { connectHarness, quietLogger } from './harness';

async function main(): Promise<void> {
  const h = await connectHarness(JSON.parse(process.env.HARNESS_IDS ?? ''));
  const client = process.env.RELAY_CLIENT as KafkaClientName;
  const publisher =
    client === 'kafkajs'
      ? createEventPublisher({ client, kafka: h.kafka })
      : createEventPublisher({ client, brokers: h.settings.brokers, clientId: h.groupId });
  const relay = new OutboxRelay({
    dataSource: h.dataSource,
    schema: h.schema,
    publisher,
    settings: h.settings,
    logger: quietLogger,
    idleMs: 20,
  });
  relay.start();
  try {
    await relay.drain(60_000);
  } finally {
    await relay.stop();
    await h.close();
  }
  process.stdout.write(`drained through ${publisher.client}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
