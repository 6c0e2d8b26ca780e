import { AnyEvent, EVENT_TYPES, EventType, exampleEvent } from '@hitl/contracts';
import { ChainVerifier, GENESIS, link } from './chain';
import { deadLetterRecord, recordOf } from './record';
import { REDACTED, redact } from './redact';

const noPaths = () => [];
const example = (type: EventType) => exampleEvent(type) as AnyEvent;

describe('redaction', () => {
  it.each([
    ['a secret-looking key at any depth', { a: { password: 'hunter2', keep: 1 } }, [], { a: { password: REDACTED, keep: 1 } }],
    [
      'api keys, tokens, card numbers, cvv',
      { api_key: 'k', refresh_token: 't', card_number: '4242', cvv: '123', note: 'ok' },
      [],
      { api_key: REDACTED, refresh_token: REDACTED, card_number: REDACTED, cvv: REDACTED, note: 'ok' },
    ],
    ['inside arrays', { list: [{ secret: 's' }] }, [], { list: [{ secret: REDACTED }] }],
    [
      'a manifest path',
      { parameters: { customer_email: 'a@b.c', amount: 5 } },
      ['parameters.customer_email'],
      { parameters: { customer_email: REDACTED, amount: 5 } },
    ],
    ['a manifest path that is absent', { parameters: { amount: 5 } }, ['parameters.customer_email'], { parameters: { amount: 5 } }],
    ['keys that only contain a secret word are kept', { passenger: 'x', tokenizer_version: 2 }, [], { passenger: 'x', tokenizer_version: 2 }],
  ])('%s', (_name, value, paths, expected) => {
    expect(redact(value, paths)).toEqual(expected);
  });

  it('never changes its input', () => {
    const value = { password: 'x' };
    redact(value);
    expect(value.password).toBe('x');
  });

  it('applies manifest paths wherever an event carries the decision', () => {
    const requested = exampleEvent('hitl.approval.requested.v1');
    (requested.data.decision.parameters as Record<string, unknown>).customer_email = 'jo@example.com';
    const proposed = exampleEvent('hitl.decision.proposed.v1');
    proposed.data.parameters.customer_email = 'jo@example.com';
    for (const event of [requested, proposed]) {
      const text = JSON.stringify(recordOf(event, () => ['parameters.customer_email']).event);
      expect(text).not.toContain('jo@example.com');
      expect(text).toContain(REDACTED);
    }
  });
});

