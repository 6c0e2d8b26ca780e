// The whole system for an end-to-end spec: the four services as real processes on one
// fresh database and topic prefix, the committed reviewers and auditors with test tokens.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HitlAgent } from '@hitl/agent-sdk';
import { kafkaClientSecurity, loadKafkaSecurity } from '@hitl/messaging';
import { AppName, Launcher, SERVICES, ServiceName, databaseUrl, deleteTopicsStartingWith, eventually, httpCall, query, testTrust } from '@hitl/testing';
import { Kafka, logLevel } from 'kafkajs';

export const root = resolve(__dirname, '../../..');
export { SERVICES, type ServiceName };

/**
 * An action added to the refunds manifest for one run: pause_subscription runs at once and
 * can be rolled back for only 3 s, though a reviewer may still look at it for ten minutes.
 */
export function withShortRollbackAction(manifest: string): string {
  const action = [
    '  pause_subscription:',
    '    severity: high',
    '    reversible: true',
    '    rollback_window_seconds: 3',
    '    post_review_window_seconds: 600',
    '    escalation_path: [support_agent]',
    '    parameters_schema: { type: object, required: [subscription_id] }',
    '    owner: billing-team',
    '',
  ].join('\n');
  if (!manifest.includes('  close_ticket:\n')) throw new Error('the refunds manifest has no close_ticket action to add pause_subscription before');
  return manifest.replace('  close_ticket:\n', `${action}  close_ticket:\n`);
}

export const TOKENS = {
  alice: `alice-${randomBytes(12).toString('hex')}`,
  dana: `dana-${randomBytes(12).toString('hex')}`,
  compliance: `compliance-${randomBytes(12).toString('hex')}`,
  // The security matrix's people: another support agent, another finance lead, the admin,
  // the reviewers' auditor, the other workspace's reviewer, and the audit's workspace auditor.
  bruno: `bruno-${randomBytes(12).toString('hex')}`,
  emil: `emil-${randomBytes(12).toString('hex')}`,
  // The team lead: the refunds manifest's classify role for unknown actions.
  farah: `farah-${randomBytes(12).toString('hex')}`,
  grace: `grace-${randomBytes(12).toString('hex')}`,
  hassan: `hassan-${randomBytes(12).toString('hex')}`,
  ines: `ines-${randomBytes(12).toString('hex')}`,
  auditorInes: `auditor-ines-${randomBytes(12).toString('hex')}`,
  // The demo's rubber stamp, a support agent (review quality).
  hugo: `hugo-${randomBytes(12).toString('hex')}`,
};

const SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const LINK_SECRET = randomBytes(32).toString('hex');

export class Stack {
  readonly id = randomBytes(4).toString('hex');
  readonly database = `hitl_t_e2e_${this.id}`;
  readonly prefix = `t-e2e-${this.id}.`;
  readonly brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  // TLS and SASL as the services take them (they inherit KAFKA_SSL*, KAFKA_SASL*).
  readonly kafka = new Kafka({
    clientId: 'e2e',
    brokers: this.brokers.split(','),
    ...kafkaClientSecurity(loadKafkaSecurity(process.env)),
    logLevel: logLevel.NOTHING,
  });
  readonly urls = {} as Record<ServiceName | 'gateway', string>;
  readonly manifestPath: string;
  // From the sources (no build needed), with the committed reviewers and auditors and the run's test keys.
  private readonly launcher: Launcher;

