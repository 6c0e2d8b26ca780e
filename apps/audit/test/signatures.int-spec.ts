// The audit keeps what did not verify, marked, on the real broker and database: a forged
// approval (unsigned), one signed by the wrong service, and agent-signed events signed by
// an agent that did not propose the decision are recorded with verified=false and their
// refusal, shown as refused in the timeline and never as the resolution; post-reviews
// confirmed or ended unreviewed by the escalation service verify, one signed by the router
// does not; the chain, which covers the verdicts, still verifies.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnyEvent, EventType, exampleEvent, generateSigningKey, signEvent, topicOf } from '@hitl/contracts';
import { INestApplication } from '@nestjs/common';
import { httpCall, query, sendMessages, signed } from '@hitl/testing';
import { AuditRun } from './support/audit-run';

const run = new AuditRun('audsig');
const { schema, prefix, kafka } = run;
const TOKEN = 'acme-auditor-token-signatures-0123456789';

let app: INestApplication;
let url: string;

const base = Date.now() - 3_600_000;
const at = (second: number) => new Date(base + second * 1_000).toISOString();

function event(type: EventType, decisionId: string, second: number, change: (data: Record<string, unknown>) => void = () => undefined): AnyEvent {
  const e = exampleEvent(type, { id: randomUUID() }) as AnyEvent;
  e.subject = decisionId;
  e.time = at(second);
  const data = e.data as Record<string, unknown> & { decision?: Record<string, unknown> };
  data.decision_id = decisionId;
  if (data.decision) data.decision = { ...data.decision, decision_id: decisionId };
  change(data);
  return e;
}

// Decision D, proposed by refund-bot, routed to a person, approved by rev-alice (signed by
// the escalation service). Before that: a forged approval by "rev-mallory" with no
// signature, and one claiming rev-alice's approval signed with the router's key.
const D = randomUUID();
const proposal = event('hitl.decision.proposed.v1', D, 0);
const requested = event('hitl.approval.requested.v1', D, 1);
const forged = event('hitl.approval.resolved.v1', D, 2, (d) => Object.assign(d, { resolved_by: { kind: 'reviewer', id: 'rev-mallory' } }));
const wrongService = event('hitl.approval.resolved.v1', D, 3);
const realResolution = event('hitl.approval.resolved.v1', D, 4);
// Only the proposing agent signs these: other-bot is a registered agent, but not D's proposer.
const clarifiedByOther = event('hitl.approval.clarification_provided.v1', D, 5, (d) => Object.assign(d, { provided_by: 'refund-bot' }));
const executedByOther = event('hitl.action.executed.v1', D, 6);
const executed = event('hitl.action.executed.v1', D, 7);
// A label signed with a key nobody registered.
const strangerLabel = event('hitl.outcome.labeled.v1', D, 8);

// Decision P, a post-review (the refund ran, auto-approved; a person reviews it after the
// fact): confirmed by rev-bob (signed by the escalation service), and a confirmation by
// "rev-mallory" signed with the router's key. Decision U: a post-review whose review window
// closed, and one never queued for lack of reviewer capacity, both ended by the escalation service.
const P = randomUUID();
const postReviewRequested = event('hitl.approval.requested.v1', P, 10, (d) => Object.assign(d, { route: 'post_review', expires_at: null }));
const reviewed = event('hitl.approval.reviewed.v1', P, 11, (d) => Object.assign(d, { reviewed_by: 'rev-bob', notes: null }));
const routerSignedReview = event('hitl.approval.reviewed.v1', P, 12, (d) => Object.assign(d, { reviewed_by: 'rev-mallory' }));
const U = randomUUID();
const windowClosed = event('hitl.approval.unreviewed.v1', U, 13);
const notQueued = event('hitl.approval.unreviewed.v1', U, 14, (d) =>
  Object.assign(d, { reason: 'no_review_capacity', detail: 'support_agent reviewers had no capacity left after blocking work' }),
);

