// The load of the gateway's fault row: an agent without Kafka (lambda-bot of the test
// registry, by its token) proposes the refund agent's stream of refunds over HTTP, each under
// a decision_id of its own, and long-polls each outcome; the simulated desk reviews what the
// policy sends to people. A request that fails (the gateway killed under it, or not back yet)
// is sent again as it was, under the same decision_id: the gateway answers a replay of a
// proposal it already has with 200 and proposes nothing twice. The agent stops when it holds
// an outcome for every decision, or at its deadline.
import { randomUUID } from 'node:crypto';
import { nextProposal, seededRandom } from '../examples/refund-agent/refund-agent';
import { DeskReviewer, DeskStats, ReviewerDesk } from '../examples/refund-agent/reviewer-desk';

export interface GatewayLoadOptions {
  /** Where the gateway answers (the same port after a restart). */
  gatewayUrl: string;
  token: string;
  escalationUrl: string;
  reviewers: DeskReviewer[];
  decisions: number;
  /** Proposals per second. */
  rate: number;
  seed: number;
  /** How long the agent waits for all its outcomes, from its start. */
  deadlineMs: number;
}

export interface GatewayProgress {
  /** Proposals the gateway acknowledged (202, or 200 to a retry). */
  proposed: number;
  resolved: number;
}

/** What the agent read back for one decision: its status and the id of the approval.resolved it came in. */
export interface GatewayOutcome {
  status: string;
  eventId: string;
}

export interface GatewayLoadResult {
  /** Every decision_id the agent proposed, in order. */
  ids: string[];
  /** Those the gateway acknowledged (202, or 200 to a retry). */
  acknowledged: Set<string>;
  outcomes: Map<string, GatewayOutcome>;
  /** POSTs that failed (no answer, or 5xx) and were sent again; long-polls that failed and were asked again. */
  failedPosts: number;
  /** Decisions whose POST failed at least once. */
  retriedDecisions: number;
  failedReads: number;
  /** Retried POSTs answered 200: the attempt before had landed, and the retry proposed nothing. */
  replays: number;
  /** Answers that are a bug whatever happened (409 on a retry of the same content, 404 of one's own decision, 4xx). */
  errors: string[];
  desk: DeskStats;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Answer = { ok: true; status: number; json: Record<string, unknown> } | { ok: false; why: string };

/** One request to the gateway: a status and JSON, or why there was no usable answer (none, a 5xx). */
async function request(options: GatewayLoadOptions, method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<Answer> {
  try {
    const res = await fetch(`${options.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (res.status >= 500) return { ok: false, why: `${res.status} ${text.slice(0, 200)}` };
    return { ok: true, status: res.status, json: JSON.parse(text) as Record<string, unknown> };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, why: cause ?? (error as Error).message };
  }
}

export function gatewayLoad(options: GatewayLoadOptions): { progress: GatewayProgress; done: Promise<GatewayLoadResult> } {
  const progress: GatewayProgress = { proposed: 0, resolved: 0 };
  const started = Date.now();
  const random = seededRandom(options.seed);
  const proposals = new Map<string, Record<string, unknown>>();
  const desk = new ReviewerDesk({
    escalationUrl: options.escalationUrl,
    reviewers: options.reviewers,
    proposals,
    since: new Date(started),
    random: seededRandom(options.seed + 1),
  });
  const ids: string[] = [];
  const acknowledged = new Set<string>();
  const outcomes = new Map<string, GatewayOutcome>();
  const errors: string[] = [];
  let failedPosts = 0;
  let retriedDecisions = 0;
  let failedReads = 0;
  let replays = 0;
  const overdue = () => Date.now() - started > options.deadlineMs;

  /** Backs off a little more after each failure in a row, up to 2 s. */
  const backoff = (failures: number) => sleep(Math.min(2_000, 100 * 2 ** Math.min(failures, 5)));

  async function one(index: number): Promise<void> {
    const decisionId = randomUUID();
    ids.push(decisionId);
    const proposal = nextProposal(random, index);
    const body = { decision_id: decisionId, ...proposal };
    proposals.set(decisionId, proposal.parameters);
    // Propose until the gateway has it: the same request each time.
    for (let failures = 0, retried = false; ; failures++) {
      if (overdue()) return;
      const posted = await request(options, 'POST', '/v1/decisions', body, 30_000);
      if (!posted.ok) {
        failedPosts += 1;
        if (!retried) retriedDecisions += 1;
        retried = true;
        await backoff(failures);
        continue;
      }
      if (posted.status === 202 || posted.status === 200) {
        if (posted.status === 200 && retried) replays += 1;
        if (posted.status === 200 && !retried) errors.push(`${decisionId}: a first POST answered 200, as if it had been proposed before`);
        break;
      }
      errors.push(`${decisionId}: POST answered ${posted.status}: ${JSON.stringify(posted.json).slice(0, 200)}`);
      return;
    }
    acknowledged.add(decisionId);
    progress.proposed += 1;
    // Then wait for its outcome, asking again whenever a wait ends pending or fails.
    for (let failures = 0; ;) {
      if (overdue()) return;
      const read = await request(options, 'GET', `/v1/decisions/${decisionId}?wait=20`, undefined, 40_000);
      if (!read.ok) {
        failedReads += 1;
        await backoff(failures++);
        continue;
      }
      failures = 0;
      if (read.status !== 200) {
        errors.push(`${decisionId}: GET answered ${read.status}: ${JSON.stringify(read.json).slice(0, 200)}`);
        return;
      }
      if (read.json.status === 'pending') continue;
      const event = read.json.resolution_event as { id?: string } | null;
      outcomes.set(decisionId, { status: String(read.json.status), eventId: String(event?.id) });
      progress.resolved += 1;
      return;
    }
  }

  const done = (async (): Promise<GatewayLoadResult> => {
    desk.start();
    const work: Promise<void>[] = [];
    const gapMs = 1000 / options.rate;
    try {
      for (let i = 0; i < options.decisions; i++) {
        // On the clock, not after a fixed gap.
        await sleep(Math.max(0, started + i * gapMs - Date.now()));
        work.push(one(i).catch((error: Error) => void errors.push(`decision ${i}: ${error.message}`)));
      }
      await Promise.all(work);
    } finally {
      await desk.stop();
    }
    return { ids, acknowledged, outcomes, failedPosts, retriedDecisions, failedReads, replays, errors, desk: { ...desk.stats } };
  })();
  return { progress, done };
}
