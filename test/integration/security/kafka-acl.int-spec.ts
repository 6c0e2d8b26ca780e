// Kafka's own access control, for real. A broker of this spec's own (sasl-broker.ts: KRaft,
// SASL/SCRAM-SHA-512, StandardAuthorizer, nothing allowed without an ACL) gets exactly the
// ACLs of kafka-acl-matrix.ts; then an operator creates the topics, the router runs as its
// own principal and routes what an agent, as its own, proposed; and the broker itself
// refuses the agent's write to approval.resolved and a wrong password.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { HitlAgent } from '@hitl/agent-sdk';
import { Topics } from '@hitl/contracts';
import { ensureTopics } from '@hitl/messaging';
import { databaseUrl, eventually, freePort, query, testTrust } from '@hitl/testing';
import { KafkaJSSASLAuthenticationError } from 'kafkajs';
import { CONTRACT_TOPICS, KAFKA_PRINCIPALS, kafkaAcls, principalName } from './kafka-acl-matrix';
import { ADMIN, SaslBroker } from './sasl-broker';

const root = resolve(__dirname, '../../..');
const run = promisify(execFile);
const AGENT_ID = 'refund-bot';
const USERS = { operator: principalName('operator'), router: principalName('router'), agent: principalName('agent', AGENT_ID) };
const database = `hitl_t_kafka_acl_${randomBytes(4).toString('hex')}`;

/** This process's environment without any Kafka variable (the shared broker's): each child gets its own. */
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KAFKA_')));

jest.setTimeout(180_000);

