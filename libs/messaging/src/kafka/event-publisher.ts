// What publishes a service's events, behind one factory, so the Kafka client is chosen in one
// place. kafkajs is the client of every service; @platformatic/kafka is measured against it
// (figure 1 and figure 11 of the benchmarks) and switched to only when the whole suite passes
// on it and the figures say so (issue 22).
import { Kafka, Partitioners, Producer, TopicMessages } from 'kafkajs';
import { KafkaSecurity } from './kafka-security';

export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

/**
 * Publishes batches of events: idempotent, acknowledged by all in-sync replicas, one
 * request in flight, keys placed by the Java partitioner (where any other client puts them),
 * in order per topic and so per key.
 */
export interface EventPublisher {
  readonly client: KafkaClientName;
  connect(): Promise<void>;
  publish(batch: readonly TopicMessages[]): Promise<void>;
  /**
   * Goes on with a new producer (a new idempotent producer id, sequence numbers from 0). After
   * a request the broker took in part (a message too large for its topic), kafkajs has rolled
   * back the sequence numbers of the partitions it took too, and would be refused there as
   * out of order for good.
   */
  renew(): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * The producer of what a service emits (the relay's, and the transport's for events
 * published right after their commit): idempotent, one request in flight, and the
 * Java-compatible partitioner, so a decision's key lands where any other client puts it.
 */
export function eventProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

export type EventPublisherTarget =
  { client: 'kafkajs'; kafka: Kafka } | { client: 'platformatic'; brokers: readonly string[]; clientId: string; security?: KafkaSecurity };

export function createEventPublisher(target: EventPublisherTarget): EventPublisher {
  return target.client === 'kafkajs' ? kafkajsPublisher(target.kafka) : platformaticPublisher(target);
}

function kafkajsPublisher(kafka: Kafka): EventPublisher {
  let producer = eventProducer(kafka);
  // Connected once, and again on the next publish after a connection that failed.
  let ready: Promise<void> | undefined;
  const connect = () =>
    (ready ??= producer.connect().catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));
  return {
    client: 'kafkajs',
    connect,
    publish: async (batch) => {
      await connect();
      await producer.sendBatch({ acks: -1, topicMessages: [...batch] });
    },
    renew: async () => {
      const stale = producer;
      producer = eventProducer(kafka);
      ready = undefined;
      await stale.disconnect().catch(() => undefined);
      await connect();
    },
    disconnect: async () => {
      ready = undefined;
      await producer.disconnect();
    },
  };
}

const SASL_MECHANISMS = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;

/**
 * @platformatic/kafka, loaded when first chosen (no service loads it otherwise). It is an ES
 * module: Node's own require loads it (Node 24 does, for modules without top-level await),
 * taken from Node itself so that a test runner's require (which cannot) does not stand in.
 */
function loadPlatformatic(): typeof import('@platformatic/kafka') {
  const { createRequire } = process.getBuiltinModule('node:module');
  return createRequire(__filename)('@platformatic/kafka') as typeof import('@platformatic/kafka');
}

function platformaticPublisher(target: Extract<EventPublisherTarget, { client: 'platformatic' }>): EventPublisher {
  const { ssl, sasl } = target.security ?? {};
  const { Producer: PlatformaticProducer, compatibilityPartitioner } = loadPlatformatic();
  const create = () =>
    new PlatformaticProducer({
      clientId: target.clientId,
      bootstrapBrokers: [...target.brokers],
      idempotent: true,
      acks: -1,
      autocreateTopics: false,
      partitioner: compatibilityPartitioner,
      ...(ssl ? { tls: { ca: ssl.ca, cert: ssl.cert, key: ssl.key, rejectUnauthorized: ssl.rejectUnauthorized } } : {}),
      ...(sasl ? { sasl: { mechanism: SASL_MECHANISMS[sasl.mechanism], username: sasl.username, password: sasl.password } } : {}),
    });
  let producer = create();
  return {
    client: 'platformatic',
    // It connects on its first request.
    connect: async () => undefined,
    publish: async (batch) => {
      const messages = batch.flatMap(({ topic, messages }) =>
        messages.map((m) => ({
          topic,
          key: m.key === null || m.key === undefined ? undefined : Buffer.from(m.key),
          value: m.value === null ? undefined : Buffer.from(m.value),
          headers: headerMap(m.headers),
        })),
      );
      if (messages.length > 0) await producer.send({ messages });
    },
    renew: async () => {
      const stale = producer;
      producer = create();
      await stale.close().catch(() => undefined);
    },
    disconnect: () => producer.close(),
  };
}

/** kafkajs headers (a value, or several of one name) as the name-value pairs the other client takes. */
function headerMap(headers: TopicMessages['messages'][number]['headers']): Map<Buffer, Buffer> | undefined {
  if (!headers) return undefined;
  const map = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : [value]) if (one !== undefined) map.set(Buffer.from(name), Buffer.from(one as Buffer | string));
  }
  return map.size > 0 ? map : undefined;
}