const sent: [AnyEvent, object][] = [
  [proposal, signed(proposal)],
  [requested, signed(requested)],
  [forged, forged],
  [wrongService, signed(wrongService, 'router')],
  [realResolution, signed(realResolution)],
  [clarifiedByOther, signed(clarifiedByOther, 'other-bot')],
  [executedByOther, signed(executedByOther, 'other-bot')],
  [executed, signed(executed, 'refund-bot')],
  [strangerLabel, signEvent(strangerLabel, generateSigningKey().key)],
  [postReviewRequested, signed(postReviewRequested)],
  [reviewed, signed(reviewed)],
  [routerSignedReview, signed(routerSignedReview, 'router')],
  [windowClosed, signed(windowClosed)],
  [notQueued, signed(notQueued)],
];

/** A GET as the acme auditor; `body`: the answer as JSON (null when it is none). */
async function get(path: string) {
  const answer = await httpCall(`${url}${path}`, { token: TOKEN });
  return { ...answer, body: answer.json };
}

describe('the audit record of what did not verify', () => {
  beforeAll(async () => {
    writeFileSync(
      join(run.dir, 'auditors.yaml'),
      'auditors:\n  - { id: aud-acme, name: Acme auditor, workspaces: [acme-support], token_env: AUDITOR_TOKEN_ACME }\n',
    );
    ({ app, url } = await run.start(run.config({ AUDITORS_PATH: join(run.dir, 'auditors.yaml'), AUDITOR_TOKEN_ACME: TOKEN })));
    // Everything at once, the executions and labels before the proposal: the audit waits for it.
    await sendMessages(
      kafka,
      [...sent].reverse().map(([e, wire]) => ({ topic: `${prefix}${topicOf(e.type)}`, key: e.subject, value: JSON.stringify(wire) })),
    );
    await run.waitForRecorded(`SELECT count(*)::int AS n FROM "${schema}".events WHERE event_id = ANY($1::text[])`, [sent.map(([e]) => e.id)], sent.length);
  });

  afterAll(() => run.tearDown(app));

  it('records every event, with whether it verified, who signed it and why it was refused', async () => {
    const rows = await query<{ event_id: string; verified: boolean; signer: string | null; refusal: string | null; actor_kind: string }>(
      `SELECT event_id, verified, signer, refusal, actor_kind FROM "${schema}".events WHERE decision_id = $1 ORDER BY occurred_at, seq`,
      [D],
    );
    expect(rows).toEqual([
      { event_id: proposal.id, verified: true, signer: 'agent:refund-bot', refusal: null, actor_kind: 'agent' },
      { event_id: requested.id, verified: true, signer: 'service:router', refusal: null, actor_kind: 'policy' },
      {
        event_id: forged.id,
        verified: false,
        signer: null,
        refusal: 'unsigned: hitl.approval.resolved.v1 must be signed (sigkid, sig)',
        actor_kind: 'unverified',
      },
      {
        event_id: wrongService.id,
        verified: false,
        signer: null,
        refusal: 'signature_invalid: a resolution by reviewer must be signed by the escalation service, not the router service',
        actor_kind: 'unverified',
      },
      { event_id: realResolution.id, verified: true, signer: 'service:escalation', refusal: null, actor_kind: 'reviewer' },
      {
        event_id: clarifiedByOther.id,
        verified: false,
        signer: null,
        refusal: expect.stringMatching(
          /^signature_invalid: not signed by the agent that proposed the decision \(proposed by agent:refund-bot, signed by agent:other-bot\)$/,
        ),
        actor_kind: 'unverified',
      },
      {
        event_id: executedByOther.id,
        verified: false,
        signer: null,
        refusal: expect.stringMatching(/^signature_invalid: not signed by the agent that proposed the decision/),
        actor_kind: 'unverified',
      },
      { event_id: executed.id, verified: true, signer: 'agent:refund-bot', refusal: null, actor_kind: 'agent' },
      {
        event_id: strangerLabel.id,
        verified: false,
        signer: null,
        refusal: expect.stringMatching(/^signature_invalid: key .* is not trusted$/),
        actor_kind: 'unverified',
      },
    ]);
  });

  it('shows refused events as refused in the timeline, and the signed resolution as the resolution', async () => {
    const { status, body } = await get(`/audit/decisions/${D}/timeline`);
    expect(status).toBe(200);
    expect(body.steps.map((s: any) => [s.event_id, s.step, s.status, s.verified])).toEqual([
      [proposal.id, 'proposed', 'verified', true],
      [requested.id, 'routed', 'verified', true],
      [forged.id, 'refused', 'refused', false],
      [wrongService.id, 'refused', 'refused', false],
      [realResolution.id, 'resolved', 'verified', true],
      [clarifiedByOther.id, 'refused', 'refused', false],
      [executedByOther.id, 'refused', 'refused', false],
      [executed.id, 'executed', 'verified', true],
      [strangerLabel.id, 'refused', 'refused', false],
    ]);
    const refusedForgery = body.steps[2];
    expect(refusedForgery).toMatchObject({
      actor: { kind: 'unverified', id: 'rev-mallory' },
      refusal: expect.stringContaining('unsigned'),
      summary: expect.stringMatching(/^refused, never acted on/),
    });
    // Never "approved by" anyone but the real, signed resolution.
    const approvals = body.steps.filter((s: any) => /approved by/.test(s.summary));
    expect(approvals.map((s: any) => s.event_id)).toEqual([realResolution.id]);
    expect(body.resolution).toEqual({
      event_id: realResolution.id,
      status: 'approved',
      resolved_by: { kind: 'reviewer', id: 'rev-alice' },
      signer: 'service:escalation',
      summary: expect.stringMatching(/^approved by reviewer rev-alice/),
    });
  });

  it('post-reviews: a confirmation and endings unreviewed, signed by the escalation service, verify; a confirmation signed by the router is refused, never a review', async () => {
    const rows = await query<{ event_id: string; verified: boolean; signer: string | null; refusal: string | null; actor_kind: string; actor_id: string }>(
      `SELECT event_id, verified, signer, refusal, actor_kind, actor_id FROM "${schema}".events WHERE decision_id = ANY($1::uuid[]) ORDER BY occurred_at, seq`,
      [[P, U]],
    );
    expect(rows).toEqual([
      { event_id: postReviewRequested.id, verified: true, signer: 'service:router', refusal: null, actor_kind: 'policy', actor_id: 'sha256:3f1a9c' },
      { event_id: reviewed.id, verified: true, signer: 'service:escalation', refusal: null, actor_kind: 'reviewer', actor_id: 'rev-bob' },
      {
        event_id: routerSignedReview.id,
        verified: false,
        signer: null,
        refusal: 'signature_invalid: hitl.approval.reviewed.v1 must be signed by the escalation service, not the router service',
        actor_kind: 'unverified',
        actor_id: 'rev-mallory',
      },
      { event_id: windowClosed.id, verified: true, signer: 'service:escalation', refusal: null, actor_kind: 'timeout', actor_id: 'review_window' },
      { event_id: notQueued.id, verified: true, signer: 'service:escalation', refusal: null, actor_kind: 'system', actor_id: notQueued.source },
    ]);

    const p = (await get(`/audit/decisions/${P}/timeline`)).body;
    expect(p.steps.map((s: any) => [s.event_id, s.step, s.status, s.summary])).toEqual([
      [postReviewRequested.id, 'routed', 'verified', expect.stringMatching(/^routed to post_review by manifest/)],
      [reviewed.id, 'reviewed', 'verified', 'reviewed by rev-bob: the action stands'],
      [
        routerSignedReview.id,
        'refused',
        'refused',
        expect.stringMatching(/^refused, never acted on \(signature_invalid: .*\): a hitl\.approval\.reviewed\.v1 claiming to come from rev-mallory$/),
      ],
    ]);
    const u = (await get(`/audit/decisions/${U}/timeline`)).body;
    expect(u.steps.map((s: any) => [s.step, s.status, s.actor.kind, s.summary])).toEqual([
      ['unreviewed', 'verified', 'timeout', 'ended unreviewed: nobody reviewed it within its 3600 s review window (review window closed; support_agent queue)'],
      [
        'unreviewed',
        'verified',
        'system',
        'ended unreviewed: support_agent reviewers had no capacity left after blocking work (never queued: support_agent reviewers had no capacity left, sampling backed off)',
      ],
    ]);
    // Found by type; never as a reviewer's act.
    const ids = async (query: string) => (await get(`/audit/events?${query}`)).body.items.map((i: any) => i.event_id);
    expect(await ids('type=hitl.approval.unreviewed.v1')).toEqual([windowClosed.id, notQueued.id]);
    expect(await ids('type=hitl.approval.reviewed.v1&verified=true')).toEqual([reviewed.id]);
    expect(await ids('reviewer=rev-bob')).toEqual([reviewed.id]);
  });

  it('search and export carry the verdict; refused events are found with verified=false and counted as nothing else', async () => {
    const ids = async (query: string) => (await get(`/audit/events?${query}`)).body.items.map((i: any) => i.event_id);
    expect(await ids('verified=false')).toEqual([forged.id, wrongService.id, clarifiedByOther.id, executedByOther.id, strangerLabel.id, routerSignedReview.id]);
    expect(await ids('status=approved')).toEqual([realResolution.id]);
    expect(await ids('reviewer=rev-mallory')).toEqual([]);
    expect(await ids('reviewer=rev-alice')).toEqual([realResolution.id]);
    const item = (await get(`/audit/events?verified=false&limit=1`)).body.items[0];
    expect(item).toMatchObject({ event_id: forged.id, status: 'refused', verified: false, signer: null, refusal: expect.stringContaining('unsigned') });

    const ndjson = (await get('/audit/export?format=ndjson')).text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(ndjson.map((r) => r.event_id)).toEqual(sent.map(([e]) => e.id));
    expect(ndjson[4]).toMatchObject({ status: 'verified', verified: true, signer: 'service:escalation', refusal: null });
    expect(ndjson.filter((r) => r.verified === false).map((r) => r.event_id)).toEqual([
      forged.id,
      wrongService.id,
      clarifiedByOther.id,
      executedByOther.id,
      strangerLabel.id,
      routerSignedReview.id,
    ]);
    const csv = (await get('/audit/export?format=csv')).text;
    const [header] = csv.split('\r\n');
    expect(header.split(',')).toEqual(expect.arrayContaining(['status', 'verified', 'signer', 'refusal']));
    expect(csv).toContain('refused,false,,"unsigned: hitl.approval.resolved.v1 must be signed (sigkid, sig)"');
  });

  it('the chain covers the verdicts and still verifies', async () => {
    expect((await get('/audit/verify')).body).toMatchObject({
      ok: true,
      workspaces: [{ workspace: 'acme-support', ok: true, checked: sent.length, first_break: null }],
    });
    // Turning a refusal into a verification behind the record's back is found.
    await query(`BEGIN; ALTER TABLE "${schema}".events DISABLE TRIGGER events_append_only;
               UPDATE "${schema}".events SET verified = true, refusal = NULL, actor_kind = 'reviewer' WHERE event_id = '${forged.id}';
               ALTER TABLE "${schema}".events ENABLE TRIGGER events_append_only; COMMIT;`);
    expect((await get('/audit/verify')).body).toMatchObject({
      ok: false,
      workspaces: [{ first_break: { event_id: forged.id, reason: expect.stringContaining('changed after it was written') } }],
    });
  });

  it('a forged copy carrying a real event’s id, read before it or after it, never takes its place; copies of either add nothing', async () => {
    const S = randomUUID();
    const proposed = event('hitl.decision.proposed.v1', S, 20);
    const resolved = event('hitl.approval.resolved.v1', S, 21);
    const ran = event('hitl.action.executed.v1', S, 22);
    // Unsigned copies with the real ids: one approval by rev-mallory read before the real one, one failed run read after it.
    const forgedBefore = { ...resolved, data: { ...resolved.data, resolved_by: { kind: 'reviewer', id: 'rev-mallory' } } };
    const forgedAfter = { ...ran, data: { ...ran.data, succeeded: false } };
    const on = (e: AnyEvent, wire: object) => ({ topic: `${prefix}${topicOf(e.type)}`, key: S, value: JSON.stringify(wire) });
    const rowsOf = () =>
      query<{ event_id: string; verified: boolean }>(`SELECT event_id, verified FROM "${schema}".events WHERE decision_id = $1 ORDER BY seq`, [S]);

    await sendMessages(kafka, [on(proposed, signed(proposed)), on(resolved, forgedBefore)]);
    await run.waitForRecorded(`SELECT count(*)::int AS n FROM "${schema}".events WHERE decision_id = $1`, [S], 2);
    // The real events, then copies of everything; last on each partition, an event of its own to know the copies were read.
    const resolvedMark = event('hitl.approval.resolved.v1', S, 23);
    const ranMark = event('hitl.action.executed.v1', S, 24);
    await sendMessages(kafka, [
      on(resolved, signed(resolved)),
      on(ran, signed(ran, 'refund-bot')),
      on(ran, forgedAfter),
      on(resolved, forgedBefore),
      on(resolved, signed(resolved)),
      on(ran, forgedAfter),
      on(ran, signed(ran, 'refund-bot')),
      on(proposed, signed(proposed)),
      on(resolvedMark, signed(resolvedMark)),
      on(ranMark, signed(ranMark, 'refund-bot')),
    ]);
    await run.waitForRecorded(`SELECT count(*)::int AS n FROM "${schema}".events WHERE event_id = ANY($1::text[])`, [[resolvedMark.id, ranMark.id]], 2);
    // Topics are read side by side: the order across them is the reading's.
    const byId = (rows: [string, boolean][]) => rows.sort(([a, x], [b, y]) => a.localeCompare(b) || Number(x) - Number(y));
    expect(byId((await rowsOf()).map((r) => [r.event_id, r.verified]))).toEqual(
      byId([
        [proposed.id, true],
        [resolved.id, false],
        [resolved.id, true],
        [ran.id, true],
        [ran.id, false],
        [resolvedMark.id, true],
        [ranMark.id, true],
      ]),
    );
    const { body } = await get(`/audit/decisions/${S}/timeline`);
    expect(body.steps.filter((step: any) => step.event_id === resolved.id).map((step: any) => [step.status, step.actor.id])).toEqual([
      ['refused', 'rev-mallory'],
      ['verified', 'rev-alice'],
    ]);

    // In one chunk, the forged copy just before the real event: each keeps its own verdict.
    const ranAgain = event('hitl.action.executed.v1', S, 25);
    const forgedJustBefore = { ...ranAgain, data: { ...ranAgain.data, succeeded: false } };
    await sendMessages(kafka, [on(ranAgain, forgedJustBefore), on(ranAgain, signed(ranAgain, 'refund-bot'))]);
    await run.waitForRecorded(`SELECT count(*)::int AS n FROM "${schema}".events WHERE event_id = $1`, [ranAgain.id], 2);
    const copies = await query<{ verified: boolean; succeeded: boolean; actor_kind: string }>(
      `SELECT verified, (event->'data'->>'succeeded')::boolean AS succeeded, actor_kind FROM "${schema}".events WHERE event_id = $1 ORDER BY seq`,
      [ranAgain.id],
    );
    expect(copies).toEqual([
      { verified: false, succeeded: false, actor_kind: 'unverified' },
      { verified: true, succeeded: true, actor_kind: 'agent' },
    ]);
  });
});
