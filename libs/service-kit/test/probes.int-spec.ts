// The probes a platform's orchestrator reads: /livez says whether restarting the process
// could help (never, because of PostgreSQL or Kafka), /readyz whether traffic may come.
// PostgreSQL here is a cluster of this test's own, stopped and started under the service.
import { createServer } from 'node:net';
import { INestApplication } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { contractTopics } from '@hitl/messaging';
import { OwnPostgres, eventually, testTrust } from '@hitl/testing';
import { createServiceApp, loadConfig, startServiceApp } from '../src';
import { isolatedNames, testService, testServiceConfig } from './support/test-service';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

const status = async (url: string) => (await fetch(url)).status;

describe('/livez and /readyz while PostgreSQL goes away and comes back', () => {
  const { schema, topicPrefix } = isolatedNames();
  let postgres: OwnPostgres;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    postgres = new OwnPostgres(await freePort());
    await postgres.init();
    const config = loadConfig(testServiceConfig, {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      DATABASE_URL: postgres.url,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      HTTP_PORT: '0',
      LOG_LEVEL: process.env.HITL_TEST_VERBOSE ? 'debug' : 'silent',
      ...testTrust().env('router'),
    });
    app = await createServiceApp(testService(schema), config);
    url = await startServiceApp(app, config);
  });

  afterAll(async () => {
    const admin = app?.get(Kafka).admin();
    await admin?.connect();
    await admin?.deleteTopics({ topics: contractTopics({ topicPrefix }) }).catch(() => undefined);
    await admin?.disconnect();
    await app?.close().catch(() => undefined);
    postgres?.remove();
  });

  it('live throughout; ready, then 503 naming the database while it is stopped, then ready again', async () => {
    expect(await status(`${url}/livez`)).toBe(200);
    expect(await status(`${url}/readyz`)).toBe(200);
    expect(await status(`${url}/healthz`)).toBe(200);

    postgres.stopFast();
    expect(await status(`${url}/livez`)).toBe(200);
    const answer = await fetch(`${url}/readyz`);
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    expect(await status(`${url}/livez`)).toBe(200);

    await postgres.start();
    await eventually('/readyz to answer 200 again', async () => (await status(`${url}/readyz`)) === 200, { timeoutMs: 30_000, everyMs: 250 });
    expect(await status(`${url}/livez`)).toBe(200);
  });
});
