// The escalation service on the real broker and database, isolated per test by its own
// database (so real processes can run it too) and topic prefix.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { APPROVAL_REQUESTED, AnyEvent, CloudEvent, exampleEvent, payloadHash } from '@hitl/contracts';
import { ServiceProcess, databaseUrl, deleteTopicsStartingWith, freePort, query, sendMessages, signed, testTrust } from '@hitl/testing';
import { Kafka, KafkaMessage, logLevel } from 'kafkajs';

export const root = resolve(__dirname, '../../../..');
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const kafka = new Kafka({ clientId: 'escalation-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });

export const REVIEWERS = `
reviewers:
  - { id: alice, name: Alice, roles: [support_agent], workspaces: [acme-support], token_env: REVIEWER_TOKEN_ALICE }
  - { id: bob, name: Bob, roles: [support_agent], workspaces: [acme-support], token_env: REVIEWER_TOKEN_BOB }
  - { id: carol, name: Carol, roles: [support_agent], workspaces: [acme-support], token_env: REVIEWER_TOKEN_CAROL }
  - { id: dan, name: Dan, roles: [finance_lead], workspaces: [acme-support], token_env: REVIEWER_TOKEN_DAN }
  - { id: ursula, name: Ursula, roles: [support_agent], workspaces: [acme-support], available: false }
  - { id: zed, name: Zed, roles: [support_agent, finance_lead], workspaces: [globex-billing], token_env: REVIEWER_TOKEN_ZED }
  - { id: adam, name: Adam, roles: [], workspaces: ["*"], admin: true, token_env: REVIEWER_TOKEN_ADAM }
`;
export const TOKENS: Record<string, string> = {
  alice: 'alice-token-0123456789',
  bob: 'bob-token-0123456789',
  carol: 'carol-token-0123456789',
  dan: 'dan-token-0123456789',
  zed: 'zed-token-0123456789',
  adam: 'adam-token-0123456789',
};

export interface Env {
  id: string;
  database: string;
  databaseUrl: string;
  prefix: string;
  reviewersPath: string;
  vars: Record<string, string>;
}

export async function newEnv(): Promise<Env> {
  const id = randomBytes(4).toString('hex');
  const database = `hitl_t_esc_${id}`;
  await query(`CREATE DATABASE "${database}"`);
  const dir = mkdtempSync(join(tmpdir(), 'hitl-esc-'));
  const reviewersPath = join(dir, 'reviewers.yaml');
  writeFileSync(reviewersPath, REVIEWERS);
  const env: Env = { id, database, databaseUrl: databaseUrl({ database }), prefix: `t-esc-${id}.`, reviewersPath, vars: {} };
  env.vars = {
    KAFKA_BROKERS: brokers,
    DATABASE_URL: env.databaseUrl,
    KAFKA_TOPIC_PREFIX: env.prefix,
    REVIEWERS_PATH: reviewersPath,
    MANIFEST_PATH: resolve(root, 'manifests/refunds.yaml'),
    SLA_SCAN_INTERVAL_MS: '100',
    LOG_LEVEL: process.env.HITL_TEST_VERBOSE ? 'debug' : 'warn',
    // The test keys: its own signing key, the services' keysets, the agent registry.
    ...testTrust().env('escalation'),
    ...Object.fromEntries(Object.entries(TOKENS).map(([who, token]) => [`REVIEWER_TOKEN_${who.toUpperCase()}`, token])),
  };
  return env;
}

export async function dropEnv(env: Env): Promise<void> {
  await query(`DROP DATABASE IF EXISTS "${env.database}" WITH (FORCE)`, [], databaseUrl({ database: 'postgres' }));
  await deleteTopicsStartingWith(kafka, env.prefix);
}

/** The escalation service as a real process (so it can be killed with SIGKILL). */
export class EscalationProcess {
  private child?: ServiceProcess;
  url = '';

  constructor(private readonly env: Env) {}

  /** What it printed (the tail). */
  get output(): string {
    return this.child?.output ?? '';
  }

  async start(): Promise<void> {
    const port = await freePort();
    this.child = ServiceProcess.spawn({
      label: 'escalation',
      args: ['-r', '@swc-node/register', resolve(root, 'apps/escalation/src/main.ts')],
      cwd: root,
      env: { ...process.env, ...this.env.vars, HTTP_PORT: String(port) },
      port,
    });
    this.url = this.child.url;
    await this.child.waitHealthy(60_000);
  }

  /** SIGTERM (and waits for a clean stop), or SIGKILL: a crash. */
  stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    if (!this.child) return Promise.resolve();
    return signal === 'SIGKILL' ? this.child.kill9() : this.child.stop();
  }
}

/** An approval.requested as the router sends it, for the refunds manifest's process_refund. */
export function request(
  overrides: {
    route?: 'human_review' | 'escalate' | 'post_review';
    path?: string[];
    slaDeadline?: Date;
    expiresAt?: Date | null;
    onTimeout?: 'deny' | 'escalate' | 'approve';
    action?: string;
    onBehalfOf?: string;
    requiredApprovals?: number;
    amount?: number;
    parameters?: Record<string, unknown>;
  } = {},
): CloudEvent<typeof APPROVAL_REQUESTED> {
  const event = exampleEvent(APPROVAL_REQUESTED, { id: randomUUID() });
  const decisionId = randomUUID();
  const path = overrides.path ?? ['support_agent', 'finance_lead'];
  const parameters = overrides.parameters ?? { order_id: `ORD-${decisionId.slice(0, 6)}`, amount_usd: overrides.amount ?? 120 };
  event.subject = decisionId;
  event.workspaceid = 'acme-support';
  Object.assign(event.data, {
    approval_id: randomUUID(),
    decision_id: decisionId,
    route: overrides.route ?? 'human_review',
    reviewer_role: path[0],
    escalation_path: path,
    sla_deadline: (overrides.slaDeadline ?? new Date(Date.now() + 3_600_000)).toISOString(),
    expires_at: overrides.expiresAt === null ? null : (overrides.expiresAt ?? new Date(Date.now() + 900_000)).toISOString(),
    on_timeout: overrides.onTimeout ?? 'deny',
    required_approvals: overrides.requiredApprovals ?? 1,
    payload_hash: payloadHash(overrides.action ?? 'process_refund', parameters),
  });
  Object.assign(event.data.decision, {
    decision_id: decisionId,
    action: overrides.action ?? 'process_refund',
    parameters,
    on_behalf_of: overrides.onBehalfOf ?? 'customer:c-1',
  });
  return event;
}

/** Sends requests as the router does: each signed (by its rightful producer, the router, unless `as` names another key). */
export const publish = (env: Env, events: AnyEvent[], as?: string) =>
  sendMessages(
    kafka,
    events.map((e) => ({ topic: `${env.prefix}approval.requested`, key: e.subject, value: JSON.stringify(signed(e, as)) })),
  );

/** Sends bytes as they are (unsigned, or signed with any key) on a topic of the env. */
export const sendRaw = (env: Env, topic: string, messages: { key: string; value: string }[]) =>
  sendMessages(
    kafka,
    messages.map((m) => ({ topic: `${env.prefix}${topic}`, ...m })),
  );

/** Reads a topic from the beginning until `enough` holds. */
export async function readUntil(env: Env, topic: string, enough: (events: AnyEvent[]) => boolean, timeoutMs = 45_000): Promise<AnyEvent[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const events: AnyEvent[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: `${env.prefix}${topic}`, fromBeginning: true });
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`only ${events.length} events on ${topic}: ${JSON.stringify(events.map((e) => [e.type, e.subject]))}`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }: { message: KafkaMessage }) => {
          events.push(JSON.parse(message.value!.toString()));
          if (enough(events)) {
            clearTimeout(timer);
            done();
          }
        },
      });
    });
    return events;
  } finally {
    await consumer.disconnect();
  }
}

