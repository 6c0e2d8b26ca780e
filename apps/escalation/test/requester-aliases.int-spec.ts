// The person an action is for, by any of their names, on the real broker and database: an
// `on_behalf_of` written as one of a reviewer's aliases, in any case, is that reviewer. The
// API refuses them (403 requester), assignment passes them by, and the database's own guard
// refuses their vote even when the API is bypassed.
import { writeFileSync } from 'node:fs';
import { query } from '@hitl/testing';
import { Client } from 'pg';
import { Env, EscalationProcess, TOKENS, dropEnv, newEnv, of, publish, readUntil, request } from './support/escalation-harness';

const REVIEWERS = `
reviewers:
  - { id: emil, name: Emil Novak, roles: [finance_lead], workspaces: [acme-support], aliases: [emil@example.com, "crm:4711"], token_env: REVIEWER_TOKEN_EMIL }
  - { id: otto, name: Otto, roles: [finance_lead], workspaces: [acme-support] }
  - { id: adam, name: Adam, roles: [], workspaces: ["*"], admin: true, token_env: REVIEWER_TOKEN_ADAM }
`;
const EMIL_TOKEN = 'emil-token-0123456789';

describe('the person an action is for, by id or alias, ignoring case', () => {
  let env: Env;
  let service: EscalationProcess;

  const post = async (token: string, path: string, body: unknown, method = 'POST') => {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  /** Publishes a finance_lead request on behalf of `onBehalfOf` and waits for its placement. */
  const opened = async (onBehalfOf: string) => {
    const r = request({ path: ['finance_lead'], onBehalfOf });
    await publish(env, [r]);
    await readUntil(env, 'approval.updated', (events) => of(events, r.subject).length >= 1);
    const [row] = await query<{ assignee: string | null; status: string }>(
      'SELECT assignee, status FROM escalation.approvals WHERE approval_id = $1',
      [r.data.approval_id],
      env.databaseUrl,
    );
    return { r, row };
  };
  /** A vote written straight into the table, as if the API had been bypassed: the database's error code and constraint, or null. */
  const directVote = async (approvalId: string, reviewerId: string, onBehalfOf: string, payloadHash: string) => {
    const client = new Client({ connectionString: env.databaseUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO escalation.approval_votes (approval_id, reviewer_id, on_behalf_of, payload_hash) VALUES ($1, $2, $3, $4)', [
        approvalId,
        reviewerId,
        onBehalfOf,
        payloadHash,
      ]);
      return null;
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      return { code, constraint };
    } finally {
      // Nothing written here stays: the vote is only a probe of the guard.
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
  };

  beforeAll(async () => {
    env = await newEnv();
    writeFileSync(env.reviewersPath, REVIEWERS);
    env.vars.REVIEWER_TOKEN_EMIL = EMIL_TOKEN;
    service = new EscalationProcess(env);
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    if (env) await dropEnv(env);
  });

  it('refuses emil (alias emil@example.com) an approval on behalf of Emil@Example.com: 403 requester; he is never assigned it', async () => {
    const { r, row } = await opened('Emil@Example.com');
    expect(row).toEqual({ assignee: 'otto', status: 'pending' }); // emil comes first on a tie, but for his alias
    const answer = await post(EMIL_TOKEN, `/approvals/${r.data.approval_id}/approve`, { payload_hash: r.data.payload_hash });
    expect(answer).toMatchObject({ status: 403, body: { code: 'requester', message: expect.stringContaining('emil is the person this action is for') } });
    // An edit is an approval too; a denial is not, and stays his to make.
    const edit = await post(EMIL_TOKEN, `/approvals/${r.data.approval_id}/edit`, {
      payload_hash: r.data.payload_hash,
      parameters: { ...r.data.decision.parameters },
    });
    expect(edit).toMatchObject({ status: 403, body: { code: 'requester' } });
    const [{ status }] = await query<{ status: string }>(
      'SELECT status FROM escalation.approvals WHERE approval_id = $1',
      [r.data.approval_id],
      env.databaseUrl,
    );
    expect(status).toBe('pending');
  });

  it.each([['EMIL'], ['CRM:4711'], ['emil@EXAMPLE.com']])('refuses him for %s too', async (onBehalfOf) => {
    const { r } = await opened(onBehalfOf);
    expect(await post(EMIL_TOKEN, `/approvals/${r.data.approval_id}/approve`, { payload_hash: r.data.payload_hash })).toMatchObject({
      status: 403,
      body: { code: 'requester' },
    });
  });

  it('the database guard refuses his vote written straight into approval_votes, by alias in any case; another reviewer’s vote passes', async () => {
    const { r } = await opened('Emil@Example.com');
    const refused = { code: '23514', constraint: 'requester_never_approves' };
    expect(await directVote(r.data.approval_id, 'emil', 'Emil@Example.com', r.data.payload_hash)).toEqual(refused);
    expect(await directVote(r.data.approval_id, 'emil', 'crm:4711', r.data.payload_hash)).toEqual(refused);
    expect(await directVote(r.data.approval_id, 'emil', 'EMIL', r.data.payload_hash)).toEqual(refused);
    expect(await directVote(r.data.approval_id, 'otto', 'Emil@Example.com', r.data.payload_hash)).toBeNull();
    expect(await directVote(r.data.approval_id, 'emil', 'customer:c-1', r.data.payload_hash)).toBeNull();
  });

  it('an alias given through the admin API counts at once, in the API and in the database', async () => {
    const added = await post(TOKENS.adam, '/reviewers/emil', { aliases: ['emil@example.com', 'crm:4711', 'e.novak@example.org'] }, 'PATCH');
    expect(added).toMatchObject({ status: 200, body: { aliases: ['emil@example.com', 'crm:4711', 'e.novak@example.org'] } });
    const { r } = await opened('E.Novak@example.org');
    expect(await post(EMIL_TOKEN, `/approvals/${r.data.approval_id}/approve`, { payload_hash: r.data.payload_hash })).toMatchObject({
      status: 403,
      body: { code: 'requester' },
    });
    expect(await directVote(r.data.approval_id, 'emil', 'E.Novak@example.org', r.data.payload_hash)).toMatchObject({ code: '23514' });
  });

  it('one name, one person: an alias another reviewer holds, or another reviewer’s id, is refused with 409 alias_taken', async () => {
    for (const aliases of [['EMIL@example.com'], ['Emil']]) {
      const answer = await post(TOKENS.adam, '/reviewers/otto', { aliases }, 'PATCH');
      expect(answer).toMatchObject({ status: 409, body: { code: 'alias_taken' } });
    }
  });
});
