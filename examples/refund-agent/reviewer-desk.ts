// A simulated review desk of acme-support: the three support agents and the two finance
// leads of config/reviewers.yaml poll their inboxes on the escalation API and decide,
// each after a short think time: approve most, edit about 10% (a partial refund), deny
// about 5% with a reason. Only the decisions of this run are touched.
import { Random } from './refund-agent';

export interface DeskReviewer {
  name: string;
  token: string;
}

interface InboxItem {
  approval_id: string;
  decision_id: string;
  payload_hash: string;
  route: string;
  action: string;
}

export interface DeskOptions {
  escalationUrl: string;
  reviewers: DeskReviewer[];
  /** The parameters this run proposed, by decision id: only these are decided. */
  proposals: Map<string, Record<string, unknown>>;
  random: Random;
  /** Think time bounds in ms (default 200..1500). */
  thinkMs?: [number, number];
  pollMs?: number;
}

export interface DeskStats {
  approved: number;
  edited: number;
  denied: number;
  conflicts: number;
  errors: number;
}

const DENIALS = [
  'refund already issued on a previous ticket',
  'outside the refund window and no exception applies',
  'carrier confirms delivery with a signature',
];

export class ReviewerDesk {
  readonly stats: DeskStats = { approved: 0, edited: 0, denied: 0, conflicts: 0, errors: 0 };
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

  private async loop(reviewer: DeskReviewer): Promise<void> {
    const pollMs = this.options.pollMs ?? 300;
    while (this.running) {
      try {
        const inbox = await this.call(reviewer, 'GET', '/approvals?assigned=all&limit=100');
        const items = ((inbox.json as { items?: InboxItem[] }).items ?? []).filter(
          (i) => i.route !== 'post_review' && this.options.proposals.has(i.decision_id) && !this.claimed.has(i.approval_id),
        );
        const item = items[0];
        if (!item) {
          await sleep(pollMs);
          continue;
        }
        this.claimed.add(item.approval_id);
        await this.decide(reviewer, item).catch((error: unknown) => {
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

  private async decide(reviewer: DeskReviewer, item: InboxItem): Promise<void> {
    const { random } = this.options;
    const [low, high] = this.options.thinkMs ?? [200, 1500];
    await sleep(low + (high - low) * random() * random() + (high - low) * 0.3 * random());
    const draw = random();
    const parameters = this.options.proposals.get(item.decision_id) ?? {};
    let answer: { status: number };
    let kind: 'approved' | 'edited' | 'denied';
    if (draw < 0.05) {
      kind = 'denied';
      answer = await this.call(reviewer, 'POST', `/approvals/${item.approval_id}/deny`, { reason: DENIALS[Math.floor(random() * DENIALS.length)] });
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
    if (answer.status === 200) this.stats[kind] += 1;
    else if (answer.status === 409) this.stats.conflicts += 1;
    else {
      // Leave it for another try (a 409 means a colleague already decided it).
      this.stats.errors += 1;
      this.claimed.delete(item.approval_id);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