export const of = (events: AnyEvent[], decisionId: string) => events.filter((e) => e.subject === decisionId);

/** One escalation process for a describe block (with `settings` over the env's): started before its tests, stopped (and its database and topics dropped) after them. */
export function escalationForSuite(settings: Record<string, string> = {}): { readonly env: Env; readonly service: EscalationProcess } {
  const suite = {} as { env: Env; service: EscalationProcess };
  beforeAll(async () => {
    suite.env = await newEnv();
    Object.assign(suite.env.vars, settings);
    suite.service = new EscalationProcess(suite.env);
    await suite.service.start();
  });
  afterAll(async () => {
    await suite.service?.stop();
    if (suite.env) await dropEnv(suite.env);
  });
  return suite;
}

/** A dead letter as the specs read it: the event id (null when not JSON) and the letter's reason. */
export interface Letter {
  id: string | null;
  code: string;
  reason: string;
}

/** Reads a DLQ topic from the beginning until every event id in `ids` is there. */
export async function deadLetters(env: Env, topic: string, ids: string[], timeoutMs = 45_000): Promise<Letter[]> {
  const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const letters: Letter[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: `${env.prefix}${topic}`, fromBeginning: true });
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`not all of ${ids.join(', ')} on ${topic}: ${JSON.stringify(letters)}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          let id: string | null = null;
          try {
            id = JSON.parse(message.value!.toString()).id;
          } catch {
            // not JSON: no id
          }
          letters.push({ id, code: String(message.headers?.['hitl-dlq-error-code']), reason: String(message.headers?.['hitl-dlq-error']) });
          if (ids.every((wanted) => letters.some((l) => l.id === wanted))) {
            clearTimeout(timer);
            done();
          }
        },
      });
    });
    return letters;
  } finally {
    await consumer.disconnect();
  }
}
