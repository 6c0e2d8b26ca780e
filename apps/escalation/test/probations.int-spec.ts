// Probations, escalation side, on the real broker and database: the router's starts and
// graduations (router-signed, on control.changed) are kept, in any order; a forged start is
// dead-lettered and never listed; reviewers list them; only an admin of the workspace ends one
// early, once (a signed hitl.control.probation_ended.v1 on control.changed, written with the end),
// and never one that graduated.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { AnyEvent, CONTROL_PROBATION_ENDED, CONTROL_PROBATION_GRADUATED, CONTROL_PROBATION_STARTED, CloudEvent, decodeEvent, newEvent } from '@hitl/contracts';
import { eventually, httpCall, signed, testTrust } from '@hitl/testing';
import { Env, EscalationProcess, REVIEWERS, TOKENS, deadLetters, dropEnv, newEnv, readUntil, sendRaw } from './support/escalation-harness';

const ACME = 'acme-support';
/** The people of this spec beside the harness's: an admin of acme only, an admin of globex only. */
const PEOPLE: Record<string, string> = { grace: 'grace-token-0123456789', gwen: 'gwen-token-0123456789', ...TOKENS };
const MORE_REVIEWERS = `
  - { id: grace, name: Grace, roles: [], workspaces: [acme-support], admin: true, token_env: REVIEWER_TOKEN_GRACE }
  - { id: gwen, name: Gwen, roles: [], workspaces: [globex-billing], admin: true, token_env: REVIEWER_TOKEN_GWEN }
`;
const REASON = 'the payments team owns issue_voucher and vouches for it: it ran a month in staging';
const ROUTER = 'hitl/router';

/** Signed by the escalation service, as the contract's table says. */
function expectEscalationSigned(event: AnyEvent): void {
  const decoded = decodeEvent('control.changed', JSON.stringify(event));
  expect(decoded.ok && testTrust().keyring.verify(decoded.raw, decoded.event)).toMatchObject({ ok: true, signer: { kind: 'service', service: 'escalation' } });
}

const started = (id: string, action: string, time = new Date()): CloudEvent<typeof CONTROL_PROBATION_STARTED> =>
  newEvent(
    CONTROL_PROBATION_STARTED,
    { probation_id: id, action, reason: `${action} is new to the manifest`, manifest_version: '7', decisions: 20, approved_unchanged_rate: 0.95 },
    { source: ROUTER, workspaceid: ACME, time },
  );
const graduation = (id: string, action: string, time = new Date()): CloudEvent<typeof CONTROL_PROBATION_GRADUATED> =>
  newEvent(
    CONTROL_PROBATION_GRADUATED,
    { probation_id: id, action, reviewed: 21, approved_unchanged: 20, decisions: 20, approved_unchanged_rate: 0.95 },
    { source: ROUTER, workspaceid: ACME, time },
  );

