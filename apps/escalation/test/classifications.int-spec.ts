// Unknown actions, classified by a person, on the real broker and database: the router's
// blocks of an action the manifest does not know add up to one item per workspace and action
// (each decision once), which the manifest's classify role reads and classifies into a
// suggested manifest change; nothing approves the blocked decisions, and a resolution not
// signed by the router counts nothing.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { APPROVAL_RESOLVED, AnyEvent, CloudEvent, DecisionProposedData, exampleDecision, newEvent, payloadHash } from '@hitl/contracts';
import { loadManifest, route } from '@hitl/policy';
import { eventually, httpCall, query, readWholeTopic, signed } from '@hitl/testing';
import { applyPatch } from 'diff';
import { Env, EscalationProcess, REVIEWERS, TOKENS, deadLetters, dropEnv, kafka, newEnv, root, sendRaw } from './support/escalation-harness';

const ACME = 'acme-support';
const GLOBEX = 'globex-billing';
const REFUNDS = readFileSync(resolve(root, 'manifests/refunds.yaml'), 'utf8');
const CLASSIFY_LINE = /^unknown_actions: .*\n/m;
/** The people of this spec beside the harness's: acme's team lead (the classify role), an auditor, globex's team lead. */
const PEOPLE: Record<string, string> = {
  farah: 'farah-token-0123456789',
  hank: 'hank-token-0123456789',
  gwen: 'gwen-token-0123456789',
  ...TOKENS,
};
const MORE_REVIEWERS = `
  - { id: farah, name: Farah, roles: [team_lead], workspaces: [acme-support], token_env: REVIEWER_TOKEN_FARAH }
  - { id: hank, name: Hank, roles: [], workspaces: [acme-support], auditor: true, token_env: REVIEWER_TOKEN_HANK }
  - { id: gwen, name: Gwen, roles: [team_lead], workspaces: [globex-billing], token_env: REVIEWER_TOKEN_GWEN }
`;
const SECRET = 'sk-live-0123456789abcdef';

/** An agent's proposal of `action`. */
function proposal(action: string, parameters: Record<string, unknown>): DecisionProposedData {
  return { ...structuredClone(exampleDecision), decision_id: randomUUID(), action, parameters, summary: `Run ${action}.` };
}

/**
 * The router's answer to a proposal, routed by the workspace's manifest as the router routes it:
 * for an action the manifest does not know, `blocked` at once.
 */
function routed(decision: DecisionProposedData, manifestYaml: string, workspace = ACME): CloudEvent<typeof APPROVAL_RESOLVED> {
  const routing = route(decision, loadManifest(manifestYaml), new Date());
  if (routing.verdict !== 'block' && routing.verdict !== 'auto_approve') throw new Error(`${decision.action} goes to a person (${routing.verdict})`);
  return newEvent(
    APPROVAL_RESOLVED,
    {
      decision_id: decision.decision_id,
      approval_id: null,
      status: routing.verdict === 'block' ? 'blocked' : 'approved',
      resolved_by: { kind: 'policy', id: routing.manifestVersion },
      parameters: decision.parameters,
      edited: false,
      reasons: routing.reasons,
      notes: null,
      chosen_option: null,
      manifest_version: routing.manifestVersion,
      confidence: decision.confidence,
      action: decision.action,
      payload_hash: payloadHash(decision.action, decision.parameters),
    },
    { source: 'hitl/router', workspaceid: workspace },
  );
}

/** The patch applied to the file's text, as code review would apply it (the unit specs apply such patches with git too). */
function applied(patch: string, original: string): string {
  const result = applyPatch(original, patch);
  if (result === false) throw new Error(`the patch does not apply:\n${patch}`);
  return result;
}

