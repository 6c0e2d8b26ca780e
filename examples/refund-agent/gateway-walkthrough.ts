// The agent gateway in the demo's walk-through: a refund agent that holds no Kafka connection
// (a serverless function, say) proposes over HTTP with its token. A small refund comes back
// approved by policy; a large one waits for a person (alice approves it through the reviewer
// API), and the long-poll answers; the agent reports what ran and labels it. The outcome comes
// with the approval.resolved the services signed, checked here as an executor would.
import { randomUUID } from 'node:crypto';
import { Keyring, decodeEvent, parseJwks } from '@hitl/contracts';

export interface GatewayWalkthroughOptions {
  gatewayUrl: string;
  /** The agent's gateway token (the registry lists its SHA-256). */
  agentToken: string;
  escalationUrl: string;
  /** A support agent, who approves the large refund. */
  reviewerToken: string;
  /** Where the router and the escalation service publish their public keys (GET /keys). */
  routerUrl: string;
}

interface InboxPage {
  items?: { approval_id: string; decision_id: string; payload_hash: string }[];
  next_cursor: string | null;
}

interface Decision {
  decision_id: string;
  status: string;
  resolution: { resolved_by: { kind: string; id: string }; parameters: Record<string, unknown> } | null;
  resolution_event: Record<string, unknown> | null;
}

/** Runs the walk-through; returns the lines it printed. */
export async function gatewayWalkthrough(options: GatewayWalkthroughOptions, say: (line: string) => void = console.log): Promise<string[]> {
  const lines: string[] = [];
  const print = (line: string) => (lines.push(line), say(line));
  const call = async <T>(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
  };
  const gateway = <T = Decision>(method: string, path: string, body?: unknown) => call<T>(options.gatewayUrl, options.agentToken, method, path, body);
  const refund = (amount: number, confidence: number) => ({
    decision_id: randomUUID(),
    action: 'process_refund',
    parameters: { order_id: `ORD-GW${Math.floor(Math.random() * 1e6)}`, amount_usd: amount },
    confidence,
    confidence_basis: 'the order history and the carrier’s report agree',
    uncertainty_factors: [],
    recommended_review: false,
    summary: `Refund $${amount} for a parcel the carrier lost.`,
  });
  // The executor's first check: the outcome verifies against the services' published keys.
  const keysOf = async (url: string) => parseJwks(await (await fetch(`${url}/keys`)).json());
  const keyring = new Keyring({ services: { router: await keysOf(options.routerUrl), escalation: await keysOf(options.escalationUrl) } });
  const verified = (d: Decision) => {
    const decoded = decodeEvent('approval.resolved', JSON.stringify(d.resolution_event));
    const verdict = decoded.ok ? keyring.verify(decoded.raw, decoded.event) : null;
    return verdict?.ok && verdict.signer?.kind === 'service' ? `signed by the ${verdict.signer.service}, verified` : 'NOT verified';
  };

  const small = refund(20, 0.97);
  const first = await gateway('POST', '/v1/decisions', small);
  if (first.status !== 202) throw new Error(`gateway walk-through: proposing answered ${first.status} ${JSON.stringify(first.json)}`);
  const approved = (await gateway('GET', `/v1/decisions/${small.decision_id}?wait=30`)).json;
  print(`  POST /v1/decisions, a $20 refund at 0.97: ${approved.status} by ${approved.resolution?.resolved_by.kind} (${verified(approved)})`);
  await gateway('POST', `/v1/decisions/${small.decision_id}/execution`, { succeeded: true, output: { refund_id: 'rf-gw-1' }, duration_ms: 38 });
  await gateway('POST', `/v1/decisions/${small.decision_id}/labels`, { correct: true, source: 'customer_feedback' });
  print('  it ran the refund, reported it (action.executed) and labeled it correct (outcome.labeled): both signed by the gateway as the agent’s own');

  const large = refund(300, 0.9);
  await gateway('POST', '/v1/decisions', large);
  const pending = (await gateway('GET', `/v1/decisions/${large.decision_id}?wait=1`)).json;
  print(`  a $300 refund at 0.90: ${pending.status}; the agent long-polls (GET /v1/decisions/<id>?wait=60) while a person decides`);
  const waiting = gateway('GET', `/v1/decisions/${large.decision_id}?wait=60`);
  const item = await (async () => {
    for (let i = 0; i < 120; i++) {
      for (let page = 0, cursor: string | null = null; page < 50; page++) {
        const inbox: { json: InboxPage } = await call<InboxPage>(
          options.escalationUrl,
          options.reviewerToken,
          'GET',
          `/approvals?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        const found = inbox.json.items?.find((x) => x.decision_id === large.decision_id);
        if (found) return found;
        cursor = inbox.json.next_cursor;
        if (!cursor) break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('gateway walk-through: the $300 refund never reached alice’s inbox');
  })();
  await call(options.escalationUrl, options.reviewerToken, 'POST', `/approvals/${item.approval_id}/approve`, { payload_hash: item.payload_hash });
  const decided = (await waiting).json;
  print(`  alice approved it; the long-poll answered: ${decided.status} by ${decided.resolution?.resolved_by.id} (${verified(decided)})`);
  return lines;
}
