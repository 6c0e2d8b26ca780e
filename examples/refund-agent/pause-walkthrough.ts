// The kill switch in the demo's walk-through: an admin pauses the refund agent; a refund the
// manifest would auto-approve goes to a person instead, and a support agent approves it; the
// admin resumes; the next such refund runs alone again. Everything through the public APIs
// and the agent SDK, as an operator and an agent would do it.
import { randomUUID } from 'node:crypto';
import { HitlAgent, HitlAgentOptions, Proposal, Resolution } from '@hitl/agent-sdk';

export interface PauseWalkthroughOptions {
  agent: Pick<HitlAgentOptions, 'brokers' | 'ssl' | 'sasl' | 'signingKey' | 'trustedKeys' | 'topicPrefix'>;
  escalationUrl: string;
  /** An admin of the reviewer directory (rev-grace in config/reviewers.yaml). */
  adminToken: string;
  /** A support agent, who approves the paused refund. */
  reviewerToken: string;
}

/** An inbox line or approval page, as much of it as the walk-through reads. */
interface Item {
  approval_id: string;
  decision_id: string;
  payload_hash: string;
  trace?: { rule: string; detail: string }[];
}

interface Answer {
  status: number;
  // The escalation API's JSON: a pause, a page of items, an approval, or an error.
  json: { id?: string; reason?: string; resume_reason?: string; items?: Item[]; next_cursor?: string | null; trace?: Item['trace'] } | null;
}

/** Runs the walk-through; returns the lines it printed. */
export async function pauseWalkthrough(options: PauseWalkthroughOptions, say: (line: string) => void = console.log): Promise<string[]> {
  const lines: string[] = [];
  const print = (line: string) => (lines.push(line), say(line));
  const call = async (token: string, method: string, path: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${options.escalationUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  const agent = new HitlAgent({ ...options.agent, clientId: 'refund-bot-walkthrough', agentId: 'refund-bot', workspace: 'acme-support' });
  await agent.start();
  // $30 at 0.99: below the $50 the refunds manifest auto-approves without a person.
  const refund = (): Proposal & { decision_id: string } => ({
    decision_id: randomUUID(),
    action: 'process_refund',
    parameters: { order_id: `ORD-W${Math.floor(Math.random() * 1e6)}`, amount_usd: 30, customer_tier: 'standard' },
    confidence: 0.99,
    confidence_basis: 'an ordinary late-delivery refund',
    uncertainty_factors: [],
    recommended_review: false,
    summary: 'Refund $30 for a parcel that arrived a week late.',
  });
  /** A reviewer's inbox, page after page, until the decision is found (older demo runs may have left work in it). */
  const inInbox = async (decisionId: string): Promise<Item | undefined> => {
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const answer = await call(options.reviewerToken, 'GET', `/approvals?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      const found = (answer.json?.items ?? []).find((i) => i.decision_id === decisionId);
      if (found) return found;
      cursor = answer.json?.next_cursor ?? null;
      if (!cursor) return undefined;
    }
    return undefined;
  };
  /** One refund: it ran alone (resolved by policy), or it waits for a person (in the inbox). */
  const oneRefund = async (): Promise<{ kind: 'alone'; resolution: Resolution } | { kind: 'person'; item: Item; resolution: Promise<Resolution> }> => {
    const next = refund();
    const resolution = agent.propose(next, { timeoutMs: 60_000 });
    for (;;) {
      const done = await Promise.race([resolution, sleep(300).then(() => null)]);
      if (done && done.resolved_by.kind === 'policy') return { kind: 'alone', resolution: done };
      const item = await inInbox(next.decision_id);
      if (item) return { kind: 'person', item, resolution };
    }
  };
  let pauseLeft: string | null = null;
  try {
    const paused = await call(options.adminToken, 'POST', '/pauses', {
      workspace: 'acme-support',
      agent_id: 'refund-bot',
      reason: 'demo: refunds doubled after a deploy; every refund to a person until we know why',
    });
    if (paused.status !== 201) throw new Error(`pausing refund-bot answered ${paused.status}: ${JSON.stringify(paused.json)}`);
    pauseLeft = paused.json?.id ?? null;
    print(`  rev-grace paused agent refund-bot (pause ${paused.json?.id}): "${paused.json?.reason}"`);

    // The pause reaches every router replica through control.changed within a second or so: a
    // refund proposed before it held still runs alone, so refunds are proposed until one goes to a person.
    const held = await waitFor(async () => {
      const tried = await oneRefund();
      return tried.kind === 'person' ? tried : null;
    }, 30_000);
    const detail = await call(options.reviewerToken, 'GET', `/approvals/${held.item.approval_id}`);
    const why = (detail.json?.trace ?? []).find((r) => r.rule === 'paused');
    print(`  a $30 refund at confidence 0.99 went to a person instead of running alone: ${why ? why.detail : 'paused'}`);
    const approved = await call(options.reviewerToken, 'POST', `/approvals/${held.item.approval_id}/approve`, { payload_hash: held.item.payload_hash });
    if (approved.status >= 300) throw new Error(`approving the paused refund answered ${approved.status}: ${JSON.stringify(approved.json)}`);
    const resolution = await held.resolution;
    print(`  alice approved it; the agent received ${resolution.status} by ${resolution.resolved_by.kind} ${resolution.resolved_by.id}`);

    const resumed = await call(options.adminToken, 'POST', `/pauses/${paused.json?.id}/resume`, { reason: 'demo: the deploy was rolled back' });
    if (resumed.status !== 200) throw new Error(`resuming answered ${resumed.status}: ${JSON.stringify(resumed.json)}`);
    pauseLeft = null;
    print(`  rev-grace resumed it: "${resumed.json?.resume_reason}"`);
    // The resume reaches the router the same way: a refund proposed before it held still goes to a person (approved here).
    const again = await waitFor(async () => {
      const tried = await oneRefund();
      if (tried.kind === 'alone') return tried.resolution;
      await call(options.reviewerToken, 'POST', `/approvals/${tried.item.approval_id}/approve`, { payload_hash: tried.item.payload_hash });
      await tried.resolution;
      return null;
    }, 30_000);
    print(`  the next $30 refund at 0.99 ran alone again: ${again.status} by ${again.resolved_by.kind}`);
  } finally {
    // A walk-through that failed half-way never leaves the agent paused for the next run.
    if (pauseLeft)
      await call(options.adminToken, 'POST', `/pauses/${pauseLeft}/resume`, { reason: 'demo: the walk-through stopped early' }).catch(() => undefined);
    await agent.stop();
  }
  return lines;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function waitFor<T>(probe: () => Promise<T | null | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found) return found;
    if (Date.now() > until) throw new Error('the walk-through waited too long');
    await new Promise((done) => setTimeout(done, 200));
  }
}
