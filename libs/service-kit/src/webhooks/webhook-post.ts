// One webhook post, as every service sends them (chat notifications, owners' drift alerts,
// agents' callbacks): JSON, no redirects followed (a token is never forwarded), a bounded
// wait, and the outcome named without the URL (a webhook URL can be a credential). Then what
// that outcome means for the delivery, by the delivery policy.
import { afterAttempt } from './delivery-policy';

/** The longest a post waits for an answer. */
export const WEBHOOK_TIMEOUT_MS = 5_000;

export type PostOutcome = { status: number } | { error: string };

/** Why a post got no answer, in words that never include its URL. */
export function describePostError(error: unknown, timeoutMs = WEBHOOK_TIMEOUT_MS): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code ?? (error instanceof Error ? error.name : 'unknown error');
}

/** POSTs `body` (JSON text) with `headers`; the answer's status, or why there was none. Never throws. */
export async function postWebhook(url: string, body: string, headers: Record<string, string> = {}, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<PostOutcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status };
  } catch (error) {
    return { error: describePostError(error, timeoutMs) };
  }
}

/** Where a delivery stands after a post: sent, to be tried again at a time, or given up. */
export type PostSettlement =
  | { status: 'sent'; attempts: number }
  | { status: 'pending'; attempts: number; nextAttemptAt: Date; error: string }
  | { status: 'failed'; attempts: number; error: string };

/** The delivery after its `attempts`-th post answered `outcome` at `now` (the delivery policy: backoff with jitter, a bounded number of tries). */
export function settleAfterPost(outcome: PostOutcome, attempts: number, now: Date, random = Math.random()): PostSettlement {
  const delivery = afterAttempt(outcome, attempts, random);
  switch (delivery.kind) {
    case 'sent':
      return { status: 'sent', attempts };
    case 'retry':
      return { status: 'pending', attempts, nextAttemptAt: new Date(now.getTime() + delivery.delayMs), error: delivery.error };
    case 'failed':
      return { status: 'failed', attempts, error: delivery.error };
  }
}
