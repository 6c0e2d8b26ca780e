// The audit's stream for analysts (audit.recorded) on the real broker and database, checked
// by a consumer written from the contract alone (support/stream-consumer.ts: kafkajs,
// node:crypto, canonicalize): every record of a workspace exactly once, in chain order, each
// hash recomputed and linked, each message signed by the audit, no redacted value in clear;
// a redelivered event adds neither a record nor a message; and the analysts' verifier
// (examples/analysts/verify-audit-stream.mjs) fed the lines kcat would print agrees.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { AnyEvent, EventType, exampleEvent, topicOf } from '@hitl/contracts';
import { eventually, query, sendMessages, signed } from '@hitl/testing';
import { INestApplication } from '@nestjs/common';
import { AuditRun } from './support/audit-run';
import { StreamMessage, chainProblems, jwksKeys, readStream } from './support/stream-consumer';

const run = new AuditRun('stream');
const { schema, prefix, kafka } = run;
const SECRET = '4242424242424242';
const W = `acme-stream-${randomUUID().slice(0, 8)}`;
const OTHER = `globex-stream-${randomUUID().slice(0, 8)}`;
const VERIFIER = resolve(__dirname, '../../../examples/analysts/verify-audit-stream.mjs');

/** A decision's life in `workspace`, a second apart, a card number in its parameters. */
function lifecycle(workspace: string, types: EventType[]): AnyEvent[] {
  const decisionId = randomUUID();
  return types.map((type, i) => {
    const e = exampleEvent(type, { id: randomUUID(), workspaceid: workspace }) as AnyEvent;
    e.subject = decisionId;
    (e.data as { decision_id: string }).decision_id = decisionId;
    e.time = new Date(Date.UTC(2026, 10, 22, 9, 0, i)).toISOString();
    const data = e.data as { parameters?: Record<string, unknown>; decision?: { decision_id: string; parameters: Record<string, unknown> } };
    if (data.parameters) data.parameters = { ...data.parameters, card_number: SECRET };
    if (data.decision) data.decision = { ...data.decision, decision_id: decisionId, parameters: { ...data.decision.parameters, card_number: SECRET } };
    return e;
  });
}

const life = lifecycle(W, [
  'hitl.decision.proposed.v1',
  'hitl.approval.requested.v1',
  'hitl.approval.assigned.v1',
  'hitl.approval.resolved.v1',
  'hitl.action.executed.v1',
  'hitl.outcome.labeled.v1',
]);
// A forged resolution (unsigned): chained too, with its refusal.
const [forged] = lifecycle(W, ['hitl.approval.resolved.v1']);
const others = lifecycle(OTHER, ['hitl.decision.proposed.v1', 'hitl.approval.requested.v1']);

const wire = (events: AnyEvent[], sign = true) =>
  events.map((e) => ({ topic: `${prefix}${topicOf(e.type)}`, key: e.subject, value: JSON.stringify(sign ? signed(e) : e) }));
// A dead letter of W: refused bytes some consumer put on a DLQ, a card number in them (kept redacted).
const letter = {
  topic: `${prefix}decision.proposed.dlq`,
  key: null,
  value: JSON.stringify({ workspaceid: W, data: { action: 'process_refund', parameters: { card_number: SECRET } } }),
};

const recordedIn = async (workspace: string) =>
  (await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".events WHERE workspace = $1`, [workspace]))[0].n;
const outboxRows = async () => (await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".outbox`))[0].n;

/** Until the audit's group has consumed everything on the input topics and its outbox is empty. */
async function settled(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = ['decision.proposed', 'approval.requested', 'approval.updated', 'approval.resolved', 'action.executed', 'outcome.labeled'];
    const physical = [...topics, 'decision.proposed.dlq'].map((t) => `${prefix}${t}`);
    await eventually(
      'the audit to consume every input and publish its outbox',
      async () => {
        const groups = await admin.fetchOffsets({ groupId: `${prefix}hitl-audit`, topics: physical });
        for (const { topic, partitions } of groups) {
          const ends = await admin.fetchTopicOffsets(topic);
          for (const end of ends) {
            const at = partitions.find((p) => p.partition === end.partition);
            if (Number(end.offset) > 0 && Number(at?.offset ?? -1) < Number(end.offset)) return false;
          }
        }
        return (await outboxRows()) === 0;
      },
      { timeoutMs: 60_000, everyMs: 250 },
    );
  } finally {
    await admin.disconnect();
  }
}

/** The whole topic as it stands: read until every message up to its end offsets came. */
async function wholeStream(): Promise<StreamMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(`${prefix}audit.recorded`);
  await admin.disconnect();
  const total = ends.reduce((sum, e) => sum + Number(e.offset), 0);
  const messages = await readStream(kafka, `${prefix}audit.recorded`, (m) => m.length >= total);
  expect(messages).toHaveLength(total);
  return messages;
}

