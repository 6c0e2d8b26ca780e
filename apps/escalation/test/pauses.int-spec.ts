// The kill switch, escalation side, on the real broker and database: an admin pauses an agent
// of their workspace with a reason (a signed hitl.control.paused.v1 on control.changed,
// written with the pause), the approvals in review it covers show it, and an admin resumes it,
// explicitly and once (hitl.control.resumed.v1). Nobody else may do either.
import { writeFileSync } from 'node:fs';
import { AnyEvent, CONTROL_PAUSED, CONTROL_RESUMED, decodeEvent } from '@hitl/contracts';
import { eventually, httpCall, testTrust } from '@hitl/testing';
import { Env, EscalationProcess, REVIEWERS, TOKENS, dropEnv, newEnv, publish, readUntil, request } from './support/escalation-harness';

const ACME = 'acme-support';
/** The people of this spec beside the harness's: an admin of acme only, an admin of globex only. */
const PEOPLE: Record<string, string> = { grace: 'grace-token-0123456789', gwen: 'gwen-token-0123456789', ...TOKENS };
const MORE_REVIEWERS = `
  - { id: grace, name: Grace, roles: [], workspaces: [acme-support], admin: true, token_env: REVIEWER_TOKEN_GRACE }
  - { id: gwen, name: Gwen, roles: [], workspaces: [globex-billing], admin: true, token_env: REVIEWER_TOKEN_GWEN }
`;
const REASON = 'refunds doubled after the 09:00 deploy; every refund to a person until we know why';

/** Signed by the escalation service, as the contract's table says. */
function expectEscalationSigned(event: AnyEvent): void {
  const decoded = decodeEvent('control.changed', JSON.stringify(event));
  expect(decoded.ok && testTrust().keyring.verify(decoded.raw, decoded.event)).toMatchObject({ ok: true, signer: { kind: 'service', service: 'escalation' } });
}

