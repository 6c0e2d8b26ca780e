// Figure 11, the Kafka client on the outbox relay (issue 22): the relay of every service,
// unchanged, publishing the same N outbox rows once through kafkajs and once through
// @platformatic/kafka (the EventPublisher factory of @hitl/messaging), twice each in turns,
// the better pass of each reported. Figure 1 measures the two clients on the raw passthrough.
// The relay runs in this process, so its CPU is this process's over the pass.
import { KafkaClientName, OutboxRelay, createEventPublisher, messagingSchemaSql, MESSAGING_SCHEMA_VERSIONS, encodeHeaders } from '@hitl/messaging';
import { eventually, readWholeTopic } from '@hitl/testing';
import { DataSource } from 'typeorm';
import { FigureResult, runStandalone } from './support/figure';
import { proposal } from './support/decisions';
import { BenchWorld } from './support/services';
import { ratePerSecond, ratio } from './support/stats';
import { Size, SIZE_TABLE } from './support/size';
import { formatTable } from './support/table';

interface RelayPass {
  client: KafkaClientName;
  rate: number;
  cpuPer1000: number;
}

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** N rows of decision.proposed events, as a service's outbox holds them, in `schema`. */
async function fillOutbox(dataSource: DataSource, schema: string, topic: string, n: number): Promise<void> {
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  for (const version of MESSAGING_SCHEMA_VERSIONS) await dataSource.query(messagingSchemaSql(version, 'up', schema));
  const headers = JSON.stringify(encodeHeaders([['content-type', 'application/cloudevents+json; charset=UTF-8']]));
  for (let from = 0; from < n; from += 2_000) {
    const rows = Array.from({ length: Math.min(2_000, n - from) }, () => proposal('auto_approve'));
    await dataSource.query(
      `INSERT INTO "${schema}".outbox (topic, message_key, value, headers, event_id)
       SELECT $1, k, v, $2::jsonb, NULL FROM UNNEST($3::bytea[], $4::bytea[]) AS r(k, v)`,
      [topic, headers, rows.map((r) => Buffer.from(String(r.key))), rows.map((r) => Buffer.from(String(r.value)))],
    );
  }
}

async function relayPass(world: BenchWorld, dataSource: DataSource, client: KafkaClientName, round: number, n: number): Promise<RelayPass> {
  const schema = `relay_${client}_${round}`;
  const topic = `relay.${client}.${round}`;
  await world.createTopics([topic]);
  await fillOutbox(dataSource, schema, topic, n);
  const publisher =
    client === 'kafkajs'
      ? createEventPublisher({ client, kafka: world.kafka })
      : createEventPublisher({ client, brokers: world.brokers, clientId: `bench-relay-${round}` });
  const relay = new OutboxRelay({ dataSource, schema, publisher, settings: { topicPrefix: world.prefix }, logger: quiet, idleMs: 20 });
  const cpu = process.cpuUsage();
  relay.start();
  try {
    await eventually(`the ${client} relay to publish ${n} rows`, async () => (await world.messagesOn(topic)) >= n, { timeoutMs: 600_000, everyMs: 100 });
  } finally {
    await relay.stop();
  }
  const used = process.cpuUsage(cpu);
  const messages = await readWholeTopic(world.kafka, world.topic(topic), 300_000);
  if (messages.length !== n) throw new Error(`the ${client} relay published ${messages.length} messages for ${n} rows`);
  const stamps = messages.map((m) => Number(m.timestamp));
  return {
    client,
    rate: ratePerSecond(n, Math.max(...stamps) - Math.min(...stamps)),
    cpuPer1000: ((used.user + used.system) / 1000 / n) * 1000,
  };
}

export async function kafkaClients(size: Size): Promise<FigureResult> {
  const n = SIZE_TABLE[size].routedDecisions;
  const world = new BenchWorld();
  const dataSource = new DataSource({ type: 'postgres', url: world.databaseUrl, poolSize: 3 });
  try {
    await world.setUp();
    await dataSource.initialize();
    const passes: RelayPass[] = [];
    // In turns, so neither client has the warmer broker or database every time.
    for (const [round, client] of (['kafkajs', 'platformatic', 'kafkajs', 'platformatic'] as const).entries()) {
      passes.push(await relayPass(world, dataSource, client, round, n));
    }
    const best = (client: KafkaClientName) => passes.filter((p) => p.client === client).reduce((a, b) => (b.rate > a.rate ? b : a));
    const kafkajs = best('kafkajs');
    const platformatic = best('platformatic');
    const r = ratio(platformatic.rate, kafkajs.rate);
    return {
      title: 'Figure 11: the Kafka client on the outbox relay',
      table: formatTable(
        ['client', 'rows', 'passes (rows/s)', 'best rows/s', 'relay CPU ms per 1000'],
        [
          ...[kafkajs, platformatic].map((b) => [
            b.client === 'kafkajs' ? 'kafkajs 2.2.4' : '@platformatic/kafka',
            n,
            passes
              .filter((p) => p.client === b.client)
              .map((p) => Math.round(p.rate))
              .join(', '),
            Math.round(b.rate),
            Math.round(b.cpuPer1000),
          ]),
          ['ratio @platformatic/kafka / kafkajs', '', '', r, ''],
        ],
      ),
      notes: [
        'The relay of every service (OutboxRelay: batches of 500 rows in id order, one publish acknowledged by all replicas, then the delete) with each client behind the same EventPublisher: idempotent, acks from all, the Java partitioner. Rates are rows over the span of their Kafka timestamps; CPU is this process (relay and its PostgreSQL client) over the pass.',
        'A measurement, not a target: the services stay on kafkajs unless the whole suite passes on the other client and the figures say so (figure 1 has the raw passthrough on both).',
      ],
      ratios: { 'outbox relay @platformatic/kafka/kafkajs': `${r.toFixed(2)} (a measurement: above 1 is faster than kafkajs)` },
      peakRss: [],
      targetMet: null,
    };
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await world.tearDown();
  }
}

if (require.main === module) runStandalone(kafkaClients);
