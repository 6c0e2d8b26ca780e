// A simulated review desk of acme-support: the three support agents and the two finance
// leads of config/reviewers.yaml work their inboxes on the escalation API as people do.
// First the blocking queue (what agents wait on), top item first: approve most, edit about
// 10% (a partial refund), deny about 5% with a reason. Only when nothing there is theirs to
// take, the post-reviews assigned to them (actions that already ran): confirm most, roll
// back about 2% with a reason. Each item is opened first (GET /approvals/:id, as the console
// does) and answered after a think time. One reviewer may be a rubber stamp: they approve
// everything 100-300 ms after opening it, faster than anyone reads (review quality flags
// them in the calibration report). Only the decisions of this run are touched.
import { Random } from './refund-agent';

export interface DeskReviewer {
  name: string;
  token: string;
  /** Approves everything within 100-300 ms of opening it, never edits nor denies. */
  rubberStamp?: boolean;
}

export interface InboxItem {
  approval_id: string;
  decision_id: string;
  payload_hash: string;
  route: string;
  action: string;
  /** The amount the manifest names (null when there is none, or it is redacted). */
  amount?: number | null;
  created_at?: string;
}

interface InboxPage {
  items?: InboxItem[];
  next_cursor?: string | null;
}

/** The two queues of GET /approvals: what agents wait on, and reviews of actions that already ran. */
export type DeskQueue = 'blocking' | 'post_review';

export interface DeskOptions {
  escalationUrl: string;
  reviewers: DeskReviewer[];
  /** The parameters this run proposed, by decision id: only these are decided… */
  proposals: Map<string, Record<string, unknown>>;
  /**
   * …and, from this time on, whatever else reaches the desk's queues: the canaries the
   * escalation service mixes in, which nobody at a desk can (or should) tell from real work.
   */
  since?: Date;
  random: Random;
  /** Think time bounds in ms after opening an item (default 200..1500; a rubber stamp's is always 100..300). */
  thinkMs?: [number, number];
  pollMs?: number;
}

export interface DeskStats {
  approved: number;
  edited: number;
  denied: number;
  /** Post-reviews confirmed (the action was fine). */
  reviewed: number;
  /** Post-reviews rolled back. */
  rolledBack: number;
  conflicts: number;
  errors: number;
}

const DENIALS = [
  'refund already issued on a previous ticket',
  'outside the refund window and no exception applies',
  'carrier confirms delivery with a signature',
];

const ROLLBACKS = [
  'duplicate of a refund issued on another ticket the same day',
  'the customer returned nothing: the carrier shows the parcel delivered and kept',
  'amount above what the order was charged',
];