describe('probations: kept from the router, listed, ended early by an admin', () => {
  let env: Env;
  let service: EscalationProcess;

  const call = (method: string, path: string, who: string, body?: unknown) => httpCall(`${service.url}${path}`, { method, token: PEOPLE[who], body });
  const ids = (page: { json: unknown }) => (page.json as { items: { id: string }[] }).items.map((p) => p.id);
  /** Sends events on control.changed as they are: signed by whoever `signed` says. */
  const send = (...events: AnyEvent[]) =>
    sendRaw(
      env,
      'control.changed',
      events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
    );

  const voucher = randomUUID();
  const credit = randomUUID();
  const refund = randomUUID();
  const forged = randomUUID();

  beforeAll(async () => {
    env = await newEnv();
    env.vars.REVIEWER_TOKEN_GRACE = PEOPLE.grace;
    env.vars.REVIEWER_TOKEN_GWEN = PEOPLE.gwen;
    writeFileSync(env.reviewersPath, `${REVIEWERS.trimEnd()}${MORE_REVIEWERS}`);
    service = new EscalationProcess(env);
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    if (env) await dropEnv(env);
  });

  it('keeps the router’s starts, and dead-letters a start an agent signed: it is never listed', async () => {
    const byAgent = started(forged, 'steal_money');
    await send(signed(started(voucher, 'issue_voucher'), 'router'), signed(started(credit, 'grant_credit'), 'router'), signed(byAgent, 'refund-bot'));

    const [letter] = (await deadLetters(env, 'control.changed.dlq', [byAgent.id])).filter((l) => l.id === byAgent.id);
    expect(letter).toMatchObject({ code: 'signature_invalid', reason: expect.stringMatching(/must be signed by the router service/) });

    await eventually('both starts kept', async () => ids(await call('GET', '/probations', 'alice')).length === 2);
    const page = await call('GET', '/probations', 'alice');
    expect(page.status).toBe(200);
    expect(ids(page).sort()).toEqual([voucher, credit].sort());
    expect((page.json as { items: unknown[] }).items).toContainEqual({
      id: voucher,
      workspace: ACME,
      action: 'issue_voucher',
      reason: 'issue_voucher is new to the manifest',
      manifest_version: '7',
      decisions: 20,
      approved_unchanged_rate: 0.95,
      started_at: expect.any(String),
      state: 'active',
      reviewed: null,
      approved_unchanged: null,
      ended_by: null,
      end_reason: null,
      ended_at: null,
    });
    expect(ids(await call('GET', '/probations?state=all', 'adam'))).not.toContain(forged);
  });

  it('lists to the reviewers of the workspace only', async () => {
    expect((await call('GET', '/probations', 'gwen')).json).toEqual({ items: [] });
    expect(await call('GET', `/probations?workspace=${ACME}`, 'gwen')).toMatchObject({ status: 403, json: { code: 'wrong_workspace' } });
    expect(ids(await call('GET', `/probations?workspace=${ACME}`, 'grace')).sort()).toEqual([voucher, credit].sort());
    expect(await call('GET', '/probations?state=maybe', 'grace')).toMatchObject({ status: 400, json: { code: 'invalid_request' } });
    expect(await call('GET', '/probations?active=true', 'grace')).toMatchObject({ status: 400, json: { code: 'invalid_request' } });
  });

  it('only an admin of the workspace ends one, with a reason', async () => {
    expect(await call('POST', `/probations/${voucher}/end`, 'alice', { reason: REASON })).toMatchObject({ status: 403, json: { code: 'not_admin' } });
    expect(await call('POST', `/probations/${voucher}/end`, 'gwen', { reason: REASON })).toMatchObject({ status: 403, json: { code: 'wrong_workspace' } });
    expect(await call('POST', `/probations/${voucher}/end`, 'grace', {})).toMatchObject({
      status: 400,
      json: { code: 'invalid_request', issues: [expect.objectContaining({ field: 'reason' })] },
    });
    expect(await call('POST', `/probations/${voucher}/end`, 'grace', { reason: REASON, ended_by: 'someone-else' })).toMatchObject({
      status: 400,
      json: { code: 'invalid_request' },
    });
    expect(await call('POST', `/probations/${randomUUID()}/end`, 'grace', { reason: REASON })).toMatchObject({
      status: 404,
      json: { code: 'probation_not_found' },
    });
    expect(await call('POST', '/probations/not-a-uuid/end', 'grace', { reason: REASON })).toMatchObject({
      status: 400,
      json: { code: 'invalid_request', issues: [expect.objectContaining({ field: 'id' })] },
    });
    expect(ids(await call('GET', '/probations', 'grace'))).toContain(voucher);
  });

  it('an admin ends one: 200, and a signed hitl.control.probation_ended.v1 keyed by it, written with it; once only', async () => {
    const answer = await call('POST', `/probations/${voucher}/end`, 'grace', { reason: REASON });
    expect(answer).toMatchObject({
      status: 200,
      json: { id: voucher, action: 'issue_voucher', state: 'ended', ended_by: 'grace', end_reason: REASON, ended_at: expect.any(String) },
    });
    const endedAt = (answer.json as { ended_at: string }).ended_at;

    const events = await readUntil(env, 'control.changed', (all) => all.some((e) => e.type === CONTROL_PROBATION_ENDED && e.subject === voucher));
    const ended = events.find((e) => e.type === CONTROL_PROBATION_ENDED && e.subject === voucher)!;
    expect(ended).toMatchObject({
      source: 'hitl/escalation',
      workspaceid: ACME,
      subject: voucher,
      time: endedAt,
      data: { probation_id: voucher, action: 'issue_voucher', reason: REASON, ended_by: 'grace' },
    });
    expectEscalationSigned(ended);

    expect(await call('POST', `/probations/${voucher}/end`, 'adam', { reason: 'again, to be sure' })).toMatchObject({
      status: 409,
      json: { code: 'already_over' },
    });
    expect(ids(await call('GET', '/probations', 'grace'))).toEqual([credit]);
    // Its own event, read back, changes nothing.
    const page = await call('GET', '/probations?state=ended', 'grace');
    expect(page.json).toEqual({ items: [answer.json] });
  });

  it('a graduation lists as graduated, in whatever order it comes; ending one then is 409 already_over', async () => {
    // credit: started, then graduated. refund: its graduation read before its start.
    await send(signed(graduation(credit, 'grant_credit'), 'router'));
    await send(signed(graduation(refund, 'process_refund', new Date(Date.now() - 1000)), 'router'));
    await send(signed(started(refund, 'process_refund', new Date(Date.now() - 60_000)), 'router'));

    await eventually('both graduations kept', async () => ids(await call('GET', '/probations?state=graduated', 'grace')).length === 2);
    const page = await call('GET', '/probations?state=graduated', 'grace');
    expect(ids(page).sort()).toEqual([credit, refund].sort());
    const items = (page.json as { items: { id: string }[] }).items;
    expect(items.find((p) => p.id === credit)).toMatchObject({
      state: 'graduated',
      reviewed: 21,
      approved_unchanged: 20,
      ended_by: null,
      ended_at: expect.any(String),
    });
    await eventually('the late start filled in', async () => {
      const all = (await call('GET', '/probations?state=graduated', 'grace')).json as { items: { id: string; reason: string; state: string }[] };
      return all.items.find((p) => p.id === refund)?.reason === 'process_refund is new to the manifest';
    });
    expect(ids(await call('GET', '/probations', 'grace'))).toEqual([]);

    expect(await call('POST', `/probations/${credit}/end`, 'grace', { reason: REASON })).toMatchObject({
      status: 409,
      json: { code: 'already_over', message: expect.stringContaining('graduated') },
    });
    expect(ids(await call('GET', '/probations?state=all', 'adam')).sort()).toEqual([voucher, credit, refund].sort());
  });
});