describe('records', () => {
  it.each(EVENT_TYPES)('%s names its actor, action, time and decision', (type) => {
    const record = recordOf(example(type), noPaths);
    expect(record.actor_id).toBeTruthy();
    expect(['agent', 'reviewer', 'policy', 'timeout', 'system']).toContain(record.actor_kind);
    expect(record.decision_id).toBe(exampleEvent(type).subject);
    expect(record.occurred_at).toBe('2026-11-22T09:00:00.000Z');
  });

  it.each([
    ['approval.resolved by a reviewer', 'hitl.approval.resolved.v1', 'reviewer', 'rev-alice'],
    ['decision.proposed by its agent', 'hitl.decision.proposed.v1', 'agent', 'refund-bot'],
    ['clarification asked by a reviewer', 'hitl.approval.clarification_requested.v1', 'reviewer', 'rev-alice'],
    ['a post-review confirmed by its reviewer', 'hitl.approval.reviewed.v1', 'reviewer', 'rev-alice'],
    ['a post-review rolled back by its reviewer', 'hitl.approval.rolled_back.v1', 'reviewer', 'rev-alice'],
    ['a post-review whose review window closed: a timer, never a reviewer', 'hitl.approval.unreviewed.v1', 'timeout', 'review_window'],
    ['an approval opened by a reviewer', 'hitl.approval.opened.v1', 'reviewer', 'rev-alice'],
    ['a canary answered by a reviewer', 'hitl.approval.canary_scored.v1', 'reviewer', 'rev-alice'],
  ] as const)('%s', (_name, type, kind, id) => {
    expect(recordOf(example(type), noPaths)).toMatchObject({ actor_kind: kind, actor_id: id });
  });

  it('a canary nobody answered in time: its deadline, never a reviewer', () => {
    const event = exampleEvent('hitl.approval.canary_scored.v1');
    Object.assign(event.data, { answered: null, correct: null });
    expect(recordOf(event, noPaths)).toMatchObject({ actor_kind: 'timeout', actor_id: 'canary' });
  });

  it('a post-review never queued for lack of reviewer capacity: the escalation service left it, no reviewer', () => {
    const event = exampleEvent('hitl.approval.unreviewed.v1');
    event.data.reason = 'no_review_capacity';
    expect(recordOf(event, noPaths)).toMatchObject({ actor_kind: 'system', actor_id: event.source, decision_id: event.subject });
  });

  it('keeps a dead letter that is JSON redacted, and only describes one that is not', () => {
    const headers = { 'hitl-dlq-error-code': 'invalid_data', 'hitl-dlq-consumer': 'hitl-router', 'hitl-dlq-time': '2026-11-22T09:00:00Z' };
    const json = deadLetterRecord(
      {
        topic: 'decision.proposed.dlq',
        partition: 1,
        offset: '7',
        value: Buffer.from('{"workspaceid":"w","data":{"card_number":"4242"}}'),
        headers,
        timestamp: '0',
      },
      noPaths,
    );
    expect(json).toMatchObject({ event_id: 'decision.proposed.dlq/1/7', workspace: 'w', actor_id: 'hitl-router', type: 'hitl.dead_letter' });
    expect(JSON.stringify(json.event)).not.toContain('4242');
    const garbage = deadLetterRecord(
      { topic: 'decision.proposed.dlq', partition: 0, offset: '1', value: Buffer.from('card_number=4242 ###'), headers, timestamp: '0' },
      noPaths,
    );
    expect(garbage.event).toMatchObject({ message: null, size_bytes: 20 });
    expect(JSON.stringify(garbage)).not.toContain('4242');
  });

  it('keeps a dead letter of anything: text PostgreSQL refuses replaced, long fields cut, a message nested too deep described only', () => {
    const headers = { 'hitl-dlq-error-code': 'unsupported_character', 'hitl-dlq-error': 'bad \u0000 here', 'hitl-dlq-consumer': 'hitl-router\ud800' };
    const value = Buffer.from(JSON.stringify({ workspaceid: 'w'.repeat(5000), data: { action: 'refund\u0000', summary: 'a\u0000b', ['k\udc00']: 1 } }));
    const record = deadLetterRecord({ topic: 'decision.proposed.dlq', partition: 0, offset: '9', value, headers, timestamp: '0' }, noPaths);
    const stored = JSON.stringify(record);
    expect(stored).not.toMatch(/\\u0000|\\ud[89ab]|\\udc/i);
    expect(record.workspace).toHaveLength(513);
    expect(record).toMatchObject({ action: 'refund\ufffd', actor_id: 'hitl-router\ufffd' });
    expect(record.event).toMatchObject({ error: 'bad \ufffd here', message: { data: { summary: 'a\ufffdb', 'k\ufffd': 1 } } });
    const deep = Buffer.from(`{"workspaceid":"w","data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const described = deadLetterRecord({ topic: 'decision.proposed.dlq', partition: 0, offset: '10', value: deep, headers, timestamp: '0' }, noPaths);
    expect(described.event).toMatchObject({ message: null, size_bytes: deep.length });
  });

  it.each([
    ['a valid header', '2026-11-22T09:00:00Z', '1795000000000', '2026-11-22T09:00:00.000Z'],
    ['no header', undefined, '1795000000000', new Date(1795000000000).toISOString()],
    ['an empty header', '', '1795000000000', new Date(1795000000000).toISOString()],
    ['a header that is not a time', 'yesterday-ish', '1795000000000', new Date(1795000000000).toISOString()],
    ['neither a header nor a timestamp that is a time', 'x', 'not-a-number', '1970-01-01T00:00:00.000Z'],
  ])('takes the time of a dead letter from %s, never throwing on one written by hand', (_name, header, timestamp, expected) => {
    const headers: Record<string, string> = header === undefined ? {} : { 'hitl-dlq-time': header };
    const record = deadLetterRecord({ topic: 'approval.updated.dlq', partition: 0, offset: '3', value: Buffer.from('{}'), headers, timestamp }, noPaths);
    expect(record.occurred_at).toBe(expected);
  });
});

describe('the hash chain', () => {
  const records = ['hitl.decision.proposed.v1', 'hitl.approval.requested.v1', 'hitl.approval.resolved.v1'].map((t) =>
    recordOf(exampleEvent(t as never), noPaths),
  );

  it('links each record to the one before it, and continues from a head', () => {
    const first = link(null, records.slice(0, 2));
    expect(first.map((r) => r.chain_index)).toEqual([1, 2]);
    expect(first[0].prev_hash).toBe(GENESIS);
    expect(first[1].prev_hash).toBe(first[0].hash);
    const more = link({ chain_index: 2, hash: first[1].hash }, records.slice(2));
    expect(more[0]).toMatchObject({ chain_index: 3, prev_hash: first[1].hash });
  });

  const verify = (rows: ReturnType<typeof link>) => {
    const verifier = new ChainVerifier('acme-support');
    for (const row of rows) {
      const found = verifier.next(row);
      if (found) return found;
    }
    return null;
  };

  it('verifies an untouched chain', () => {
    expect(verify(link(null, records))).toBeNull();
  });

  it.each([
    ['a changed field', (rows: ReturnType<typeof link>) => (rows[1].actor_id = 'someone-else'), 2, 'changed after it was written'],
    ['a changed event', (rows: ReturnType<typeof link>) => ((rows[0].event as { source: string }).source = 'x'), 1, 'changed after it was written'],
    ['a removed row', (rows: ReturnType<typeof link>) => rows.splice(1, 1), 3, 'a row is missing'],
    ['a rewritten link', (rows: ReturnType<typeof link>) => (rows[2].prev_hash = GENESIS), 3, 'prev_hash'],
  ])('names the first row after %s', (_name, tamper, index, reason) => {
    const rows = link(null, records);
    tamper(rows);
    expect(verify(rows)).toMatchObject({ chain_index: index, reason: expect.stringContaining(reason) });
  });
});
