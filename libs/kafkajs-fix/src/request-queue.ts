// kafkajs 2.2.4, its last release, re-arms a timer on every broker connection after each
// response, whether or not a request waits: a check of an empty queue every millisecond, for
// as long as the connection lives (tulios/kafkajs#1704; on Node 24 also the
// TimeoutNegativeWarning of #1751). An idle producer and consumer then spend about 35 ms of
// CPU a second on it. The fix proposed upstream (#1768, not released) is applied here: a check
// is scheduled only while a request waits or the broker throttles this client.
import { createRequire } from 'node:module';

/** The kafkajs release whose RequestQueue this corrects; another one is left as it is. */
export const REQUEST_QUEUE_FIXED_FOR = '2.2.4';

/** kafkajs' interval for a waiting request when nothing throttles (CHECK_PENDING_REQUESTS_INTERVAL). */
const CHECK_PENDING_MS = 10;

/**
 * When to look at the queue again, ms from now; null: not until something is pushed (push()
 * schedules a check itself) or a response frees a slot (fulfillRequest checks).
 */
export function nextPendingCheck(pending: number, throttledUntil: number, now: number): number | null {
  const untilUnthrottled = throttledUntil - now;
  if (untilUnthrottled > 0) return untilUnthrottled;
  return pending > 0 ? CHECK_PENDING_MS : null;
}

/** The fields of kafkajs' RequestQueue the schedule reads and writes. */
interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

const FIXED = Symbol.for('hitl.kafkajs.requestQueueFixed');

/** Corrects RequestQueue.scheduleCheckPendingRequests of the kafkajs this process loads; once; says whether it is corrected. */
export function fixKafkajsRequestQueue(): boolean {
  const load = createRequire(require.resolve('kafkajs'));
  const { version } = load('./package.json') as { version: string };
  if (version !== REQUEST_QUEUE_FIXED_FOR) return false;
  const prototype = (load('./src/network/requestQueue/index.js') as { prototype: RequestQueueLike & { [FIXED]?: true } }).prototype;
  if (prototype[FIXED]) return true;
  prototype.scheduleCheckPendingRequests = function (this: RequestQueueLike) {
    if (this.throttleCheckTimeoutId) return; // one is due: it schedules the next if needed
    const inMs = nextPendingCheck(this.pending.length, this.throttledUntil, Date.now());
    if (inMs === null) return;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, inMs);
  };
  prototype[FIXED] = true;
  return true;
}
