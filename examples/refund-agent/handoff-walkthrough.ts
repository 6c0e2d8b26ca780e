// "Get a human" in the demo's walk-through: a customer in a chat with the refund agent asks for
// a person; the agent suspends the session with the conversation so far; a support agent
// takes it over, answers the customer and hands it back with notes; the agent resumes from its
// checkpoint with them; the audit timeline shows every step. Through the public APIs and the
// agent SDK, as a person and an agent would do it.
import { randomUUID } from 'node:crypto';
import { HitlAgent, HitlAgentOptions } from '@hitl/agent-sdk';

export interface HandoffWalkthroughOptions {
  agent: Pick<HitlAgentOptions, 'brokers' | 'ssl' | 'sasl' | 'signingKey' | 'trustedKeys' | 'topicPrefix'>;
  escalationUrl: string;
  /** A support agent (the refunds manifest's handoff path starts at support_agent). */
  reviewerToken: string;
  /** Where the audit answers, and an auditor's token, for the handoff's timeline. */
  auditUrl: string;
  auditorToken: string;
}

interface HandoffLine {
  id: string;
  session_id: string;
  state: string;
  reviewer_role: string;
  sla_deadline: string | null;
}

const clock = (iso: string | null) => (iso ? iso.slice(11, 19) : '-');

/** Runs the walk-through; returns the lines it printed. */
export async function handoffWalkthrough(options: HandoffWalkthroughOptions, say: (line: string) => void = console.log): Promise<string[]> {
  const lines: string[] = [];
  const print = (line: string) => (lines.push(line), say(line));
  const call = async (url: string, token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // The escalation and audit APIs answer JSON: a page, a handoff, a timeline, or an error.
    return { status: res.status, json: (text ? JSON.parse(text) : null) as Record<string, unknown> | null };
  };
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > end) throw new Error(`handoff walk-through: ${what} did not happen within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  // A replica of its own (its own consumer group): the handback comes to this process, whatever else of refund-bot runs.
  const agent = new HitlAgent({
    ...options.agent,
    clientId: 'refund-bot-handoff',
    agentId: 'refund-bot',
    workspace: 'acme-support',
    replicaId: 'handoff-walkthrough',
    pendingStore: 'memory',
  });
  await agent.start();
  try {
    const session = `chat-${randomUUID().slice(0, 8)}`;
    const reason = 'the customer asked for a person: the parcel arrived damaged and a refund of the item alone is not enough';
    print(`  a customer in session ${session} writes "Not enough, I paid for express shipping. Get me a human."`);
    const handedBack = agent.requestHuman(
      {
        session_id: session,
        reason,
        transcript: [
          { from: 'user', text: 'My order ORD-10492 arrived broken.' },
          { from: 'agent', text: 'Sorry to hear that. I can refund $129.50 to your card.' },
          { from: 'user', text: 'Not enough, I paid for express shipping. Get me a human.' },
        ],
        checkpoint: { step: 'offer_refund', order_id: 'ORD-10492', offered_usd: 129.5 },
        on_behalf_of: 'customer:c-8812',
      },
      { timeoutMs: 60_000 },
    );
    print(`  the agent asks for a person (requestHuman) and suspends the session: isSuspended = ${agent.isSuspended(session)}`);
    const handoff = await until('the handoff to open', async () => {
      const page = await call(options.escalationUrl, options.reviewerToken, 'GET', '/handoffs');
      return ((page.json?.items ?? []) as HandoffLine[]).find((h) => h.session_id === session);
    });
    print(
      `  alice sees it in the console's Handoffs view: waiting for ${handoff.reviewer_role} until ${clock(handoff.sla_deadline)} (the manifest's handoff SLA)`,
    );
    const taken = await call(options.escalationUrl, options.reviewerToken, 'POST', `/handoffs/${handoff.id}/take`);
    if (taken.status !== 200) throw new Error(`handoff walk-through: taking it over answered ${taken.status} ${JSON.stringify(taken.json)}`);
    print('  alice reads the conversation and takes the session over');
    const notes = 'Refunded the express shipping ($14.90) by hand. Offer the $129.50 refund again, then close the ticket.';
    const reply = 'I have refunded your express shipping; the assistant will finish the rest with you.';
    const returned = await call(options.escalationUrl, options.reviewerToken, 'POST', `/handoffs/${handoff.id}/return`, {
      resolution: 'handed_back',
      notes,
      reply,
    });
    if (returned.status !== 200) throw new Error(`handoff walk-through: handing it back answered ${returned.status} ${JSON.stringify(returned.json)}`);
    print(`  alice answers the customer ("${reply}") and hands the session back with notes`);
    const back = await handedBack;
    print(
      `  the agent resumes from its checkpoint ${JSON.stringify(back.checkpoint)} with the notes: "${back.notes}" (suspended: ${agent.isSuspended(session)})`,
    );
    const steps = await until('every step on the audit timeline', async () => {
      const timeline = await call(options.auditUrl, options.auditorToken, 'GET', `/audit/decisions/${handoff.id}/timeline`);
      const found = (timeline.json?.steps ?? []) as { step: string; summary: string }[];
      return found.length >= 4 ? found : undefined;
    });
    print('  the audit timeline of the handoff:');
    for (const step of steps) print(`    ${step.step.padEnd(18)} ${step.summary}`);
    return lines;
  } finally {
    await agent.stop();
  }
}
