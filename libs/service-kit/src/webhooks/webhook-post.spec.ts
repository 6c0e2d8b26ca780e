import { describePostError, settleAfterPost } from './webhook-post';

const now = new Date('2026-12-04T10:00:00Z');

describe('after a webhook post', () => {
  it.each([
    ['a 2xx: sent', { status: 204 }, 1, { status: 'sent', attempts: 1 }],
    ['a 503: tried again after a second or so', { status: 503 }, 1, { status: 'pending', attempts: 1, error: 'HTTP 503' }],
    ['no answer: tried again', { error: 'ECONNREFUSED' }, 2, { status: 'pending', attempts: 2, error: 'ECONNREFUSED' }],
    ['a 404: given up at once', { status: 404 }, 1, { status: 'failed', attempts: 1 }],
    ['a 503 at the last attempt: given up', { status: 503 }, 14, { status: 'failed', attempts: 14 }],
  ] as const)('%s', (_, outcome, attempts, expected) => {
    const settled = settleAfterPost(outcome, attempts, now, 0);
    expect(settled).toMatchObject(expected);
    if (settled.status === 'pending') expect(settled.nextAttemptAt.getTime()).toBeGreaterThan(now.getTime());
  });

  it('names why there was no answer, never the URL', () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    expect(describePostError(timeout)).toBe('no answer within 5000 ms');
    expect(describePostError(new TypeError('fetch failed https://hooks.example/secret', { cause: { code: 'ECONNREFUSED' } }))).toBe('ECONNREFUSED');
    expect(describePostError(new TypeError('fetch failed https://hooks.example/secret'))).toBe('TypeError');
  });
});
