// The live stream of approval changes on the real broker and database: PostgreSQL
// LISTEN/NOTIFY fanned out as Server-Sent Events by every replica, only to whoever may see
// the approval.
import { APPROVAL_REQUESTED, CloudEvent } from '@hitl/contracts';
import { eventually } from '@hitl/testing';
import { EscalationProcess, TOKENS, escalationForSuite, publish, request } from './support/escalation-harness';

interface StreamEvent {
  event: string;
  data: any;
}

/** An open stream as a browser reads it (fetch, since EventSource cannot send a bearer token). */
class StreamReader {
  readonly events: StreamEvent[] = [];
  comments = 0;
  ended = false;
  body: any = null;
  private constructor(
    readonly status: number,
    private readonly abort: AbortController,
  ) {}

  static async open(url: string, token?: string): Promise<StreamReader> {
    const abort = new AbortController();
    const response = await fetch(`${url}/approvals/stream`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: abort.signal });
    const reader = new StreamReader(response.status, abort);
    if (!response.ok || !response.body) {
      reader.body = await response.json().catch(() => null);
      return reader;
    }
    void reader.read(response.body);
    return reader;
  }

  /** The reader leaves (the tab is closed). */
  close(): void {
    this.abort.abort();
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (frame.startsWith(':')) this.comments += 1;
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) this.events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // the connection was cut
    }
    this.ended = true;
  }

  changesOf(approvalId: string): string[] {
    return this.events.filter((e) => e.event === 'approval' && e.data.approval_id === approvalId).map((e) => e.data.change);
  }
}

