// Every change of the reviewer directory on the audit record, end to end: the escalation and
// the audit as real processes on one database and topic prefix. Changes made through the
// escalation's admin API (and the reviewers file at start) are found on each workspace's
// record by its auditors, verified as the escalation service's, in plain words; a refused
// self-widening leaves nothing there.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIRECTORY_REVIEWER_CHANGED } from '@hitl/contracts';
import { Launcher, databaseUrl, deleteTopicsStartingWith, eventually, httpCall, query, testTrust } from '@hitl/testing';
import { Kafka, logLevel } from 'kafkajs';

const id = randomBytes(4).toString('hex');
const database = `hitl_t_auddir_${id}`;
const prefix = `t-auddir-${id}.`;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'audit-directory-test', brokers, logLevel: logLevel.NOTHING });
const TOKENS = {
  grace: `grace-${randomBytes(12).toString('hex')}`,
  // The committed auditors file: aud-ines reads acme-support, aud-compliance every workspace.
  ines: `ines-${randomBytes(12).toString('hex')}`,
  compliance: `compliance-${randomBytes(12).toString('hex')}`,
};

interface Row {
  event_id: string;
  workspace: string;
  type: string;
  step: string;
  summary: string;
  status: string;
  verified: boolean | null;
  signer: string | null;
  actor: { kind: string; id: string };
  decision_id: string;
  event: { subject: string; data: { change_id: string; reviewer_id: string; change: string; changed_by: string } };
}