describe('unknown actions, classified by a person', () => {
  let env: Env;
  let service: EscalationProcess;
  let manifestDir: string;

  const call = (method: string, path: string, who: string, body?: unknown) => httpCall(`${service.url}${path}`, { method, token: PEOPLE[who], body });
  const items = async (who: string, status = 'open') => (await call('GET', `/classifications?status=${status}`, who)).json?.items as any[];
  const itemOf = (workspace: string, action: string) =>
    query<{ id: string; occurrences: number; status: string; alerted_at: Date | null }>(
      'SELECT id, occurrences, status, alerted_at FROM escalation.classifications WHERE workspace = $1 AND action = $2',
      [workspace, action],
      env.databaseUrl,
    );
  /** Sends resolutions as their producer does (each signed by its rightful producer, or by `as`), keyed by `key` or their decision. */
  const publishResolved = (events: AnyEvent[], options: { as?: string; key?: string } = {}) =>
    sendRaw(
      env,
      'approval.resolved',
      events.map((e) => ({ key: options.key ?? e.subject, value: JSON.stringify(signed(e, options.as)) })),
    );

  beforeAll(async () => {
    env = await newEnv();
    // A manifest per workspace: acme's (the default) names a classify role, globex's names none.
    manifestDir = mkdtempSync(join(tmpdir(), 'hitl-manifests-'));
    writeFileSync(join(manifestDir, 'default.yaml'), REFUNDS);
    writeFileSync(join(manifestDir, `${GLOBEX}.yaml`), REFUNDS.replace(CLASSIFY_LINE, ''));
    writeFileSync(env.reviewersPath, `${REVIEWERS.trimEnd()}${MORE_REVIEWERS}`);
    Object.assign(env.vars, {
      MANIFEST_PATH: manifestDir,
      REVIEWER_TOKEN_FARAH: PEOPLE.farah,
      REVIEWER_TOKEN_HANK: PEOPLE.hank,
      REVIEWER_TOKEN_GWEN: PEOPLE.gwen,
    });
    service = new EscalationProcess(env);
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    if (env) await dropEnv(env);
  });

  const wire = [1, 2, 3].map((n) => proposal('wire_money', { iban: `DE89370400440532013${n}`, amount_usd: 9000 + n, api_key: SECRET }));
  const blocks = wire.map((d) => routed(d, REFUNDS));

  it('counts three blocked proposals of an unknown action on ONE item, each decision once', async () => {
    // The router blocks each at once: the agent never waits for the classification.
    expect(blocks.map((b) => [b.data.status, b.data.reasons[0].rule])).toEqual(Array(3).fill(['blocked', 'unknown_action']));
    await publishResolved(blocks);
    // At-least-once delivery: the same message again, and the decision's resolution again under another event id.
    await publishResolved([blocks[0], { ...blocks[1], id: randomUUID() }]);
    // A resolution the router approved, and one of its blocks for another reason: no item.
    const fine = routed(proposal('query_crm', { customer_id: 'c-1' }), REFUNDS);
    const badParameters = routed(proposal('unknown_so_far', {}), REFUNDS);
    Object.assign(badParameters.data, { action: 'process_refund', reasons: [{ rule: 'parameters_invalid', detail: 'order_id is missing' }] });
    await publishResolved([fine, badParameters]);

    await eventually('the item to count three', async () => (await itemOf(ACME, 'wire_money'))[0]?.occurrences === 3);
    const list = await items('farah');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ workspace: ACME, action: 'wire_money', status: 'open', occurrences: 3, classify_role: 'team_lead', closed_by: null });
    expect(list[0].examples).toHaveLength(3);
    expect(new Set(list[0].examples.map((e: { decision_id: string }) => e.decision_id))).toEqual(new Set(wire.map((d) => d.decision_id)));
    for (const example of list[0].examples) expect(example.parameter_names).toEqual(['amount_usd', 'api_key', 'iban']);
    // Names only: the values (a secret nobody declared for redaction yet) are stored nowhere here.
    expect(JSON.stringify(list)).not.toContain(SECRET);
    const stored = await query<{ row: string }>(
      `SELECT c::text AS row FROM escalation.classifications c UNION ALL SELECT s::text FROM escalation.classification_sightings s`,
      [],
      env.databaseUrl,
    );
    expect(stored.map((r) => r.row).join('\n')).not.toContain(SECRET);
    expect(await query('SELECT 1 FROM escalation.classifications WHERE action = ANY($1)', [['query_crm', 'process_refund']], env.databaseUrl)).toEqual([]);
  });

  it('shows the item only to the classify role of its workspace, and to its auditors', async () => {
    const [item] = await items('farah');
    expect({
      supportAgent: await items('alice'),
      financeLead: await items('dan'),
      admin: await items('adam'),
      otherWorkspace: await items('zed'),
      auditor: (await items('hank')).map((i) => i.id),
    }).toEqual({ supportAgent: [], financeLead: [], admin: [], otherWorkspace: [], auditor: [item.id] });
    expect((await call('GET', `/classifications/${item.id}`, 'farah')).json).toEqual(item);
    const refusals = await Promise.all(['alice', 'zed', 'adam'].map(async (who) => (await call('GET', `/classifications/${item.id}`, who)).json.code));
    expect(refusals).toEqual(['wrong_role', 'wrong_workspace', 'wrong_role']);
    expect((await call('GET', `/classifications/${randomUUID()}`, 'farah')).json.code).toBe('classification_not_found');
    expect((await call('GET', '/classifications/not-a-uuid', 'farah')).status).toBe(400);
    expect((await httpCall(`${service.url}/classifications`)).status).toBe(401);
  });

  it('classifies it into a manifest change that loads and routes the action; the blocked decisions stay blocked', async () => {
    const [item] = await items('farah');
    const classification = {
      severity: 'critical',
      reversible: false,
      escalation_path: ['finance_lead'],
      owner: 'payments-team',
      parameters_schema: { type: 'object', required: ['iban', 'amount_usd'] },
    };
    // Only the classify role; and a classification the manifest would refuse changes nothing.
    expect((await call('POST', `/classifications/${item.id}/classify`, 'dan', classification)).json.code).toBe('wrong_role');
    expect((await call('POST', `/classifications/${item.id}/classify`, 'hank', classification)).json.code).toBe('wrong_role');
    const contradictory = await call('POST', `/classifications/${item.id}/classify`, 'farah', {
      ...classification,
      approval_required: true,
      mode: 'autonomous',
    });
    expect(contradictory.status).toBe(422);
    expect(contradictory.json).toMatchObject({ code: 'classification_invalid', issues: [expect.objectContaining({ path: 'actions.wire_money.mode' })] });
    expect((await call('POST', `/classifications/${item.id}/classify`, 'farah', { ...classification, severity: 'huge' })).status).toBe(400);
    expect((await itemOf(ACME, 'wire_money'))[0].status).toBe('open');

    const answer = await call('POST', `/classifications/${item.id}/classify`, 'farah', classification);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      mode: 'approve_before',
      manifest_path: join(manifestDir, 'default.yaml'),
      manifest_version: loadManifest(REFUNDS).version,
      classification: { id: item.id, status: 'classified', closed_by: 'farah', classification, suggested_patch: answer.json.patch },
    });
    expect(answer.json.patch).toContain('+  wire_money:\n+    severity: critical\n');
    expect(answer.json.patch).toMatch(
      /\+ {2}# classified by farah on \d{4}-\d{2}-\d{2} for the default manifest .*: 3 blocked decision\(s\) of workspace acme-support/,
    );

    // Applied to the manifest (as code review would), it loads and routes the action to a person.
    const patched = applied(answer.json.patch, readFileSync(join(manifestDir, 'default.yaml'), 'utf8'));
    const next = proposal('wire_money', { iban: 'DE89370400440532013000', amount_usd: 9000 });
    expect(route(next, loadManifest(REFUNDS), new Date()).reasons[0].rule).toBe('unknown_action');
    expect(route(next, loadManifest(patched), new Date())).toMatchObject({
      verdict: 'human_review',
      mode: 'approve_before',
      approval: expect.objectContaining({ reviewer_role: 'finance_lead' }),
    });
    // The file the service loaded is as it was: the change goes through review, not through this API.
    expect(readFileSync(join(manifestDir, 'default.yaml'), 'utf8')).toBe(REFUNDS);
    // Once classified, nobody classifies it again.
    expect((await call('POST', `/classifications/${item.id}/classify`, 'farah', classification)).json.code).toBe('already_closed');

    // Nothing approved the blocked decisions: their only outcome is the router's block, and escalation opened nothing for them.
    const ids = wire.map((d) => d.decision_id);
    await new Promise((r) => setTimeout(r, 1_500)); // anything escalation emitted would have been relayed by now
    const resolved = (await readWholeTopic(kafka, `${env.prefix}approval.resolved`)).map((m) => JSON.parse(m.value!.toString()) as AnyEvent);
    expect(resolved.filter((e) => ids.includes(e.subject)).map((e) => (e.data as { status: string }).status)).toEqual(Array(5).fill('blocked'));
    expect(resolved.filter((e) => e.source !== 'hitl/router')).toEqual([]);
    expect(await query('SELECT 1 FROM escalation.approvals WHERE decision_id = ANY($1::uuid[])', [ids], env.databaseUrl)).toEqual([]);

    // Later blocks (the change is not in force yet) count on the same item; it stays classified.
    await publishResolved([routed(proposal('wire_money', { iban: 'x', amount_usd: 1 }), REFUNDS)]);
    await eventually('the fourth block counted', async () => (await itemOf(ACME, 'wire_money'))[0]?.occurrences === 4);
    expect((await itemOf(ACME, 'wire_money'))[0].status).toBe('classified');
    expect(await items('farah')).toEqual([]);
    expect((await items('farah', 'classified')).map((i) => [i.action, i.occurrences])).toEqual([['wire_money', 4]]);
  });

  it('dismisses a name the agent got wrong', async () => {
    await publishResolved([routed(proposal('proces_refund', { order_id: 'o-1', amount_usd: 20 }), REFUNDS)]);
    const [item] = await eventually('the typo item', async () => {
      const open = await items('farah');
      return open.length === 1 ? open : undefined;
    });
    expect(item.action).toBe('proces_refund');
    expect((await call('POST', `/classifications/${item.id}/dismiss`, 'farah', {})).status).toBe(400);
    expect((await call('POST', `/classifications/${item.id}/dismiss`, 'alice', { reason: 'typo' })).json.code).toBe('wrong_role');
    const dismissed = await call('POST', `/classifications/${item.id}/dismiss`, 'farah', { reason: 'a typo of process_refund by the agent' });
    expect(dismissed.json).toMatchObject({
      status: 'dismissed',
      closed_by: 'farah',
      dismiss_reason: 'a typo of process_refund by the agent',
      suggested_patch: null,
    });
    expect((await call('POST', `/classifications/${item.id}/classify`, 'farah', { severity: 'low', reversible: true })).json.code).toBe('already_closed');
  });

  it('asks nobody where the manifest names no classify role, and alerts operations once per item', async () => {
    const globexManifest = REFUNDS.replace(CLASSIFY_LINE, '');
    const twice = [1, 2].map(() => routed(proposal('delete_account', { account_id: 'a-1' }), globexManifest, GLOBEX));
    await publishResolved([twice[0]]);
    await eventually('the globex item', async () => (await itemOf(GLOBEX, 'delete_account'))[0]);
    await publishResolved([twice[1]]);
    const [row] = await eventually('the second block counted', async () => {
      const rows = await itemOf(GLOBEX, 'delete_account');
      return rows[0]?.occurrences === 2 ? rows : undefined;
    });
    expect(row.alerted_at).not.toBeNull();
    const metrics = (await httpCall(`${service.url}/metrics`)).text;
    expect(metrics).toMatch(/hitl_escalation_alerts_total\{kind="unclassified_action",role="none"\} 1\n/);
    // gwen holds team_lead in globex, but its manifest does not name it: she is not asked.
    expect(await items('gwen')).toEqual([]);
    expect((await call('POST', `/classifications/${row.id}/classify`, 'gwen', { severity: 'high', reversible: false })).json.code).toBe('wrong_role');
  });

  it("counts nothing an escalation or agent key signed, whatever it says: only the router's key is authority for policy outcomes", async () => {
    const forged = (n: number) => routed(proposal('steal_money', { to: `acct-${n}` }), REFUNDS);
    // An escalation-signed resolution "by a reviewer" passes the keyring (escalation may sign those), so the service itself must refuse it.
    const asReviewer = forged(1);
    asReviewer.data.resolved_by = { kind: 'reviewer', id: 'farah' };
    const byEscalation = forged(2);
    const byAgent = forged(3);
    const unsigned = forged(4);
    const canary = routed(proposal('canary_action', {}), REFUNDS);
    // One key for all, so they sit in one partition in this order: once the canary counts, the rest were handled.
    const key = randomUUID();
    await publishResolved([asReviewer, byEscalation], { as: 'escalation', key });
    await publishResolved([byAgent], { as: 'refund-bot', key });
    await sendRaw(env, 'approval.resolved', [{ key, value: JSON.stringify(unsigned) }]);
    await publishResolved([canary], { key });

    await eventually('the canary counted', async () => (await itemOf(ACME, 'canary_action'))[0]);
    expect(await itemOf(ACME, 'steal_money')).toEqual([]);
    const forgedIds = [asReviewer, byEscalation, byAgent, unsigned].map((e) => e.subject);
    expect(await query('SELECT 1 FROM escalation.classification_sightings WHERE decision_id = ANY($1::uuid[])', [forgedIds], env.databaseUrl)).toEqual([]);
    // The transport refused three of them, with the reason; the one it let through (a reviewer resolution may come from escalation) counted nothing.
    const letters = await deadLetters(env, 'approval.resolved.dlq', [byEscalation.id, byAgent.id, unsigned.id]);
    expect(Object.fromEntries(letters.filter((l) => l.id !== null).map((l) => [l.id, l.code]))).toEqual({
      [byEscalation.id]: 'signature_invalid',
      [byAgent.id]: 'signature_invalid',
      [unsigned.id]: 'unsigned',
    });
    expect(letters.find((l) => l.id === byEscalation.id)!.reason).toMatch(/must be signed by the router service, not the escalation service/);
  });
});