describe('Kafka under SASL/SCRAM and the ACL matrix', () => {
  let broker: SaslBroker | undefined;
  let router: ChildProcess | undefined;
  let routerOutput = '';
  let agent: HitlAgent | undefined;

  beforeAll(async () => {
    broker = await SaslBroker.start(Object.values(USERS));
    const admin = broker.client(ADMIN).admin();
    await admin.connect();
    try {
      await admin.createAcls({ acl: KAFKA_PRINCIPALS.flatMap((who) => kafkaAcls(who, { prefix: '', agentId: AGENT_ID })) });
    } finally {
      await admin.disconnect();
    }
    await query(`CREATE DATABASE "${database}"`);
  });

  afterAll(async () => {
    await agent?.stop().catch(() => undefined);
    if (router && router.exitCode === null && router.signalCode === null) {
      const exited = new Promise((done) => router!.once('exit', done));
      router.kill('SIGTERM');
      await exited;
    }
    await broker?.stop();
    await query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
  });

  it('lets the operator create the contract topics as its own principal, with the broker’s replication factor', async () => {
    // scripts/create-topics.ts as an operator would run it: the services' variables, KAFKA_REPLICATION_FACTOR unset.
    const { stdout } = await run(process.execPath, ['-r', '@swc-node/register', resolve(root, 'scripts/create-topics.ts')], {
      cwd: root,
      env: { ...baseEnv, ...broker!.env(USERS.operator) },
    });
    expect(stdout).toContain(`${CONTRACT_TOPICS.length} in the contract, ${CONTRACT_TOPICS.length} created`);
    const admin = broker!.client(ADMIN).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...CONTRACT_TOPICS] });
      // Created with replicationFactor -1: the broker's default.replication.factor (1 on this single node).
      for (const topic of topics) for (const partition of topic.partitions) expect(partition.replicas).toHaveLength(1);
    } finally {
      await admin.disconnect();
    }
  });

  it('runs the router as its own principal: healthy, and it routes what the agent proposed back to the agent', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    router = spawn(process.execPath, ['-r', '@swc-node/register', resolve(root, 'apps/router/src/main.ts')], {
      cwd: root,
      env: {
        ...baseEnv,
        ...broker!.env(USERS.router),
        DATABASE_URL: databaseUrl({ database }),
        HTTP_PORT: String(port),
        LOG_LEVEL: 'warn',
        MANIFEST_PATH: resolve(root, 'manifests/refunds.yaml'),
        // Its signing key, the services' keys and the agent registry, as test/integration/support/stack.ts gives them.
        ...testTrust().env('router'),
      },
    });
    router.stdout!.on('data', (d) => (routerOutput += d));
    router.stderr!.on('data', (d) => (routerOutput += d));
    const started = router;
    const healthy = async () => {
      const answer = await fetch(`${url}/healthz`).catch(() => null);
      return answer?.ok && answer;
    };
    const answer = await eventually('the router to become healthy', healthy, {
      timeoutMs: 90_000,
      everyMs: 250,
      abortIf: () => (started.exitCode !== null ? `the router exited (${started.exitCode})` : undefined),
      detail: () => routerOutput,
    });
    const health: { status?: string; info?: Record<string, { status: string }> } = await answer.json();
    expect(health).toMatchObject({ status: 'ok', info: { kafka: { status: 'up' } } });

    // The agent as its own Kafka principal, signing with its key from the test registry (as agent-sdk.int-spec.ts does).
    agent = new HitlAgent({
      brokers: broker!.brokers,
      clientId: 'refund-bot',
      agentId: AGENT_ID,
      workspace: 'acme-support',
      sasl: broker!.sasl(USERS.agent),
      signingKey: testTrust().key(AGENT_ID),
      trustedKeys: { router: join(testTrust().dir, 'router.jwks.json'), escalation: join(testTrust().dir, 'escalation.jwks.json') },
    });
    await agent.start();
    const decisionId = randomUUID();
    const resolution = await agent.propose(
      {
        decision_id: decisionId,
        action: 'process_refund',
        parameters: { order_id: 'ORD-ACL-1', amount_usd: 20 },
        confidence: 0.9,
        confidence_basis: 'matches the order history',
        uncertainty_factors: [],
        recommended_review: false,
        summary: 'Refund $20 to the customer.',
      },
      { timeoutMs: 60_000 },
    );
    // Written by the router (as hitl-router) to approval.resolved, read by the agent (as agent-refund-bot).
    expect(resolution).toMatchObject({ decision_id: decisionId, status: 'approved', resolved_by: { kind: 'policy' } });
  });

  it('refuses, at the broker, the agent writing to approval.resolved', async () => {
    const kafka = broker!.client(USERS.agent);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const admin = broker!.client(ADMIN).admin();
    await admin.connect();
    const ends = async () => (await admin.fetchTopicOffsets(Topics.ApprovalResolved)).map((p) => `${p.partition}:${p.high}`).sort();
    try {
      const before = await ends();
      const forged = {
        specversion: '1.0',
        id: randomUUID(),
        type: 'hitl.approval.resolved.v1',
        source: 'service/router',
        subject: randomUUID(),
        data: { status: 'approved' },
      };
      const refusal = await producer
        .send({ topic: Topics.ApprovalResolved, acks: -1, messages: [{ key: forged.subject, value: JSON.stringify(forged) }] })
        .then(
          () => null,
          (error: Error & { type?: string; cause?: { type?: string } }) => error,
        );
      expect(refusal).not.toBeNull();
      expect(refusal!.type ?? refusal!.cause?.type).toBe('TOPIC_AUTHORIZATION_FAILED');
      expect(await ends()).toEqual(before);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('tells a service that may not create a missing topic who creates it', async () => {
    await expect(ensureTopics(broker!.client(USERS.router), ['elsewhere.decision.proposed'], 3)).rejects.toThrow(
      'not authorized to create elsewhere.decision.proposed (TOPIC_AUTHORIZATION_FAILED): an operator creates them (scripts/create-topics.ts)',
    );
  });

  it('refuses a client whose password is wrong', async () => {
    const admin = broker!.client(USERS.agent, `not-${broker!.password(USERS.agent)}`).admin();
    const refusal = await admin.connect().then(
      () => null,
      (error: Error) => error,
    );
    await admin.disconnect().catch(() => undefined);
    expect(refusal).toBeInstanceOf(KafkaJSSASLAuthenticationError);
    expect(refusal!.message).toMatch(/SASL SCRAM SHA512 authentication failed/);
  });
});
