// Notifications, one-click links and the queue view of the escalation service, on the real
// broker and database: a local HTTP server stands in for each role's shared chat webhook and
// for the support agents' own webhooks (one-click links go only to those).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { IncomingMessage, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnyEvent } from '@hitl/contracts';
import { Client } from 'pg';
import { eventually, query } from '@hitl/testing';
import { LinkClaims, signLink } from '../src/notifications/notification-link';
import { SlackBlock, SlackMessage } from '../src/notifications/notification-message';
import { Env, EscalationProcess, TOKENS, dropEnv, newEnv, of, publish, readUntil, request } from './support/escalation-harness';

const SECRET = 'test-link-secret-0123456789abcdef-0123456789';
const PUBLIC_URL = 'https://hitl.example.test';
const data = (e: AnyEvent) => e.data as Record<string, unknown>;

/** A chat webhook: records every post; answers 200, or the statuses queued for the approval a post is about. */
class Webhook {
  readonly posts: { path: string; body: SlackMessage }[] = [];
  /** By approval id: statuses to answer its next posts with, at paths starting with `path`. */
  readonly failing = new Map<string, { path: string; statuses: number[] }>();
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        this.posts.push({ path: req.url ?? '', body: JSON.parse(raw) });
        const queued = [...this.failing.entries()].find(
          ([approvalId, { path, statuses }]) => raw.includes(approvalId) && (req.url ?? '').startsWith(path) && statuses.length > 0,
        );
        res.writeHead(queued?.[1].statuses.shift() ?? 200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<unknown> {
    return new Promise((done) => this.server?.close(done) ?? done(undefined));
  }

  /** Posts about one approval (at paths starting with `path`), once there are at least `count`. */
  about(approvalId: string, count = 1, path = '/'): Promise<{ path: string; body: SlackMessage }[]> {
    const posts = () => this.posts.filter((p) => p.path.startsWith(path) && JSON.stringify(p.body).includes(approvalId));
    return eventually(`${count} posts about ${approvalId}`, () => posts().length >= count && posts(), {
      detail: () => `${posts().length} of them; ${this.posts.length} posts in all`,
    });
  }
}

const buttons = (message: SlackMessage) =>
  Object.fromEntries(message.blocks.flatMap((b: SlackBlock) => (b.type === 'actions' ? b.elements.map((e) => [e.text.text, e.url]) : [])));
const fieldsOf = (message: SlackMessage) => message.blocks.flatMap((b) => (b.type === 'section' && b.fields ? b.fields.map((f) => f.text) : [])).join('\n');

describe('notifications, one-click links and queues', () => {
  const webhook = new Webhook();
  let env: Env;
  let service: EscalationProcess;

  /** A link of a notification, at the service under test (the message names the public URL). */
  const local = (link: string) => {
    expect(link.startsWith(`${PUBLIC_URL}/links/`)).toBe(true);
    return `${service.url}${new URL(link).pathname}`;
  };
  const call = async (method: 'GET' | 'POST', url: string, token?: string) => {
    const response = await fetch(url, { method, redirect: 'manual', headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, text: await response.text(), headers: response.headers };
  };
  const assigned = async (r: { subject: string }) => {
    await readUntil(env, 'approval.updated', (events) => of(events, r.subject).length >= 1);
    const [row] = await query<{ approval_id: string; assignee: string; sla_deadline: Date; payload_hash: string }>(
      'SELECT approval_id, assignee, sla_deadline, payload_hash FROM escalation.approvals WHERE decision_id = $1',
      [r.subject],
      env.databaseUrl,
    );
    return row;
  };
  const statusOf = async (approvalId: string) =>
    (await query<{ status: string }>('SELECT status FROM escalation.approvals WHERE approval_id = $1', [approvalId], env.databaseUrl))[0].status;

  beforeAll(async () => {
    await webhook.start();
    env = await newEnv();
    // The harness's team, the support agents with channels of their own; dan (finance_lead) has none.
    const own = (id: string) => `notify: { webhook: "${webhook.url}/people/${id}" }`;
    writeFileSync(
      env.reviewersPath,
      `reviewers:
  - { id: alice, name: Alice, roles: [support_agent], workspaces: [acme-support], token_env: REVIEWER_TOKEN_ALICE, ${own('alice')} }
  - { id: bob, name: Bob, roles: [support_agent], workspaces: [acme-support], token_env: REVIEWER_TOKEN_BOB, ${own('bob')} }
  - { id: carol, name: Carol, roles: [support_agent], workspaces: [acme-support], token_env: REVIEWER_TOKEN_CAROL, ${own('carol')} }
  - { id: dan, name: Dan, roles: [finance_lead], workspaces: [acme-support], token_env: REVIEWER_TOKEN_DAN }
  - { id: ursula, name: Ursula, roles: [support_agent], workspaces: [acme-support], available: false }
  - { id: zed, name: Zed, roles: [support_agent, finance_lead], workspaces: [globex-billing], token_env: REVIEWER_TOKEN_ZED }
  - { id: adam, name: Adam, roles: [], workspaces: ["*"], admin: true, token_env: REVIEWER_TOKEN_ADAM }
`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'hitl-notify-'));
    const path = join(dir, 'notifications.yaml');
    writeFileSync(
      path,
      `public_url: ${PUBLIC_URL}\nwebhooks:\n  support_agent: ${webhook.url}/hooks/support\n  finance_lead: ${webhook.url}/hooks/finance\nlink_ttl_minutes: 30\n`,
    );
    // LOG_LEVEL info: the request log is checked for link tokens below.
    Object.assign(env.vars, { NOTIFICATIONS_PATH: path, NOTIFY_LINK_SECRET: SECRET, NOTIFY_POLL_INTERVAL_MS: '100', LOG_LEVEL: 'info' });
    service = new EscalationProcess(env);
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    await webhook.stop();
    if (env) await dropEnv(env);
  });

  let first: { approvalId: string; assignee: string; message: SlackMessage };

  it('an assignment posts a Slack-compatible message: action, consequence, amount, SLA deadline, reviewer, link', async () => {
    const r = request({ amount: 120 });
    await publish(env, [r]);
    const row = await assigned(r);
    const [shared] = await webhook.about(row.approval_id, 1, '/hooks/');
    const [post] = await webhook.about(row.approval_id, 1, '/people/');
    const [{ name }] = await query<{ name: string }>('SELECT name FROM escalation.reviewers WHERE id = $1', [row.assignee], env.databaseUrl);

    // The role's shared channel: the same summary and a link that needs sign-in, never a one-click link.
    expect(shared.path).toBe('/hooks/support');
    expect(shared.body.text).toContain(`Approval needed from ${name} (support_agent): process_refund of $120.00`);
    expect(Object.keys(buttons(shared.body))).toEqual(['Open the approval']);
    expect(JSON.stringify(shared.body)).not.toContain('/links/');
    // The assignee's own channel: the one-click links.
    expect(post.path).toBe(`/people/${row.assignee}`);
    expect(typeof post.body.text).toBe('string');
    expect(Array.isArray(post.body.blocks)).toBe(true);
    const deadline = new Date(row.sla_deadline).toISOString();
    expect(post.body.text).toContain(`Approval needed from ${name} (support_agent): process_refund of $120.00`);
    expect(post.body.text).toContain('consequence: high severity, irreversible');
    expect(post.body.text).toContain(`SLA deadline ${deadline}`);
    expect(post.body.text).toContain(`<${PUBLIC_URL}/approvals/${row.approval_id}|Open the approval>`);
    expect(fieldsOf(post.body)).toContain(`|${deadline}>`);
    expect(fieldsOf(post.body)).toContain('*Consequence*\nhigh severity, irreversible');
    // Routine (human_review, one approval, assigned, not critical): one-click links too.
    expect(Object.keys(buttons(post.body))).toEqual(['Open the approval', 'Approve', 'Deny']);
    first = { approvalId: row.approval_id, assignee: row.assignee, message: post.body };
  });

  it('the approve link shows a confirmation, approves on POST, and works once', async () => {
    const approve = local(buttons(first.message).Approve);
    const page = await call('GET', approve);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.text).toContain('Approve process_refund?');
    expect(await statusOf(first.approvalId)).toBe('pending'); // a GET never decides

    const done = await call('POST', approve);
    expect(done.status).toBe(200);
    expect(done.text).toContain('process_refund is approved.');
    const resolved = await readUntil(env, 'approval.resolved', (events) => events.some((e) => data(e).approval_id === first.approvalId));
    const event = resolved.find((e) => data(e).approval_id === first.approvalId)!;
    expect(data(event)).toMatchObject({ status: 'approved', resolved_by: { kind: 'reviewer', id: first.assignee } });

    const replay = await call('POST', approve);
    expect(replay.status).toBe(410);
    expect(replay.text).toContain('this link was already used (to approve');
    expect((await call('GET', approve)).status).toBe(410);
    // Approve and deny of one notification are one decision: the deny link is spent too.
    expect((await call('POST', local(buttons(first.message).Deny))).status).toBe(410);
  });

  it('a failing webhook is retried until it takes the message', async () => {
    const r = request({ amount: 80 });
    webhook.failing.set(r.data.approval_id, { path: '/people/', statuses: [503, 503] });
    await publish(env, [r]);
    const row = await assigned(r);
    const posts = await webhook.about(row.approval_id, 3, '/people/');
    expect(posts.map((p) => p.body.text)).toEqual([posts[0].body.text, posts[0].body.text, posts[0].body.text]);
    // The third post was taken; the dispatcher records it right after the webhook answers.
    const n = await eventually('the notification recorded as sent', async () => {
      const [found] = await query<{ status: string; attempts: number }>(
        "SELECT status, attempts FROM escalation.notifications WHERE approval_id = $1 AND channel = 'reviewer'",
        [row.approval_id],
        env.databaseUrl,
      );
      return found?.status === 'sent' && found;
    });
    expect(n).toEqual({ status: 'sent', attempts: 3 });

    // Its deny link denies, with the reason saying where the decision came from.
    const deny = local(buttons(posts[0].body).Deny);
    const done = await call('POST', deny);
    expect(done.status).toBe(200);
    expect(done.text).toContain('process_refund is denied.');
    const resolved = await readUntil(env, 'approval.resolved', (events) => events.some((e) => data(e).approval_id === row.approval_id));
    const event = resolved.find((e) => data(e).approval_id === row.approval_id)!;
    expect(data(event).status).toBe('denied');
    expect(JSON.stringify(data(event).reasons)).toContain('denied from the notification link');
  });

  describe('links that must not work', () => {
    let row: { approval_id: string; assignee: string; payload_hash: string };
    const claims = (overrides: Partial<LinkClaims> = {}): LinkClaims => ({
      approval_id: row.approval_id,
      reviewer_id: row.assignee,
      act: 'approve',
      payload_hash: row.payload_hash,
      expires_at: Math.floor(Date.now() / 1000) + 600,
      nonce: randomBytes(16).toString('base64url'),
      ...overrides,
    });
    const at = (token: string) => `${service.url}/links/${token}`;

    beforeAll(async () => {
      const r = request();
      await publish(env, [r]);
      row = await assigned(r);
    });

    it('an expired link is 410 Gone, to look at and to use', async () => {
      const expired = at(signLink(claims({ expires_at: Math.floor(Date.now() / 1000) - 1 }), SECRET));
      for (const method of ['GET', 'POST'] as const) {
        const reply = await call(method, expired);
        expect(reply.status).toBe(410);
        expect(reply.text).toContain('this link has expired');
      }
    });

    it('a tampered link is 403 Forbidden', async () => {
      const [, signature] = signLink(claims(), SECRET).split('.');
      const otherAct = Buffer.from(JSON.stringify(claims({ act: 'deny' }))).toString('base64url');
      const otherKey = signLink(claims(), 'another-secret-0123456789abcdef-0123456789');
      for (const token of [`${otherAct}.${signature}`, otherKey, 'not-a-link']) {
        for (const method of ['GET', 'POST'] as const) {
          const reply = await call(method, at(token));
          expect(reply.status).toBe(403);
          expect(reply.text).toContain('link_invalid');
        }
      }
    });

    it('a link token never reaches the request log', async () => {
      const token = signLink(claims(), SECRET);
      expect((await call('GET', at(token))).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(service.output).toContain('/links/[redacted]');
      expect(service.output).not.toContain(token.split('.')[1]);
    });

    it('a link for someone who does not qualify is refused by the decision rules (403)', async () => {
      const reply = await call('POST', at(signLink(claims({ reviewer_id: 'zed' }), SECRET))); // zed reviews globex-billing only
      expect(reply.status).toBe(403);
      expect(reply.text).toContain('wrong_workspace');
    });

    it('none of them changed the approval', async () => {
      expect(await statusOf(row.approval_id)).toBe('pending');
    });
  });

  describe('one-click links only to the person they are for', () => {
    const channelsOf = async (approvalId: string) =>
      (
        await query<{ channel: string; reviewer_id: string | null }>(
          'SELECT channel, reviewer_id FROM escalation.notifications WHERE approval_id = $1 ORDER BY id',
          [approvalId],
          env.databaseUrl,
        )
      ).map((n) => `${n.channel} ${n.reviewer_id}`);

    it('an assignee without a channel of their own gets no one-click link: the shared channel gets the summary and a sign-in link', async () => {
      const r = request({ path: ['finance_lead'] });
      await publish(env, [r]);
      const row = await assigned(r);
      expect(row.assignee).toBe('dan');
      const [shared] = await webhook.about(row.approval_id, 1, '/hooks/');
      expect(shared.path).toBe('/hooks/finance');
      expect(shared.body.text).toContain('Approval needed from Dan (finance_lead)');
      expect(Object.keys(buttons(shared.body))).toEqual(['Open the approval']);
      expect(JSON.stringify(shared.body)).not.toContain('/links/');
      expect(await channelsOf(row.approval_id)).toEqual(['role dan']);
    });

    it('once an admin gives him a channel of his own, his next assignment brings the one-click links there, and only there', async () => {
      const patched = await fetch(`${service.url}/reviewers/dan`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${TOKENS.adam}`, 'content-type': 'application/json' },
        body: JSON.stringify({ notify: { webhook: `${webhook.url}/people/dan` } }),
      });
      expect(patched.status).toBe(200);
      const r = request({ path: ['finance_lead'] });
      await publish(env, [r]);
      const row = await assigned(r);
      const [own] = await webhook.about(row.approval_id, 1, '/people/');
      const [shared] = await webhook.about(row.approval_id, 1, '/hooks/');
      expect(own.path).toBe('/people/dan');
      expect(Object.keys(buttons(own.body))).toEqual(['Open the approval', 'Approve', 'Deny']);
      expect(JSON.stringify(shared.body)).not.toContain('/links/');
      expect(await channelsOf(row.approval_id)).toEqual(['role dan', 'reviewer dan']);
      // The link is dan's: it decides as him.
      expect((await call('POST', local(buttons(own.body).Approve))).status).toBe(200);
      expect(await statusOf(row.approval_id)).toBe('approved');
    });

    it('no post to a shared channel ever carried a one-click link; every one-click link went to its assignee’s own channel', async () => {
      const shared = webhook.posts.filter((p) => p.path.startsWith('/hooks/'));
      const own = webhook.posts.filter((p) => p.path.startsWith('/people/'));
      expect(shared.length).toBeGreaterThan(3);
      expect(shared.filter((p) => JSON.stringify(p.body).includes('/links/'))).toEqual([]);
      const linked = own.filter((p) => JSON.stringify(p.body).includes('/links/'));
      expect(linked.length).toBeGreaterThan(2);
      for (const post of linked) {
        const [payload] = new URL(buttons(post.body).Approve).pathname.replace('/links/', '').split('.');
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as LinkClaims;
        expect(post.path).toBe(`/people/${claims.reviewer_id}`);
      }
    });
  });

  it('GET /queues shows depth, oldest age and SLA breaches per workspace and role; /metrics has the gauges', async () => {
    // Its own workspace (only zed reviews globex-billing), so other tests' approvals do not count.
    const late = request({ slaDeadline: new Date(Date.now() + 3_600_000) });
    const soon = request({ slaDeadline: new Date(Date.now() + 120_000) }); // within the 5-minute default horizon
    for (const r of [late, soon]) r.workspaceid = 'globex-billing';
    await publish(env, [late, soon]);
    const lateRow = await assigned(late);
    await assigned(soon);

    // Move `late` ten minutes into its past and its deadline behind it. A FOR KEY SHARE lock
    // held meanwhile lets the UPDATE through but makes the SLA scanner (FOR UPDATE SKIP
    // LOCKED) pass the row by, so the breach stays in place while we look.
    const holder = new Client({ connectionString: env.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM escalation.approvals WHERE approval_id = $1 FOR KEY SHARE', [lateRow.approval_id]);
      await query(
        `UPDATE escalation.approvals SET created_at = now() - interval '10 minutes', sla_deadline = now() - interval '1 minute' WHERE approval_id = $1`,
        [lateRow.approval_id],
        env.databaseUrl,
      );

      const zed = await call('GET', `${service.url}/queues`, TOKENS.zed);
      expect(zed.status).toBe(200);
      const view = JSON.parse(zed.text) as { as_of: string; queues: Record<string, unknown>[] };
      expect(view.queues.map((q) => q.workspace)).toEqual(['globex-billing']); // zed sees their workspace only
      expect(view.queues[0]).toMatchObject({
        workspace: 'globex-billing',
        role: 'support_agent',
        queue: 'blocking',
        depth: 2,
        unassigned: 0,
        sla_breaches: 1,
        predicted_breaches: 2,
        paused: 0,
        prediction_horizon_seconds: 300,
        horizon_basis: 'default',
        unreviewed_24h: 0,
        backed_off_24h: 0,
      });
      expect(view.queues[0].oldest_age_seconds).toBeGreaterThanOrEqual(600);
      expect(view.queues[0].oldest_age_seconds).toBeLessThan(700);

      const alice = JSON.parse((await call('GET', `${service.url}/queues`, TOKENS.alice)).text) as { queues: { workspace: string }[] };
      expect(new Set(alice.queues.map((q) => q.workspace))).toEqual(new Set(['acme-support']));
      const admin = JSON.parse((await call('GET', `${service.url}/queues`, TOKENS.adam)).text) as {
        queues: { workspace: string; role: string; horizon_basis: string }[];
      };
      expect(new Set(admin.queues.map((q) => q.workspace))).toEqual(new Set(['acme-support', 'globex-billing']));
      // acme-support's support agents decided two approvals above: their median paces the prediction.
      expect(admin.queues.find((q) => q.workspace === 'acme-support' && q.role === 'support_agent')?.horizon_basis).toBe('median_24h');
      expect((await call('GET', `${service.url}/queues`)).status).toBe(401);

      const metrics = (await call('GET', `${service.url}/metrics`)).text;
      expect(metrics).toContain('hitl_queue_depth{workspace="globex-billing",role="support_agent",queue="blocking"} 2');
      expect(metrics).toContain('hitl_queue_sla_breaches{workspace="globex-billing",role="support_agent",queue="blocking"} 1');
      expect(metrics).toContain('hitl_queue_predicted_breaches{workspace="globex-billing",role="support_agent",queue="blocking"} 2');
      expect(metrics).toMatch(/hitl_queue_oldest_seconds\{workspace="globex-billing",role="support_agent",queue="blocking"\} 6\d\d/);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  });

  it('a notification whose post failed goes out after a restart', async () => {
    const r = request();
    webhook.failing.set(r.data.approval_id, { path: '/people/', statuses: [503] });
    await publish(env, [r]);
    const row = await assigned(r);
    await webhook.about(row.approval_id, 1, '/people/');
    const recorded = () =>
      query<{ status: string; attempts: number }>(
        "SELECT status, attempts FROM escalation.notifications WHERE approval_id = $1 AND channel = 'reviewer'",
        [row.approval_id],
        env.databaseUrl,
      );
    await eventually('the failed post to be recorded', async () => (await recorded())[0].attempts > 0, { everyMs: 20 });
    await service.stop('SIGKILL'); // between the failed post and its retry, a second or so later
    expect((await recorded())[0]).toEqual({ status: 'pending', attempts: 1 });

    service = new EscalationProcess(env);
    await service.start();
    const posts = await webhook.about(row.approval_id, 2, '/people/');
    expect(posts).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await recorded())[0]).toEqual({ status: 'sent', attempts: 2 });
  });
});