  /**
   * `edit` rewrites the refunds manifest for this run (e.g. a short timeout); `reviewersPath`
   * replaces the committed reviewers file; `env` sets more variables of one app.
   */
  constructor(edit: (manifest: string) => string = (m) => m, options: { reviewersPath?: string; env?: Partial<Record<AppName, Record<string, string>>> } = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'hitl-e2e-'));
    this.manifestPath = join(dir, 'manifest.yaml');
    writeFileSync(this.manifestPath, edit(readFileSync(resolve(root, 'manifests/refunds.yaml'), 'utf8')));
    this.launcher = new Launcher({
      from: 'source',
      readyTimeoutMs: 90_000,
      settings: {
        databaseUrl: this.databaseUrl,
        brokers: this.brokers.split(','),
        topicPrefix: this.prefix,
        logLevel: process.env.HITL_TEST_VERBOSE ? 'debug' : 'warn',
        manifestPath: this.manifestPath,
        reviewersPath: options.reviewersPath,
        // Specs shorten approval timeouts to seconds: a tier's least share is lowered to match.
        minTierShareSeconds: 1,
        slaScanIntervalMs: 200,
        reviewerTokens: {
          alice: TOKENS.alice,
          dana: TOKENS.dana,
          bruno: TOKENS.bruno,
          emil: TOKENS.emil,
          farah: TOKENS.farah,
          grace: TOKENS.grace,
          hassan: TOKENS.hassan,
          ines: TOKENS.ines,
          hugo: TOKENS.hugo,
        },
        auditorTokens: { compliance: TOKENS.compliance, ines: TOKENS.auditorInes },
      },
      // Signed chain heads and one-click links are on, so their endpoints answer for real.
      env: (name) => ({ AUDIT_SIGNING_KEY: SIGNING_KEY, NOTIFY_LINK_SECRET: LINK_SECRET, ...options.env?.[name] }),
      // Throwaway keys: the services' signing keys, their keysets, the agent registry.
      trust: (name) => testTrust().env(name),
    });
  }

  get databaseUrl(): string {
    return databaseUrl({ database: this.database });
  }

  /** Creates the run's database and starts `services` (all four unless told; the agent gateway only when named). */
  async start(services: readonly (ServiceName | 'gateway')[] = SERVICES): Promise<void> {
    await query(`CREATE DATABASE "${this.database}"`);
    await this.launcher.startAll(services);
    for (const name of services) this.urls[name] = this.launcher.url(name);
  }

  async stop(): Promise<void> {
    await this.launcher.stop();
    await query(`DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`).catch(() => undefined);
    await deleteTopicsStartingWith(this.kafka, this.prefix);
  }

  /** One more replica of `name`, in the same consumer group (a second router, say); its URL. */
  async addReplica(name: ServiceName): Promise<string> {
    return (await this.launcher.start(name)).url;
  }

  /** How many replicas of `name` run. */
  replicaCount(name: ServiceName): number {
    return this.launcher.replicas(name).length;
  }

  /** Every replica of `name` stopped (SIGTERM), then as many started again: the whole group restarted. */
  /** Every replica of `name` killed with kill -9 (a crash), then as many started again on the same ports. */
  async crashAll(name: ServiceName | 'gateway'): Promise<void> {
    const replicas = this.launcher.replicas(name);
    await Promise.all(replicas.map((r) => r.kill9()));
    await this.eventually(`every ${name} replica to be gone`, async () => this.launcher.replicas(name).length === 0, 30_000);
    for (let i = 0; i < replicas.length; i++) await this.launcher.start(name);
  }

  async restartAll(name: ServiceName): Promise<void> {
    const replicas = this.launcher.replicas(name);
    await Promise.all(replicas.map((r) => r.stop()));
    await this.eventually(`every ${name} replica to be gone`, async () => this.launcher.replicas(name).length === 0, 30_000);
    for (let i = 0; i < replicas.length; i++) await this.launcher.start(name);
  }

  /** An HTTP call to a service with a bearer token; the JSON answer (or text). */
  async call(service: ServiceName | 'gateway', method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
    const answer = await httpCall(`${this.urls[service]}${path}`, { method, token, body });
    return { status: answer.status, json: answer.json ?? answer.text };
  }

  /**
   * The refund agent of acme-support on this stack, not started: it signs with its key of the
   * test registry and believes the router's and escalation's keys as their GET /keys publishes them.
   */
  async agent(clientId: string): Promise<HitlAgent> {
    const keysOf = async (service: 'router' | 'escalation') => (await fetch(`${this.urls[service]}/keys`)).json();
    return new HitlAgent({
      brokers: this.brokers.split(','),
      clientId,
      agentId: 'refund-bot',
      workspace: 'acme-support',
      topicPrefix: this.prefix,
      signingKey: testTrust().key('refund-bot'),
      trustedKeys: { router: await keysOf('router'), escalation: await keysOf('escalation') },
    });
  }

  /** @hitl/testing's `eventually` at the stack's pace: every 250 ms, 60 s unless told. */
  eventually<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
    return eventually(what, check, { timeoutMs, everyMs: 250 });
  }
}