describe('the kill switch: pausing and resuming an agent', () => {
  let env: Env;
  let service: EscalationProcess;

  const call = (method: string, path: string, who: string, body?: unknown) => httpCall(`${service.url}${path}`, { method, token: PEOPLE[who], body });
  const controlEvents = (pauseId: string, count: number) =>
    readUntil(env, 'control.changed', (events) => events.filter((e) => e.subject === pauseId).length >= count).then((events) =>
      events.filter((e) => e.subject === pauseId),
    );

  // One approval in review of the agent the spec pauses (refund-bot), one of another agent.
  const covered = request();
  const other = request();
  other.data.decision.agent = { ...other.data.decision.agent, id: 'ship-bot' };
  let pauseId = '';

  beforeAll(async () => {
    env = await newEnv();
    env.vars.REVIEWER_TOKEN_GRACE = PEOPLE.grace;
    env.vars.REVIEWER_TOKEN_GWEN = PEOPLE.gwen;
    writeFileSync(env.reviewersPath, `${REVIEWERS.trimEnd()}${MORE_REVIEWERS}`);
    service = new EscalationProcess(env);
    await service.start();
    await publish(env, [covered, other]);
    await eventually('both approvals in review', async () => {
      const answers = await Promise.all([covered, other].map((r) => call('GET', `/approvals/${r.data.approval_id}`, 'alice')));
      return answers.every((a) => a.status === 200);
    });
  });

  afterAll(async () => {
    await service?.stop();
    if (env) await dropEnv(env);
  });

  it('an admin of the workspace pauses an agent: 201, and a signed hitl.control.paused.v1 keyed by the pause, written with it', async () => {
    const answer = await call('POST', '/pauses', 'grace', { workspace: ACME, agent_id: 'refund-bot', reason: REASON });
    expect(answer).toMatchObject({
      status: 201,
      json: {
        workspace: ACME,
        agent_id: 'refund-bot',
        action: null,
        effect: 'review',
        reason: REASON,
        paused_by: 'grace',
        resumed_by: null,
        resumed_at: null,
        resume_reason: null,
      },
    });
    const pause = answer.json as { id: string; paused_at: string };
    pauseId = pause.id;
    expect(pauseId).toMatch(/^[0-9a-f-]{36}$/);

    const [event] = await controlEvents(pauseId, 1);
    expect(event).toMatchObject({
      type: CONTROL_PAUSED,
      source: 'hitl/escalation',
      workspaceid: ACME,
      subject: pauseId,
      time: pause.paused_at,
      data: { pause_id: pauseId, agent_id: 'refund-bot', action: null, effect: 'review', reason: REASON, paused_by: 'grace' },
    });
    expectEscalationSigned(event);
  });

  it.each([
    ['a reviewer who is no admin', 'not_admin', 'alice'],
    ['an admin of another workspace', 'wrong_workspace', 'gwen'],
  ])('%s may not pause: 403 %s', async (_name, code, who) => {
    expect(await call('POST', '/pauses', who, { workspace: ACME, agent_id: 'refund-bot', reason: REASON })).toMatchObject({ status: 403, json: { code } });
  });

  it.each([
    ['without a reason', { workspace: ACME, agent_id: 'refund-bot' }, 'reason'],
    ['with a reason too short to say why', { workspace: ACME, agent_id: 'refund-bot', reason: 'x' }, 'reason'],
    ['with an effect nobody knows', { workspace: ACME, effect: 'shutdown', reason: REASON }, 'effect'],
    ['with a field nobody knows', { workspace: ACME, reason: REASON, paused_by: 'someone-else' }, 'paused_by'],
  ])('a body %s: 400 invalid_request naming the field, and nothing paused', async (_name, body, field) => {
    const answer = await call('POST', '/pauses', 'grace', body);
    expect(answer).toMatchObject({ status: 400, json: { code: 'invalid_request', issues: expect.arrayContaining([expect.objectContaining({ field })]) } });
  });

  it('GET lists the pause in force to the reviewers of its workspace, not to those of another', async () => {
    for (const who of ['grace', 'alice', 'adam']) {
      const page = await call('GET', '/pauses', who);
      expect(page.status).toBe(200);
      expect((page.json as { items: { id: string }[] }).items.map((p) => p.id)).toEqual([pauseId]);
    }
    expect((await call('GET', '/pauses', 'gwen')).json).toEqual({ items: [] });
    expect(await call('GET', `/pauses?workspace=${ACME}`, 'gwen')).toMatchObject({ status: 403, json: { code: 'wrong_workspace' } });
    expect(await call('GET', '/pauses?active=maybe', 'grace')).toMatchObject({ status: 400, json: { code: 'invalid_request' } });
  });

  it('an approval in review of the paused agent shows the pause, on its page and in the inbox; another agent’s shows none', async () => {
    const line = { id: pauseId, agent_id: 'refund-bot', action: null, effect: 'review', reason: REASON, paused_by: 'grace', paused_at: expect.any(String) };
    expect(await call('GET', `/approvals/${covered.data.approval_id}`, 'alice')).toMatchObject({ status: 200, json: { pauses: [line] } });
    expect(await call('GET', `/approvals/${other.data.approval_id}`, 'alice')).toMatchObject({ status: 200, json: { pauses: [] } });
    // An inbox line carries the pauses covering it; a line no pause covers carries none.
    const inbox = (await call('GET', '/approvals', 'alice')).json as { items: { approval_id: string; pauses?: unknown[] }[] };
    expect(inbox.items.find((i) => i.approval_id === covered.data.approval_id)).toMatchObject({ pauses: [line] });
    expect(inbox.items.find((i) => i.approval_id === other.data.approval_id)).not.toHaveProperty('pauses');
  });

  it('only an admin of the workspace resumes it', async () => {
    expect(await call('POST', `/pauses/${pauseId}/resume`, 'alice', { reason: 'looks fine to me' })).toMatchObject({
      status: 403,
      json: { code: 'not_admin' },
    });
    expect(await call('POST', `/pauses/${pauseId}/resume`, 'gwen', { reason: 'looks fine to me' })).toMatchObject({
      status: 403,
      json: { code: 'wrong_workspace' },
    });
    expect(await call('POST', `/pauses/${pauseId}/resume`, 'grace', {})).toMatchObject({ status: 400, json: { code: 'invalid_request' } });
    expect(await call('POST', '/pauses/00000000-0000-4000-8000-000000000000/resume', 'grace', { reason: 'deploy rolled back' })).toMatchObject({
      status: 404,
      json: { code: 'pause_not_found' },
    });
    expect(await call('POST', '/pauses/not-a-uuid/resume', 'grace', { reason: 'deploy rolled back' })).toMatchObject({
      status: 400,
      json: { code: 'invalid_request', issues: [expect.objectContaining({ field: 'id' })] },
    });
  });

  it('an admin resumes it: 200, and a signed hitl.control.resumed.v1; once only; and it is no longer in force', async () => {
    const answer = await call('POST', `/pauses/${pauseId}/resume`, 'adam', { reason: 'rolled back the deploy; refunds are back to normal' });
    expect(answer).toMatchObject({
      status: 200,
      json: { id: pauseId, resumed_by: 'adam', resume_reason: 'rolled back the deploy; refunds are back to normal', resumed_at: expect.any(String) },
    });

    const events = await controlEvents(pauseId, 2);
    const resumed = events.find((e) => e.type === CONTROL_RESUMED)!;
    expect(resumed).toMatchObject({
      source: 'hitl/escalation',
      workspaceid: ACME,
      subject: pauseId,
      data: { pause_id: pauseId, reason: 'rolled back the deploy; refunds are back to normal', resumed_by: 'adam' },
    });
    expectEscalationSigned(resumed);

    expect(await call('POST', `/pauses/${pauseId}/resume`, 'grace', { reason: 'again' })).toMatchObject({ status: 409, json: { code: 'already_resumed' } });
    expect((await call('GET', '/pauses', 'grace')).json).toEqual({ items: [] });
    expect(((await call('GET', '/pauses?active=false', 'grace')).json as { items: { id: string }[] }).items.map((p) => p.id)).toEqual([pauseId]);
    expect(await call('GET', `/approvals/${covered.data.approval_id}`, 'alice')).toMatchObject({ status: 200, json: { pauses: [] } });
  });
});
