import { MAX_ATTEMPTS, afterAttempt, retryDelayMs } from './delivery-policy';

describe('the retry delay', () => {
  it.each([
    [1, 0, 1_000],
    [2, 0, 2_000],
    [3, 0, 4_000],
    [9, 0, 256_000],
    [10, 0, 300_000],
    [30, 0, 300_000],
    [1, 0.5, 1_100],
    [1, 0.999, 1_200],
    [10, 0.999, 359_940],
  ])('after attempt %i with jitter %d: %i ms', (attempts, random, expected) => {
    expect(retryDelayMs(attempts, random)).toBe(expected);
  });
});

describe('what a post means', () => {
  it.each([
    ['200', { status: 200 }, 1, { kind: 'sent' }],
    ['204', { status: 204 }, 3, { kind: 'sent' }],
    ['a server error', { status: 503 }, 1, { kind: 'retry', delayMs: 1_000, error: 'HTTP 503' }],
    ['rate limited', { status: 429 }, 2, { kind: 'retry', delayMs: 2_000, error: 'HTTP 429' }],
    ['a request timeout', { status: 408 }, 1, { kind: 'retry', delayMs: 1_000, error: 'HTTP 408' }],
    ['no answer', { error: 'timeout after 5000 ms' }, 1, { kind: 'retry', delayMs: 1_000, error: 'timeout after 5000 ms' }],
    ['a redirect (webhooks do not redirect)', { status: 302 }, 1, { kind: 'retry', delayMs: 1_000, error: 'HTTP 302' }],
    ['a revoked webhook', { status: 404 }, 1, { kind: 'failed', error: 'HTTP 404 (not retried)' }],
    ['an archived channel', { status: 410 }, 1, { kind: 'failed', error: 'HTTP 410 (not retried)' }],
    ['a refused payload', { status: 400 }, 1, { kind: 'failed', error: 'HTTP 400 (not retried)' }],
    ['the last attempt failing', { status: 500 }, MAX_ATTEMPTS, { kind: 'failed', error: `HTTP 500 (gave up after ${MAX_ATTEMPTS} attempts)` }],
    [
      'the last attempt unanswered',
      { error: 'ECONNREFUSED' },
      MAX_ATTEMPTS,
      { kind: 'failed', error: `ECONNREFUSED (gave up after ${MAX_ATTEMPTS} attempts)` },
    ],
  ])('%s', (_name, outcome, attempts, expected) => {
    expect(afterAttempt(outcome, attempts, 0)).toEqual(expected);
  });

  it('gives up after about half an hour of retries', () => {
    const waited = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => retryDelayMs(i + 1, 0)).reduce((a, b) => a + b, 0);
    expect(waited / 60_000).toBeGreaterThan(15);
    expect(waited / 60_000).toBeLessThan(40);
  });
});