/** The inbox page of a queue as a person asks for it: blocking from the top of everything they may decide; post-reviews assigned to them. */
export function inboxPath(queue: DeskQueue, cursor?: string | null): string {
  const query = queue === 'blocking' ? 'queue=blocking&assigned=all&limit=100' : 'queue=post_review&assigned=me&limit=50';
  return `/approvals?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
}

/**
 * The item to take from a page, in the inbox's order: the first that belongs to this run,
 * that no colleague at the desk has taken, and that is in the queue asked for (a
 * post-review never counts as blocking work, nor the other way round).
 */
export function firstToTake(items: readonly InboxItem[], queue: DeskQueue, isOurs: (item: InboxItem) => boolean): InboxItem | undefined {
  return items.find((i) => (i.route === 'post_review') === (queue === 'post_review') && isOurs(i));
}

/**
 * Whether the desk works on an item: one of the run's own proposals, or (with `since`)
 * anything that reached the queues from then on, canaries included; never older runs' work.
 */
export function belongsToRun(item: InboxItem, proposals: ReadonlyMap<string, unknown>, since?: Date): boolean {
  if (proposals.has(item.decision_id)) return true;
  return since !== undefined && item.created_at !== undefined && Date.parse(item.created_at) >= since.getTime();
}

/** How a post-review ends, from one draw in [0, 1): a small share (`rollbackShare`) is rolled back, the rest confirmed. */
export function postReviewAnswer(draw: number, rollbackShare = 0.02): 'confirm' | 'rollback' {
  return draw < rollbackShare ? 'rollback' : 'confirm';
}

/** Above this, a refund is more than any order of the shop: a careful reviewer denies it. */
const OUTSIZED_USD = 2000;

/** Pages looked at for an item of this run before giving up until the next poll (older runs' items may fill the top). */
const PAGES_LOOKED_AT = 5;

export class ReviewerDesk {
  readonly stats: DeskStats = { approved: 0, edited: 0, denied: 0, reviewed: 0, rolledBack: 0, conflicts: 0, errors: 0 };
  private readonly claimed = new Set<string>();
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly options: DeskOptions) {}

  start(): void {
    this.running = true;
    this.loops = this.options.reviewers.map((reviewer) => this.loop(reviewer));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async call(reviewer: DeskReviewer, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${this.options.escalationUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${reviewer.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    try {
      return { status: res.status, json: JSON.parse(text) };
    } catch {
      return { status: res.status, json: text };
    }
  }

  /** The first item of this run in `queue` that nobody at the desk took yet, looking a few pages down. */
  private async next(reviewer: DeskReviewer, queue: DeskQueue): Promise<InboxItem | undefined> {
    const isOurs = (i: InboxItem) => belongsToRun(i, this.options.proposals, this.options.since) && !this.claimed.has(i.approval_id);
    let cursor: string | null | undefined;
    for (let page = 0; page < PAGES_LOOKED_AT; page++) {
      const inbox = await this.call(reviewer, 'GET', inboxPath(queue, cursor));
      if (inbox.status !== 200) throw new Error(`GET ${inboxPath(queue)} answered ${inbox.status}`);
      const { items = [], next_cursor } = inbox.json as InboxPage;
      const item = firstToTake(items, queue, isOurs);
      if (item || !next_cursor) return item;
      cursor = next_cursor;
    }
    return undefined;
  }

  private async loop(reviewer: DeskReviewer): Promise<void> {
    const pollMs = this.options.pollMs ?? 300;
    while (this.running) {
      try {
        // What agents wait on first; the reviews of what already ran only when none of that is left for them.
        const blocking = await this.next(reviewer, 'blocking');
        const item = blocking ?? (await this.next(reviewer, 'post_review'));
        if (!item) {
          await sleep(pollMs);
          continue;
        }
        this.claimed.add(item.approval_id);
        const work = blocking ? this.decide(reviewer, item) : this.postReview(reviewer, item);
        await work.catch((error: unknown) => {
          // No answer at all (escalation restarting): the item is still undecided, try it again.
          this.claimed.delete(item.approval_id);
          throw error;
        });
      } catch {
        this.stats.errors += 1;
        await sleep(pollMs);
      }
    }
  }

  private async think(reviewer: DeskReviewer): Promise<void> {
    const { random } = this.options;
    if (reviewer.rubberStamp) return sleep(100 + 200 * random());
    const [low, high] = this.options.thinkMs ?? [200, 1500];
    await sleep(low + (high - low) * random() * random() + (high - low) * 0.3 * random());
  }

  /** Opens the item as a person does before deciding it: the escalation records when reading started. */
  private async open(reviewer: DeskReviewer, item: InboxItem): Promise<void> {
    const opened = await this.call(reviewer, 'GET', `/approvals/${item.approval_id}`);
    if (opened.status !== 200) throw new Error(`GET /approvals/${item.approval_id} answered ${opened.status}`);
  }

  private async decide(reviewer: DeskReviewer, item: InboxItem): Promise<void> {
    const { random } = this.options;
    await this.open(reviewer, item);
    await this.think(reviewer);
    // A rubber stamp approves whatever it is; a careful reviewer who reads it denies a refund
    // far above anything this shop sells (real orders stay under $2,000) on the agent's word alone.
    const draw = reviewer.rubberStamp ? 1 : random();
    const outsized = !reviewer.rubberStamp && typeof item.amount === 'number' && item.amount > OUTSIZED_USD;
    const parameters = this.options.proposals.get(item.decision_id) ?? {};
    let answer: { status: number };
    let kind: 'approved' | 'edited' | 'denied';
    if (outsized || draw < 0.05) {
      kind = 'denied';
      const reason = outsized ? 'far above anything this customer ordered, and nothing supports it' : DENIALS[Math.floor(random() * DENIALS.length)];
      answer = await this.call(reviewer, 'POST', `/approvals/${item.approval_id}/deny`, { reason });
    } else if (draw < 0.15 && typeof parameters.amount_usd === 'number') {
      kind = 'edited';
      const lowered = Math.max(1, Math.round(parameters.amount_usd * (0.5 + 0.3 * random()) * 100) / 100);
      answer = await this.call(reviewer, 'POST', `/approvals/${item.approval_id}/edit`, {
        payload_hash: item.payload_hash,
        parameters: { ...parameters, amount_usd: lowered },
        notes: 'partial refund: the customer keeps the item',
      });
    } else {
      kind = 'approved';
      answer = await this.call(reviewer, 'POST', `/approvals/${item.approval_id}/approve`, { payload_hash: item.payload_hash });
    }
    this.count(kind, answer.status, item);
  }

  /** A review after the fact: the refund already ran; confirm it (approve, status `reviewed`) or roll it back. */
  private async postReview(reviewer: DeskReviewer, item: InboxItem): Promise<void> {
    const { random } = this.options;
    await this.open(reviewer, item);
    await this.think(reviewer);
    if (!reviewer.rubberStamp && postReviewAnswer(random()) === 'rollback') {
      const reason = ROLLBACKS[Math.floor(random() * ROLLBACKS.length)];
      this.count('rolledBack', (await this.call(reviewer, 'POST', `/approvals/${item.approval_id}/rollback`, { reason })).status, item);
    } else {
      this.count('reviewed', (await this.call(reviewer, 'POST', `/approvals/${item.approval_id}/approve`, { payload_hash: item.payload_hash })).status, item);
    }
  }

  private count(kind: 'approved' | 'edited' | 'denied' | 'reviewed' | 'rolledBack', status: number, item: InboxItem): void {
    if (status === 200) this.stats[kind] += 1;
    // A colleague already decided it, or a post-review's window closed (unreviewed).
    else if (status === 409) this.stats.conflicts += 1;
    else {
      // Leave it for another try.
      this.stats.errors += 1;
      this.claimed.delete(item.approval_id);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