describe('directory changes on the audit record', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hitl-auddir-'));
  const reviewersPath = join(dir, 'reviewers.yaml');
  writeFileSync(
    reviewersPath,
    `reviewers:
  - { id: rev-grace, name: Grace, roles: [], workspaces: [acme-support, globex-billing], admin: true, token_env: REVIEWER_TOKEN_GRACE }
  - { id: rev-dana, name: Dana, roles: [finance_lead], workspaces: [acme-support] }
`,
  );
  const launcher = new Launcher({
    from: 'source',
    readyTimeoutMs: 90_000,
    settings: {
      databaseUrl: databaseUrl({ database }),
      brokers,
      topicPrefix: prefix,
      logLevel: process.env.HITL_TEST_VERBOSE ? 'debug' : 'warn',
      reviewersPath,
      reviewerTokens: { grace: TOKENS.grace },
      auditorTokens: { ines: TOKENS.ines, compliance: TOKENS.compliance },
    },
    trust: (name) => testTrust().env(name),
  });
  let escalation = '';
  let audit = '';

  const admin = async (method: string, path: string, body?: unknown) => (await httpCall(`${escalation}${path}`, { method, token: TOKENS.grace, body })).status;
  /** The directory changes on one workspace's record, as its auditor reads them. */
  const recorded = async (workspace: string, token: string): Promise<Row[]> => {
    const answer = await httpCall(`${audit}/audit/events?workspace=${encodeURIComponent(workspace)}&type=${DIRECTORY_REVIEWER_CHANGED}&limit=500`, { token });
    expect(answer.status).toBe(200);
    return (answer.json as { items: Row[] }).items;
  };
  const changesOf = async (workspace: string, token: string, reviewerId: string, count: number) =>
    eventually(
      `${count} changes of ${reviewerId} on the record of ${workspace}`,
      async () => {
        const rows = (await recorded(workspace, token)).filter((r) => r.event.data.reviewer_id === reviewerId);
        return rows.length >= count && rows;
      },
      { timeoutMs: 60_000, everyMs: 250 },
    );

  beforeAll(async () => {
    await query(`CREATE DATABASE "${database}"`);
    await launcher.startAll(['escalation', 'audit']);
    escalation = launcher.url('escalation');
    audit = launcher.url('audit');
  }, 180_000);

  afterAll(async () => {
    await launcher.stop();
    await query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    await deleteTopicsStartingWith(kafka, prefix);
  });

  it('every change made through the admin API is on the timeline of each workspace it touches, verified, in plain words', async () => {
    expect(await admin('PUT', '/reviewers/rev-nora', { name: 'Nora', roles: ['support_agent'], workspaces: ['acme-support'] })).toBe(201);
    expect(await admin('PATCH', '/reviewers/rev-nora', { roles: ['support_agent', 'finance_lead'] })).toBe(200);
    expect(await admin('PATCH', '/reviewers/rev-nora', { workspaces: ['acme-support', 'globex-billing'], aliases: ['nora@example.com'] })).toBe(200);
    expect(await admin('POST', '/reviewers/rev-nora/token')).toBe(201);
    expect(await admin('PATCH', '/reviewers/rev-nora', { available: false })).toBe(200);
    expect(await admin('DELETE', '/reviewers/rev-nora')).toBe(204);

    const acme = await changesOf('acme-support', TOKENS.ines, 'rev-nora', 6);
    expect(acme.map((r) => r.summary)).toEqual([
      'rev-grace added reviewer rev-nora: roles support_agent in acme-support',
      'rev-grace changed reviewer rev-nora: roles: support_agent → support_agent, finance_lead',
      'rev-grace changed reviewer rev-nora: workspaces: acme-support → acme-support, globex-billing; aliases: none → nora@example.com',
      'rev-grace issued a new sign-in token for reviewer rev-nora (the previous one no longer works)',
      'rev-grace changed reviewer rev-nora: available: true → false',
      'rev-grace removed reviewer rev-nora (had roles support_agent, finance_lead in acme-support, globex-billing)',
    ]);
    for (const row of acme) {
      expect(row).toMatchObject({
        workspace: 'acme-support',
        type: DIRECTORY_REVIEWER_CHANGED,
        step: 'directory_changed',
        status: 'verified',
        verified: true,
        signer: 'service:escalation',
        actor: { kind: 'reviewer', id: 'rev-grace' },
      });
    }
    // globex-billing's record has her from the change that gave her globex-billing on.
    const globex = await changesOf('globex-billing', TOKENS.compliance, 'rev-nora', 4);
    expect(globex.map((r) => r.event.data.change)).toEqual(['updated', 'token_issued', 'updated', 'removed']);
    expect(globex[0].event.data.change_id).toBe(acme[2].event.data.change_id); // one change, a copy on each record

    // The change's own timeline: every copy of it the auditor may read.
    const timeline = await httpCall(`${audit}/audit/decisions/${acme[2].event.data.change_id}/timeline`, { token: TOKENS.compliance });
    expect(timeline.status).toBe(200);
    expect((timeline.json as { workspaces: string[]; steps: Row[] }).workspaces.sort()).toEqual(['acme-support', 'globex-billing']);
    // An auditor of acme-support does not read globex-billing's copy, nor the other way round.
    expect((await httpCall(`${audit}/audit/events?workspace=globex-billing&type=${DIRECTORY_REVIEWER_CHANGED}`, { token: TOKENS.ines })).status).toBe(403);
  });

  it('a reviewer of every workspace is on the "*" record, which auditors of every workspace read', async () => {
    expect(await admin('PUT', '/reviewers/rev-star', { name: 'Star', roles: ['team_lead'], workspaces: ['*'] })).toBe(201);
    const [row] = await changesOf('*', TOKENS.compliance, 'rev-star', 1);
    expect(row).toMatchObject({ workspace: '*', verified: true, summary: 'rev-grace added reviewer rev-star: roles team_lead in every workspace' });
  });

  it('the reviewers file at start is there too, as the file’s', async () => {
    const [row] = await changesOf('acme-support', TOKENS.ines, 'rev-dana', 1);
    expect(row).toMatchObject({
      actor: { kind: 'system', id: 'reviewers file' },
      summary: 'the reviewers file added reviewer rev-dana: roles finance_lead in acme-support',
    });
  });

  it('an admin widening their own roles is refused, and nothing about it reaches the record', async () => {
    expect(await admin('PATCH', '/reviewers/rev-grace', { roles: ['finance_lead'] })).toBe(403);
    expect(await admin('PATCH', '/reviewers/rev-dana', { capacity: 2 })).toBe(200); // a later change, to know the record caught up
    await changesOf('acme-support', TOKENS.ines, 'rev-dana', 2);
    const grace = (await recorded('acme-support', TOKENS.ines)).filter((r) => r.event.data.reviewer_id === 'rev-grace');
    expect(grace.map((r) => r.event.data.change)).toEqual(['added']);
  });
});
