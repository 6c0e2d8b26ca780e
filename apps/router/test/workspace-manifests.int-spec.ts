// A manifest per workspace: MANIFEST_PATH names a directory of default.yaml and
// <workspace>.yaml files, and the router routes each workspace by its own manifest (else
// the default), stamping each outcome with that manifest's version. The router runs as a
// real process on the real broker and database.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadManifest } from '@hitl/policy';
import { Launcher, databaseUrl, deleteTopicsStartingWith, eventually, query, sendMessages, testTrust } from '@hitl/testing';
import { Kafka, logLevel } from 'kafkajs';
import { proposal, wire } from './support/raw-proposal';

const root = resolve(__dirname, '../../..');
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const kafka = new Kafka({ clientId: 'router-workspaces-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const id = randomBytes(4).toString('hex');
const database = `hitl_t_router_ws_${id}`;
const prefix = `t-router-ws-${id}.`;

// The default: refunds under $50 go alone. globex-billing's own: under $500.
const refunds = readFileSync(resolve(root, 'manifests/refunds.yaml'), 'utf8');
const globex = refunds.replace('auto_approve_below_usd: 50', 'auto_approve_below_usd: 500');
const dir = mkdtempSync(join(tmpdir(), 'hitl-manifests-'));
writeFileSync(join(dir, 'default.yaml'), refunds);
writeFileSync(join(dir, 'globex-billing.yaml'), globex);

const launcher = new Launcher({
  from: 'source',
  readyTimeoutMs: 90_000,
  settings: { databaseUrl: databaseUrl({ database }), brokers: brokers.split(','), topicPrefix: prefix, manifestPath: dir, logLevel: 'warn' },
  trust: (name) => testTrust().env(name),
});

describe('a manifest per workspace', () => {
  beforeAll(async () => {
    await query(`CREATE DATABASE "${database}"`);
    await launcher.start('router');
  }, 120_000);

  afterAll(async () => {
    await launcher.stop();
    await query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    await deleteTopicsStartingWith(kafka, prefix);
  });

  it('routes the same proposal differently in two workspaces, each stamped with its own manifest version', async () => {
    const proposals = ['acme-support', 'globex-billing', 'initech'].map((workspaceid) =>
      proposal({ workspaceid, parameters: { order_id: 'ORD-7', amount_usd: 120 }, confidence: 0.9 }),
    );
    await sendMessages(
      kafka,
      proposals.map((p) => ({ topic: `${prefix}decision.proposed`, key: p.subject, value: wire(p) })),
    );
    const rows = await eventually(
      'three decisions routed',
      async () => {
        const found = await query<{ workspace: string; verdict: string; manifest_version: string }>(
          'SELECT workspace, verdict, manifest_version FROM router.decisions ORDER BY workspace',
          [],
          databaseUrl({ database }),
        );
        return found.length === 3 && found;
      },
      { timeoutMs: 60_000 },
    );
    const defaultVersion = loadManifest(refunds).version;
    const globexVersion = loadManifest(globex).version;
    expect(defaultVersion).not.toBe(globexVersion);
    expect(rows).toEqual([
      // acme-support and initech have no manifest of their own: the default asks a person for $120.
      { workspace: 'acme-support', verdict: 'human_review', manifest_version: defaultVersion },
      { workspace: 'globex-billing', verdict: 'auto_approve', manifest_version: globexVersion },
      { workspace: 'initech', verdict: 'human_review', manifest_version: defaultVersion },
    ]);

    // GET /manifest says which manifest a workspace gets.
    const shown = async (workspace: string) =>
      (await (await fetch(`${launcher.url('router')}/manifest?workspace=${workspace}`)).json()) as Record<string, unknown>;
    expect(await shown('globex-billing')).toMatchObject({
      version: globexVersion,
      manifest_of: 'globex-billing',
      workspaces: { 'globex-billing': globexVersion },
    });
    expect(await shown('initech')).toMatchObject({ version: defaultVersion, manifest_of: 'default' });
  }, 120_000);
});
