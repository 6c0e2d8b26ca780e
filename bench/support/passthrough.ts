// The baselines of routing throughput, each its own process like the router: a kafkajs
// consumer and producer with the service transport's settings (batches, chunks of 200,
// 3 partitions at once, an idempotent producer, acks from all replicas before the offset
// is resolved).
// - raw: forwards every message of one topic to another, and nothing else;
// - durable (PASSTHROUGH_DATABASE_URL set): the least a durable router must do by hand:
//   each chunk's decisions recorded in PostgreSQL (one row each, in one transaction,
//   de-duplicated on the decision id), then one small answer per new decision published,
//   then the offsets committed.
//   PASSTHROUGH_FROM, PASSTHROUGH_TO, PASSTHROUGH_GROUP, KAFKA_BROKERS (and the services' KAFKA_SSL*, KAFKA_SASL*)
import { kafkaClientSecurity, loadKafkaSecurity } from '@hitl/messaging';
import { Kafka, KafkaMessage, Message, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { relayLikeProducer } from './decisions';

const CHUNK = 200;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

/** The durable minimum's table: the decision's id, the proposal as sent, and when it was recorded. */
const DURABLE_TABLE_SQL = `CREATE TABLE IF NOT EXISTS durable_decisions (
  decision_id uuid PRIMARY KEY,
  event_id    text NOT NULL,
  proposal    jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
)`;

/** Records a chunk's decisions (the new ones) and returns their answers. */
async function recorded(pool: Pool, chunk: KafkaMessage[]): Promise<Message[]> {
  const proposals = chunk.map((m) => JSON.parse(String(m.value)) as { id: string; subject: string; data: unknown });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ decision_id: string }>(
      `INSERT INTO durable_decisions (decision_id, event_id, proposal)
       SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::jsonb[]) ON CONFLICT (decision_id) DO NOTHING RETURNING decision_id`,
      [proposals.map((p) => p.subject), proposals.map((p) => p.id), proposals.map((p) => JSON.stringify(p.data))],
    );
    await client.query('COMMIT');
    return rows.map((r) => ({ key: r.decision_id, value: JSON.stringify({ decision_id: r.decision_id, status: 'approved' }) }));
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function main(): Promise<void> {
  const from = required('PASSTHROUGH_FROM');
  const to = required('PASSTHROUGH_TO');
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const databaseUrl = process.env.PASSTHROUGH_DATABASE_URL;
  const pool = databaseUrl ? new Pool({ connectionString: databaseUrl, max: 3 }) : null;
  if (pool) await pool.query(DURABLE_TABLE_SQL);
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
        const messages = pool ? await recorded(pool, chunk) : chunk.map((m) => ({ key: m.key, value: m.value }));
        if (messages.length > 0) await producer.send({ topic: to, acks: -1, messages });
        resolveOffset(chunk[chunk.length - 1].offset);
        await commitOffsetsIfNecessary();
        await heartbeat();
      }
    },
  });
  const stop = () => void Promise.all([consumer.disconnect(), producer.disconnect(), pool?.end()]).finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  console.log('passthrough ready');
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