describe('the live stream of approval changes', () => {
  const escalation = escalationForSuite();

  const approve = (r: CloudEvent<typeof APPROVAL_REQUESTED>, who: string) =>
    fetch(`${escalation.service.url}/approvals/${r.data.approval_id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS[who]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ payload_hash: r.data.payload_hash }),
    });

  it('refuses a stream without a valid bearer token', async () => {
    expect((await StreamReader.open(escalation.service.url)).status).toBe(401);
    expect((await StreamReader.open(escalation.service.url, 'not-a-known-token-at-all')).status).toBe(401);
  });

  it('streams new, assigned and resolved approvals to who may see them on every replica, and nothing to the others; ends on shutdown', async () => {
    // A second replica on the same database: its streams hear what the first one changes.
    const replica = new EscalationProcess(escalation.env);
    await replica.start();
    const [alice, dan, zed, aliceOnReplica] = await Promise.all([
      StreamReader.open(escalation.service.url, TOKENS.alice),
      StreamReader.open(escalation.service.url, TOKENS.dan),
      StreamReader.open(escalation.service.url, TOKENS.zed),
      StreamReader.open(replica.url, TOKENS.alice),
    ]);
    for (const s of [alice, dan, zed, aliceOnReplica]) await eventually('the stream to be ready', () => s.events.some((e) => e.event === 'ready'));

    const routine = request({ amount: 120 });
    const financeOnly = request({ path: ['finance_lead'], amount: 900 });
    await publish(escalation.env, [routine, financeOnly]);

    // The support agent sees the routine one arrive and get assigned; never the finance lead's.
    await eventually(
      "alice's routine approval",
      () => alice.changesOf(routine.data.approval_id).includes('assigned') || alice.changesOf(routine.data.approval_id).includes('new'),
    );
    const first = alice.events.find((e) => e.event === 'approval' && e.data.approval_id === routine.data.approval_id)!;
    expect(first.data.item).toMatchObject({ approval_id: routine.data.approval_id, action: 'process_refund', amount: 120, reviewer_role: 'support_agent' });
    await eventually("the finance lead's approval on dan's stream", () => dan.changesOf(financeOnly.data.approval_id).length > 0);
    expect(dan.changesOf(routine.data.approval_id).length).toBeGreaterThan(0);

    // Decided by a colleague: every stream that showed it hears it resolved, with who did it.
    expect((await approve(routine, 'bob')).status).toBe(200);
    const resolved = await eventually("the resolution on alice's stream", () =>
      alice.events.find((e) => e.event === 'approval' && e.data.approval_id === routine.data.approval_id && e.data.change === 'resolved'),
    );
    expect(resolved.data).toMatchObject({ status: 'approved', resolved_by: 'bob' });
    await eventually("the resolution on dan's stream", () => dan.changesOf(routine.data.approval_id).includes('resolved'));
    await eventually("the resolution on the other replica's stream", () => aliceOnReplica.changesOf(routine.data.approval_id).includes('resolved'));

    expect(alice.changesOf(financeOnly.data.approval_id)).toEqual([]);
    expect(zed.events.filter((e) => e.event === 'approval')).toEqual([]);

    await Promise.all([escalation.service.stop(), replica.stop()]);
    await eventually('every stream to end with its service', () => [alice, dan, zed, aliceOnReplica].every((s) => s.ended));
  });
});

describe('who may keep a live stream open', () => {
  const escalation = escalationForSuite();

  const admin = (method: string, path: string) => fetch(`${escalation.service.url}${path}`, { method, headers: { authorization: `Bearer ${TOKENS.adam}` } });
  const ready = (s: StreamReader) => eventually('the stream to be ready', () => s.events.some((e) => e.event === 'ready'));

  it("a revoked token's streams close within a second on every replica, and a removed reviewer's too", async () => {
    const replica = new EscalationProcess(escalation.env);
    await replica.start();
    try {
      const [carol, carolOnReplica, dan, alice] = await Promise.all([
        StreamReader.open(escalation.service.url, TOKENS.carol),
        StreamReader.open(replica.url, TOKENS.carol),
        StreamReader.open(escalation.service.url, TOKENS.dan),
        StreamReader.open(escalation.service.url, TOKENS.alice),
      ]);
      for (const s of [carol, carolOnReplica, dan, alice]) await ready(s);

      // A new token for carol: the old one stops working, and its streams end at once, saying why.
      const issued = await admin('POST', '/reviewers/carol/token');
      expect(issued.status).toBe(201);
      await eventually("carol's streams to close after her token was revoked", () => carol.ended && carolOnReplica.ended, { timeoutMs: 1000 });
      for (const s of [carol, carolOnReplica]) expect(s.events.at(-1)).toEqual({ event: 'end', data: { code: 'token_revoked', message: expect.any(String) } });
      expect((await StreamReader.open(escalation.service.url, TOKENS.carol)).status).toBe(401);
      // Her new token streams as before.
      const renewed = await StreamReader.open(replica.url, (await issued.json()).token);
      await ready(renewed);
      renewed.close();

      // Dan removed: his stream ends within a second too.
      expect((await admin('DELETE', '/reviewers/dan')).status).toBe(204);
      await eventually("dan's stream to close after he was removed", () => dan.ended, { timeoutMs: 1000 });
      expect(dan.events.at(-1)?.data.code).toBe('token_revoked');

      // Nobody else's stream was touched.
      expect(alice.ended).toBe(false);
      alice.close();
    } finally {
      await replica.stop();
    }
  });

  it('caps the streams one token holds (5 by default): the next gets 429, a closed one frees its place', async () => {
    const streams = await Promise.all(Array.from({ length: 5 }, () => StreamReader.open(escalation.service.url, TOKENS.zed)));
    for (const s of streams) await ready(s);
    const extra = await StreamReader.open(escalation.service.url, TOKENS.zed);
    expect(extra.status).toBe(429);
    expect(extra.body).toMatchObject({ code: 'too_many_streams', message: expect.stringContaining('LIVE_STREAMS_PER_TOKEN') });
    // Another reviewer's token is counted apart.
    const bob = await StreamReader.open(escalation.service.url, TOKENS.bob);
    await ready(bob);

    streams[0].close();
    const again = await eventually('a place to free up', async () => {
      const s = await StreamReader.open(escalation.service.url, TOKENS.zed);
      if (s.status === 200) return s;
      s.close();
      return null;
    });
    await ready(again);
    for (const s of [...streams, bob, again]) s.close();
  });

  it('a reader who leaves before its stream is set up holds no place (quick reloads never lock a token out)', async () => {
    // Sixty readers that give up within 20 ms, many while the service is still authenticating them.
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const abort = new AbortController();
        const leaving = fetch(`${escalation.service.url}/approvals/stream`, { headers: { authorization: `Bearer ${TOKENS.bob}` }, signal: abort.signal });
        setTimeout(() => abort.abort(), i % 20);
        await leaving.then((r) => r.body?.cancel()).catch(() => undefined);
      }),
    );
    // Every place is free again: five streams open at once.
    const streams = await eventually('five places for the token', async () => {
      const opened = await Promise.all(Array.from({ length: 5 }, () => StreamReader.open(escalation.service.url, TOKENS.bob)));
      if (opened.every((s) => s.status === 200)) return opened;
      for (const s of opened) s.close();
      return null;
    });
    for (const s of streams) await ready(s);
    for (const s of streams) s.close();
  });
});
