import { RawOutboxMessage } from '@hitl/messaging';
import { OUTBOX_COPY_COLUMNS, outboxCopyData } from './outbox-copy';

/** Reads COPY BINARY data back: the tuples' fields as bytes (null for NULL). */
function decode(data: Buffer): (Buffer | null)[][] {
  expect(data.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  expect(data.readInt32BE(11)).toBe(0); // flags: no OIDs
  let at = 19 + data.readInt32BE(15);
  const tuples: (Buffer | null)[][] = [];
  for (;;) {
    const count = data.readInt16BE(at);
    at += 2;
    if (count === -1) break;
    const fields: (Buffer | null)[] = [];
    for (let i = 0; i < count; i++) {
      const length = data.readInt32BE(at);
      at += 4;
      fields.push(length === -1 ? null : data.subarray(at, at + length));
      at += Math.max(length, 0);
    }
    tuples.push(fields);
  }
  expect(at).toBe(data.length);
  return tuples;
}

describe('outboxCopyData (COPY BINARY of outbox rows)', () => {
  it('writes each message as a tuple of topic, key, value, headers (jsonb: version 1 and the base64 pairs) and event id, in order', () => {
    const messages: RawOutboxMessage[] = [
      {
        topic: 'audit.recorded',
        key: 'acme-support',
        value: Buffer.from('{"a":"é\\n"}'),
        headers: [['content-type', 'application/cloudevents+json']],
        messageId: 'id-1',
      },
      { topic: 'audit.recorded', key: null, value: Buffer.from([0, 255, 10, 13, 92]), headers: [], messageId: null },
    ];
    const tuples = decode(outboxCopyData(messages));
    expect(tuples).toHaveLength(2);
    expect(tuples[0]).toHaveLength(OUTBOX_COPY_COLUMNS.length);
    expect(tuples[0].map((f) => f?.toString('utf8'))).toEqual([
      'audit.recorded',
      'acme-support',
      '{"a":"é\\n"}',
      `\u0001${JSON.stringify([[Buffer.from('content-type').toString('base64'), Buffer.from('application/cloudevents+json').toString('base64')]])}`,
      'id-1',
    ]);
    expect(tuples[1][1]).toBeNull();
    expect(tuples[1][2]).toEqual(Buffer.from([0, 255, 10, 13, 92]));
    expect(tuples[1][3]?.toString('utf8')).toBe('\u0001[]');
    expect(tuples[1][4]).toBeNull();
  });

  it('is a header and a trailer for no message', () => {
    expect(decode(outboxCopyData([]))).toEqual([]);
  });
});
