// Reviewer queues that never bury urgent work: blocking work and post-reviews in queues of
// their own, capacity that means something, and post-reviews that end, on the real broker
// and database.
import { AnyEvent } from '@hitl/contracts';
import { httpCall, query } from '@hitl/testing';
import { TOKENS, escalationForSuite, of, publish, readUntil, request } from './support/escalation-harness';

const data = (e: AnyEvent) => e.data as Record<string, unknown>;
const ofType = (events: AnyEvent[], decisionId: string, type: string) => of(events, decisionId).filter((e) => e.type === type);

describe('blocking work first', () => {
  // Room for 150 post-reviews on one desk: the default capacity is what this suite is not about.
  const suite = escalationForSuite({ REVIEWER_DEFAULT_CAPACITY: '500' });
  const call = (method: string, path: string, who: string, body?: unknown) =>
    httpCall(`${suite.service.url}${path}`, { method, token: TOKENS[who], body }) as Promise<{ status: number; json: any }>;

  it('150 post-reviews pending for alice, then one human review: it is first in her default inbox page, whatever its deadline', async () => {
    // Only alice is at the desk while the post-reviews arrive, so all 150 are hers.
    for (const colleague of ['bob', 'carol']) expect((await call('PATCH', `/reviewers/${colleague}`, 'adam', { available: false })).status).toBe(200);
    const postReviews = Array.from({ length: 150 }, () => request({ route: 'post_review', expiresAt: null }));
    await publish(suite.env, postReviews);
    const assigned = await readUntil(suite.env, 'approval.updated', (events) => postReviews.every((r) => of(events, r.subject).length >= 1), 90_000);
    expect(new Set(postReviews.map((r) => data(of(assigned, r.subject)[0]).reviewer_id))).toEqual(new Set(['alice']));
    for (const colleague of ['bob', 'carol']) await call('PATCH', `/reviewers/${colleague}`, 'adam', { available: true });

    // A low-urgency refund due in two days: by deadline alone it would sort after every post-review (theirs close in a day).
    const human = request({ slaDeadline: new Date(Date.now() + 2 * 86_400_000), expiresAt: new Date(Date.now() + 3 * 86_400_000) });
    human.data.decision.urgency = 'low';
    await publish(suite.env, [human]);
    await readUntil(suite.env, 'approval.updated', (events) => of(events, human.subject).length >= 1);

    const inbox = await call('GET', '/approvals', 'alice');
    expect(inbox.status).toBe(200);
    expect(inbox.json.items[0]).toMatchObject({ approval_id: human.data.approval_id, route: 'human_review', assignee: 'alice' });
    expect(inbox.json.items.every((i: { route: string }) => i.route !== 'post_review')).toBe(true);
    expect(inbox.json.counts).toEqual({ blocking: 1, post_review: 150 });

    // As a reviewer working from the top reads it: the first 100 of every route is still that one refund.
    const top = await call('GET', '/approvals?assigned=all&limit=100', 'alice');
    expect(top.json.items.map((i: { approval_id: string }) => i.approval_id)).toEqual([human.data.approval_id]);

    // The post-reviews are a queue of their own, paged in the order of their review windows.
    const seen: { approval_id: string; route: string; sla_deadline: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { json: any } = await call('GET', `/approvals?queue=post_review&limit=60${cursor ? `&cursor=${cursor}` : ''}`, 'alice');
      seen.push(...page.json.items);
      expect(page.json.counts).toEqual({ blocking: 1, post_review: 150 });
      cursor = page.json.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(150);
    expect(new Set(seen.map((i) => i.approval_id))).toEqual(new Set(postReviews.map((r) => r.data.approval_id)));
    expect(seen.every((i) => i.route === 'post_review')).toBe(true);
    const windows = seen.map((i) => Date.parse(i.sla_deadline));
    expect(windows).toEqual([...windows].sort((a, b) => a - b));
  });

  it('the most urgent blocking work first, then the deadline', async () => {
    const make = (urgency: 'low' | 'critical' | 'normal', minutes: number) => {
      const r = request({ slaDeadline: new Date(Date.now() + minutes * 60_000) });
      r.data.decision.urgency = urgency;
      return r;
    };
    const low = make('low', 5);
    const critical = make('critical', 50);
    const normal = make('normal', 20);
    await publish(suite.env, [low, critical, normal]);
    await readUntil(suite.env, 'approval.updated', (events) => [low, critical, normal].every((r) => of(events, r.subject).length >= 1));
    // Dan (a finance lead, above support agents in the path) holds none of them: his view is the order alone.
    const { json } = await call('GET', '/approvals?limit=200', 'dan');
    const order = json.items
      .map((i: { approval_id: string }) => i.approval_id)
      .filter((id: string) => [low, critical, normal].some((r) => r.data.approval_id === id));
    expect(order).toEqual([critical, normal, low].map((r) => r.data.approval_id));
  });

  it('refuses a route of the other queue, naming it', async () => {
    const { status, json } = await call('GET', '/approvals?route=post_review', 'alice');
    expect(status).toBe(400);
    expect(json.issues).toEqual([{ field: 'route', message: expect.stringContaining('queue=post_review') }]);
  });
});

describe('capacity that means something', () => {
  // Each of alice, bob and carol takes two open approvals at once.
  const suite = escalationForSuite({ REVIEWER_DEFAULT_CAPACITY: '2' });
  const call = (method: string, path: string, who: string, body?: unknown) =>
    httpCall(`${suite.service.url}${path}`, { method, token: TOKENS[who], body }) as Promise<{ status: number; json: any }>;
  const placeAll = async (requests: ReturnType<typeof request>[]) => {
    await publish(suite.env, requests);
    const updates = await readUntil(suite.env, 'approval.updated', (events) => requests.every((r) => of(events, r.subject).length >= 1));
    return requests.map((r) => of(updates, r.subject)[0]);
  };

  it('a reviewer without a capacity of their own gets the default, and sees it', async () => {
    const { json } = await call('GET', '/me', 'alice');
    expect(json).toMatchObject({ capacity: null, effective_capacity: 2 });
  });

  it('post-reviews only fill what blocking work leaves; past that, sampling backs off; blocking work waits for its own tier', async () => {
    // Four requests at once (consumed in any order): two for one support agent, one each for the others.
    const blocking = await placeAll([request(), request(), request(), request()]);
    const load = new Map<string, number>();
    for (const e of blocking) load.set(String(data(e).reviewer_id), (load.get(String(data(e).reviewer_id)) ?? 0) + 1);
    expect([...load.values()].sort()).toEqual([1, 1, 2]);
    const withRoom = [...load.keys()].filter((id) => load.get(id) === 1).sort();

    // Room left: one each for the two with one blocking approval; none for the third.
    const postReviews = Array.from({ length: 3 }, () => request({ route: 'post_review', expiresAt: null }));
    const placed = await placeAll(postReviews);
    const queued = placed.filter((e) => e.type === 'hitl.approval.assigned.v1');
    const notQueued = placed.filter((e) => e.type === 'hitl.approval.unreviewed.v1');
    expect(queued.map((e) => data(e).reviewer_id).sort()).toEqual(withRoom);
    expect(notQueued).toHaveLength(1);
    expect(data(notQueued[0])).toMatchObject({
      reason: 'no_review_capacity',
      reviewer_role: 'support_agent',
      detail: expect.stringContaining('sampling backed off'),
    });
    const [row] = await query<{ status: string; assignee: string | null }>(
      `SELECT status, assignee FROM escalation.approvals WHERE decision_id = $1`,
      [notQueued[0].subject],
      suite.env.databaseUrl,
    );
    expect(row).toEqual({ status: 'unreviewed', assignee: null });

    // Post-reviews never take room from blocking work: the two with room each take one more blocking approval.
    const more = await placeAll([request(), request(), request()]);
    expect(more.every((e) => e.type === 'hitl.approval.assigned.v1' && data(e).reviewer_role === 'support_agent')).toBe(true);
    // Every support agent full after that: the third waits in the support_agent queue, not skipped up to the finance lead.
    expect(more.map((e) => (data(e).reviewer_id as string | null) ?? 'nobody').sort()).toEqual([...withRoom, 'nobody'].sort());

    const { json } = await call('GET', '/queues', 'adam');
    const line = (queue: string) =>
      json.queues.find((q: { workspace: string; role: string; queue: string }) => q.role === 'support_agent' && q.queue === queue);
    expect(line('blocking')).toMatchObject({ depth: 7, unassigned: 1, unreviewed_24h: 0, backed_off_24h: 0 });
    expect(line('post_review')).toMatchObject({ depth: 2, unassigned: 0, unreviewed_24h: 0, backed_off_24h: 1 });
  });
});

describe('post-reviews that end', () => {
  const suite = escalationForSuite();
  const call = (method: string, path: string, who: string, body?: unknown) =>
    httpCall(`${suite.service.url}${path}`, { method, token: TOKENS[who], body }) as Promise<{ status: number; json: any }>;

  it('waits for a reviewer for its rollback window, or the manifest’s review window (a day by default)', async () => {
    const cancel = request({ route: 'post_review', expiresAt: null, action: 'cancel_subscription', parameters: { subscription_id: 'sub-1' } });
    const refund = request({ route: 'post_review', expiresAt: null });
    await publish(suite.env, [cancel, refund]);
    await readUntil(suite.env, 'approval.updated', (events) => [cancel, refund].every((r) => of(events, r.subject).length >= 1));
    const rows = await query<{ decision_id: string; window: number; same: boolean }>(
      `SELECT decision_id, extract(epoch FROM expires_at - created_at)::int AS window, expires_at = sla_deadline AS same
         FROM escalation.approvals WHERE decision_id = ANY ($1::uuid[])`,
      [[cancel.subject, refund.subject]],
      suite.env.databaseUrl,
    );
    const windowOf = (r: ReturnType<typeof request>) => rows.find((row) => row.decision_id === r.subject)!;
    // cancel_subscription has a 3600 s rollback window; process_refund none, so the default review window.
    expect(Math.abs(windowOf(cancel).window - 3600)).toBeLessThanOrEqual(2);
    expect(Math.abs(windowOf(refund).window - 86_400)).toBeLessThanOrEqual(2);
    expect(rows.every((r) => r.same)).toBe(true);
  });

  it('past its window it ends unreviewed: the event, the status, queue health; and nobody can confirm it after', async () => {
    const r = request({ route: 'post_review', expiresAt: null });
    await publish(suite.env, [r]);
    await readUntil(suite.env, 'approval.updated', (events) => of(events, r.subject).length >= 1);
    await query(
      `UPDATE escalation.approvals SET expires_at = now() - interval '1 second', sla_deadline = now() - interval '1 second' WHERE decision_id = $1`,
      [r.subject],
      suite.env.databaseUrl,
    );
    const updates = await readUntil(suite.env, 'approval.updated', (events) => ofType(events, r.subject, 'hitl.approval.unreviewed.v1').length >= 1);
    expect(data(ofType(updates, r.subject, 'hitl.approval.unreviewed.v1')[0])).toMatchObject({
      approval_id: r.data.approval_id,
      reason: 'review_window_closed',
      reviewer_role: 'support_agent',
    });
    const detail = await call('GET', `/approvals/${r.data.approval_id}`, 'alice');
    expect(detail.json.status).toBe('unreviewed');
    const late = await call('POST', `/approvals/${r.data.approval_id}/approve`, 'alice', { payload_hash: r.data.payload_hash });
    expect(late.status).toBe(409);
    const { json } = await call('GET', '/queues', 'adam');
    expect(json.queues.find((q: { role: string; queue: string }) => q.role === 'support_agent' && q.queue === 'post_review')).toMatchObject({
      unreviewed_24h: 1,
    });
  });

  it('confirmed by a reviewer: reviewed, on approval.updated', async () => {
    const r = request({ route: 'post_review', expiresAt: null });
    await publish(suite.env, [r]);
    await readUntil(suite.env, 'approval.updated', (events) => of(events, r.subject).length >= 1);
    const who = String(
      (await query<{ assignee: string }>(`SELECT assignee FROM escalation.approvals WHERE decision_id = $1`, [r.subject], suite.env.databaseUrl))[0].assignee,
    );
    const answer = await call('POST', `/approvals/${r.data.approval_id}/approve`, who, { payload_hash: r.data.payload_hash, notes: 'checked the order' });
    expect(answer.json.status).toBe('reviewed');
    const updates = await readUntil(suite.env, 'approval.updated', (events) => ofType(events, r.subject, 'hitl.approval.reviewed.v1').length >= 1);
    expect(data(ofType(updates, r.subject, 'hitl.approval.reviewed.v1')[0])).toEqual({
      decision_id: r.subject,
      approval_id: r.data.approval_id,
      reviewed_by: who,
      notes: 'checked the order',
    });
  });
});