const ofWorkspace = (messages: StreamMessage[], workspace: string) => messages.filter((m) => m.key === workspace);

/** Runs the analysts' verifier on `lines` (as kcat prints them), the audit's JWKS from its GET /keys; not blocking this process, which serves it. */
function verifier(url: string, lines: string[], ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [VERIFIER, '--jwks', `${url}/keys`, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

describe('audit.recorded, read by a consumer written from the contract', () => {
  let app: INestApplication | undefined;
  let url: string;
  let stream: StreamMessage[];

  beforeAll(async () => {
    ({ app, url } = await run.start(run.config({})));
    await sendMessages(kafka, [...wire(life), ...wire([forged], false), ...wire(others), letter]);
    await eventually('every input recorded', async () => (await recordedIn(W)) + (await recordedIn(OTHER)) >= 10, { timeoutMs: 60_000 });
    await settled();
    stream = await wholeStream();
  }, 120_000);

  afterAll(() => run.tearDown(app));

  it('holds every record of the workspace exactly once, in chain order, linked, hashed by the contract formula and signed by the audit', async () => {
    const jwks = (await (await fetch(`${url}/keys`)).json()) as Parameters<typeof jwksKeys>[0];
    expect(jwks.keys.length).toBeGreaterThan(0);
    const keys = jwksKeys(jwks);
    const mine = ofWorkspace(stream, W);
    // 8 sent; a retried send of the dead letter (no key) may land twice, and each copy is a letter of its own.
    expect(mine).toHaveLength(await recordedIn(W));
    expect(mine.length).toBeGreaterThanOrEqual(8);
    expect(new Set(mine.map((m) => m.event.id)).size).toBe(mine.length);
    expect(chainProblems(mine, W, keys)).toEqual([]);
    expect(chainProblems(ofWorkspace(stream, OTHER), OTHER, keys)).toEqual([]);
    // What the audit's verify walks from the database is what the stream says.
    const rows = await query<{ chain_index: number; hash: string; event_id: string }>(
      `SELECT chain_index::int AS chain_index, hash, event_id FROM "${schema}".events WHERE workspace = $1 ORDER BY chain_index`,
      [W],
    );
    expect(mine.map((m) => ({ chain_index: m.event.data.position, hash: m.event.data.hash, event_id: m.event.data.event_id }))).toEqual(rows);
    expect(mine.every((m) => m.headers['content-type'] === 'application/cloudevents+json; charset=UTF-8')).toBe(true);
  });

  it('publishes the refused event with its refusal and the dead letter, like every chained record', () => {
    const mine = ofWorkspace(stream, W).map((m) => m.event.data);
    expect(mine.find((d) => d.event_id === forged.id)).toMatchObject({
      verified: false,
      signer: null,
      refusal: 'unsigned: hitl.approval.resolved.v1 must be signed (sigkid, sig)',
      record: { verified: false, actor_kind: 'unverified' },
    });
    expect(mine.find((d) => d.event_id === life[0].id)).toMatchObject({ verified: true, signer: 'agent:refund-bot', event_type: 'hitl.decision.proposed.v1' });
    expect(mine.find((d) => d.event_type === 'hitl.dead_letter')).toMatchObject({ verified: null, signer: null, refusal: null });
  });

  it('never carries the card number in clear, in any message', () => {
    expect(stream.length).toBeGreaterThan(0);
    for (const message of stream) expect(message.bytes.toString('utf8')).not.toContain(SECRET);
    const proposal = ofWorkspace(stream, W).find((m) => m.event.data.event_id === life[0].id);
    expect(proposal?.event.data.record).toMatchObject({ event: { data: { parameters: { card_number: '[REDACTED]' } } } });
  });

  it('the analysts’ verifier, fed the lines kcat prints, verifies the workspace, and finds a changed record', async () => {
    const lines = stream.map((m) => `${m.key ?? ''}\t${m.bytes.toString('utf8')}`);
    const count = ofWorkspace(stream, W).length;

    const ok = await verifier(url, lines, '--workspace', W, '--from-genesis');
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    expect(ok.stdout).toContain(`${W}: ${count} records, positions 1-${count}`);
    expect(ok.stdout).toContain('OK: every chain intact, every signature verified');
    // Every workspace at once, and a message delivered twice (a re-publish) skipped.
    const all = await verifier(url, [...lines, lines[0]]);
    expect(all.status).toBe(0);
    expect(all.stdout).toContain(`${OTHER}: 2 records`);
    expect(all.stdout).toContain('1 duplicate message(s) skipped');

    const changed = lines.map((line) => (line.startsWith(`${W}\t`) && line.includes(forged.id) ? line.replace('"verified":false', '"verified":true') : line));
    const tampered = await verifier(url, changed, '--workspace', W);
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toMatch(/the hash does not match the record/);
    expect(tampered.stderr).toMatch(/the signature does not verify/);
    const gap = await verifier(
      url,
      // The record at position 2 left out (the chain's order is the order the audit read its topics in).
      stream.filter((m) => !(m.key === W && m.event.data.position === 2)).map((m) => `${m.key ?? ''}\t${m.bytes.toString('utf8')}`),
      '--workspace',
      W,
    );
    expect(gap.status).toBe(1);
    expect(gap.stderr).toMatch(/a record is missing/);
  });

  it('adds neither a record nor a message when an event is delivered again', async () => {
    const before = { records: await recordedIn(W), messages: ofWorkspace(stream, W).length };
    await sendMessages(kafka, [...wire(life), ...wire([forged], false), letter].slice(0, 7));
    await settled();
    const after = await wholeStream();
    expect({ records: await recordedIn(W), messages: ofWorkspace(after, W).length }).toEqual(before);
    expect(after).toHaveLength(stream.length);
  });

  it('publishes a backlog of one workspace larger than a broker batch: one partition, in order, every record', async () => {
    // 600 events of ~4 KB in one workspace: chunks of 500 make outbox rounds of megabytes for one partition.
    const BIG = `big-stream-${randomUUID().slice(0, 8)}`;
    const backlog = Array.from({ length: 600 }, () => {
      const [e] = lifecycle(BIG, ['hitl.decision.proposed.v1']);
      (e.data as { summary: string }).summary = 'x'.repeat(4_000);
      return e;
    });
    for (let i = 0; i < backlog.length; i += 100) await sendMessages(kafka, wire(backlog.slice(i, i + 100)));
    await eventually('the backlog recorded', async () => (await recordedIn(BIG)) === backlog.length, { timeoutMs: 60_000 });
    await settled();
    const jwks = (await (await fetch(`${url}/keys`)).json()) as Parameters<typeof jwksKeys>[0];
    const mine = ofWorkspace(await wholeStream(), BIG);
    expect(mine).toHaveLength(backlog.length);
    expect(chainProblems(mine, BIG, jwksKeys(jwks))).toEqual([]);
  });

  it('publishes the record of an event as large as the broker takes, though the record is larger than that', async () => {
    const HUGE = `huge-stream-${randomUUID().slice(0, 8)}`;
    const [e] = lifecycle(HUGE, ['hitl.decision.proposed.v1']);
    const data = e.data as { parameters: Record<string, unknown> };
    // The broker's default limit is 1 048 588 bytes a record batch: this one is a few hundred under it.
    data.parameters = { ...data.parameters, attachment: '' };
    data.parameters.attachment = 'x'.repeat(1_048_000 - JSON.stringify(signed(e)).length);
    const [message] = wire([e]);
    expect(Buffer.byteLength(message.value)).toBe(1_048_000);
    await sendMessages(kafka, [message]);
    await eventually('the large event recorded', async () => (await recordedIn(HUGE)) === 1, { timeoutMs: 60_000 });
    await settled();
    const [record] = ofWorkspace(await wholeStream(), HUGE);
    expect(record.bytes.length).toBeGreaterThan(1_048_588);
    const jwks = (await (await fetch(`${url}/keys`)).json()) as Parameters<typeof jwksKeys>[0];
    expect(chainProblems([record], HUGE, jwksKeys(jwks))).toEqual([]);
  });
});
