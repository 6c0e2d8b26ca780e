// Reviewers deciding, over HTTP, on the real broker and database.
import { AnyEvent, payloadHash } from '@hitl/contracts';
import { query } from '@hitl/testing';
import { TOKENS, escalationForSuite, of, publish, readUntil, request } from './support/escalation-harness';

const data = (e: AnyEvent) => e.data as Record<string, any>;

describe('reviewer decisions', () => {
  const suite = escalationForSuite();

  const call = async (who: string, path: string, body: unknown) => {
    const res = await fetch(`${suite.service.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS[who]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  /** Publishes requests and waits until each is assigned. */
  const opened = async (...requests: ReturnType<typeof request>[]) => {
    await publish(suite.env, requests);
    await readUntil(suite.env, 'approval.updated', (events) => requests.every((r) => of(events, r.subject).length >= 1));
    return requests;
  };

  const resolutions = (decisionId: string, atLeast = 1) =>
    readUntil(suite.env, 'approval.resolved', (events) => of(events, decisionId).length >= atLeast).then((e) => of(e, decisionId));
  const statusOf = async (approvalId: string) =>
    (await query<{ status: string }>('SELECT status FROM escalation.approvals WHERE approval_id = $1', [approvalId], suite.env.databaseUrl))[0].status;

  it('approve publishes approval.resolved approved by the reviewer, bound to the payload shown', async () => {
    const [r] = await opened(request());
    const answer = await call('alice', `/approvals/${r.data.approval_id}/approve`, { payload_hash: r.data.payload_hash, notes: 'receipt checked' });
    expect(answer).toMatchObject({ status: 200, body: { status: 'approved', approvals: ['alice'] } });
    const [resolved] = await resolutions(r.subject);
    expect(data(resolved)).toMatchObject({
      status: 'approved',
      resolved_by: { kind: 'reviewer', id: 'alice' },
      notes: 'receipt checked',
      payload_hash: r.data.payload_hash,
      edited: false,
    });
  });

  it('a stale payload hash gets 409 and changes nothing', async () => {
    const [r] = await opened(request());
    const answer = await call('alice', `/approvals/${r.data.approval_id}/approve`, {
      payload_hash: payloadHash('process_refund', { order_id: 'other', amount_usd: 1 }),
    });
    expect(answer).toMatchObject({ status: 409, body: { code: 'stale_payload' } });
    expect(await statusOf(r.data.approval_id)).toBe('pending');
  });

  it.each([
    ['deny without a reason', 'deny', {}, 'reason'],
    ['deny with a blank reason', 'deny', { reason: '   ' }, 'reason'],
    ['approve without a hash', 'approve', {}, 'payload_hash'],
    ['approve with a malformed hash', 'approve', { payload_hash: 'md5:1' }, 'payload_hash'],
    ['approve with an unknown field', 'approve', { payload_hash: 'sha256:' + 'a'.repeat(64), approver: 'dan' }, 'approver'],
    ['edit with parameters that are not an object', 'edit', { payload_hash: 'sha256:' + 'a'.repeat(64), parameters: [1] }, 'parameters'],
  ])('a malformed body (%s) gets 400 naming the field, and changes nothing', async (_name, act, body, field) => {
    const [r] = await opened(request());
    const answer = await call('alice', `/approvals/${r.data.approval_id}/${act}`, body);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain(field);
    expect(await statusOf(r.data.approval_id)).toBe('pending');
  });

  it('deny with a reason publishes denied with the reason', async () => {
    const [r] = await opened(request());
    expect((await call('bob', `/approvals/${r.data.approval_id}/deny`, { reason: 'duplicate of ORD-1' })).body.status).toBe('denied');
    const [resolved] = await resolutions(r.subject);
    expect(data(resolved).status).toBe('denied');
    expect(data(resolved).reasons.at(-1).detail).toContain('duplicate of ORD-1');
  });

  it('a reviewer of another workspace or of another role gets 403; the requester gets 403', async () => {
    const [first, escalated, mine] = await opened(request(), request({ route: 'escalate', path: ['finance_lead'] }), request({ onBehalfOf: 'alice' }));
    expect(await call('zed', `/approvals/${first.data.approval_id}/approve`, { payload_hash: first.data.payload_hash })).toMatchObject({
      status: 403,
      body: { code: 'wrong_workspace' },
    });
    expect(await call('alice', `/approvals/${escalated.data.approval_id}/approve`, { payload_hash: escalated.data.payload_hash })).toMatchObject({
      status: 403,
      body: { code: 'wrong_role' },
    });
    expect(await call('alice', `/approvals/${mine.data.approval_id}/approve`, { payload_hash: mine.data.payload_hash })).toMatchObject({
      status: 403,
      body: { code: 'requester' },
    });
    // ...and the database refuses it even if the API did not.
    await expect(
      query(
        'INSERT INTO escalation.approval_votes (approval_id, reviewer_id, on_behalf_of, payload_hash) VALUES ($1, $2, $3, $4)',
        [mine.data.approval_id, 'alice', 'alice', mine.data.payload_hash],
        suite.env.databaseUrl,
      ),
    ).rejects.toThrow(/requester_never_approves/);
    for (const r of [first, escalated, mine]) expect(await statusOf(r.data.approval_id)).toBe('pending');
  });

  it('a two-person approval needs two distinct people', async () => {
    const [r] = await opened(request({ requiredApprovals: 2 }));
    const path = `/approvals/${r.data.approval_id}/approve`;
    expect((await call('alice', path, { payload_hash: r.data.payload_hash })).body).toMatchObject({ status: 'awaiting_approvals', approvals: ['alice'] });
    expect(await call('alice', path, { payload_hash: r.data.payload_hash })).toMatchObject({ status: 409, body: { code: 'already_approved' } });
    expect(await statusOf(r.data.approval_id)).toBe('pending');
    expect((await call('bob', path, { payload_hash: r.data.payload_hash })).body).toMatchObject({ status: 'approved', approvals: ['alice', 'bob'] });
    const resolved = await resolutions(r.subject);
    expect(resolved).toHaveLength(1);
    expect(data(resolved[0]).reasons.map((x: { detail: string }) => x.detail)).toEqual(expect.arrayContaining(['approved by alice', 'approved by bob']));
  });

  it('concurrent approve and deny: exactly one wins, the other gets 409', async () => {
    const [r] = await opened(request());
    const answers = await Promise.all([
      call('alice', `/approvals/${r.data.approval_id}/approve`, { payload_hash: r.data.payload_hash }),
      call('bob', `/approvals/${r.data.approval_id}/deny`, { reason: 'not eligible' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)!.body.code).toBe('already_resolved');
    await new Promise((done) => setTimeout(done, 1_000));
    expect(await resolutions(r.subject)).toHaveLength(1);
  });

  it('an edit that raises an amount above a threshold goes to the tier that threshold demands instead of being approved', async () => {
    const credit = { customer_id: 'c-77', amount_usd: 150 };
    const [r] = await opened(request({ action: 'issue_goodwill_credit', parameters: credit }));
    const raised = { ...credit, amount_usd: 300 }; // above $200: a finance lead decides
    const raisedHash = payloadHash('issue_goodwill_credit', raised);
    const byAgent = await call('alice', `/approvals/${r.data.approval_id}/edit`, { payload_hash: r.data.payload_hash, parameters: raised });
    expect(byAgent).toMatchObject({ status: 200, body: { status: 'escalated', approvals: [], payload_hash: raisedHash } });
    const [moved] = await query<{ status: string; reviewer_role: string; tier: number; parameters: object; edited: boolean }>(
      'SELECT status, reviewer_role, tier, parameters, edited FROM escalation.approvals WHERE approval_id = $1',
      [r.data.approval_id],
      suite.env.databaseUrl,
    );
    expect(moved).toEqual({ status: 'pending', reviewer_role: 'finance_lead', tier: 1, parameters: raised, edited: true });
    const updates = await readUntil(suite.env, 'approval.updated', (events) => of(events, r.subject).some((e) => e.type === 'hitl.approval.escalated.v1'));
    const escalated = of(updates, r.subject).find((e) => e.type === 'hitl.approval.escalated.v1')!;
    expect(data(escalated)).toMatchObject({ reviewer_role: 'finance_lead', from_role: 'support_agent', tier: 1 });
    expect(data(escalated).reason).toContain('edited by alice; the edited parameters need a finance_lead');
    // The support agent cannot approve what now needs a finance lead.
    expect(await call('alice', `/approvals/${r.data.approval_id}/approve`, { payload_hash: raisedHash })).toMatchObject({
      status: 403,
      body: { code: 'wrong_role' },
    });

    const invalid = await call('dan', `/approvals/${r.data.approval_id}/edit`, { payload_hash: raisedHash, parameters: { amount_usd: 300 } });
    expect(invalid).toMatchObject({ status: 422, body: { code: 'edit_blocked' } });

    const byLead = await call('dan', `/approvals/${r.data.approval_id}/approve`, { payload_hash: raisedHash, notes: 'long-standing customer' });
    expect(byLead).toMatchObject({ status: 200, body: { status: 'approved', payload_hash: raisedHash } });
    const [resolved] = await resolutions(r.subject);
    expect(data(resolved)).toMatchObject({ status: 'approved', edited: true, parameters: raised, payload_hash: raisedHash });
  });

  it('a batch of 50 returns 50 per-item results: approved, denied and refused, none dropped', async () => {
    const requests = await opened(...Array.from({ length: 48 }, () => request()));
    const items = [
      ...requests.slice(0, 40).map((r) => ({ act: 'approve', approval_id: r.data.approval_id, payload_hash: r.data.payload_hash })),
      ...requests.slice(40, 47).map((r) => ({ act: 'deny', approval_id: r.data.approval_id, reason: 'batch: not eligible' })),
      { act: 'approve', approval_id: requests[47].data.approval_id, payload_hash: 'sha256:' + '0'.repeat(64) },
      { act: 'approve', approval_id: '00000000-0000-4000-8000-000000000000', payload_hash: 'sha256:' + '0'.repeat(64) },
      { act: 'deny', approval_id: requests[0].data.approval_id, reason: 'twice' },
    ];
    const answer = await call('dan', '/approvals/batch', { items });
    expect(answer.status).toBe(200);
    const results = answer.body.results as { approval_id: string; ok: boolean; result?: { status: string }; error?: { code: string } }[];
    expect(results).toHaveLength(50);
    expect(results.map((x) => x.approval_id)).toEqual(items.map((i) => i.approval_id));
    expect(results.filter((x) => x.ok && x.result!.status === 'approved')).toHaveLength(40);
    expect(results.filter((x) => x.ok && x.result!.status === 'denied')).toHaveLength(7);
    expect(results.slice(47).map((x) => x.error?.code)).toEqual(['stale_payload', 'approval_not_found', 'already_resolved']);
  });
});
