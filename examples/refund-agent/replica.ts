// One replica of the refund agent, as its own process (run by fleet.ts): proposes its share
// of the decisions, each with a checkpoint to resume from, and acts on outcomes in
// onResolution, which the SDK calls once per decision across the fleet: for its own
// decisions, for those it kept while it was down, and for those of replicas that died and
// did not come back within the lease. Acting is idempotent on decision_id (the payment
// system's idempotency key), so a kill -9 between acting and the SDK's "done" does not
// refund twice.
//
//   node -r @swc-node/register examples/refund-agent/replica.ts <config.json>
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { HitlAgent, PendingDecision, PostgresPendingStore, Proposal, Resolution } from '@hitl/agent-sdk';
import { AGENT_ID, WORKSPACE } from './refund-agent';

export interface ReplicaConfig {
  replicaId: string;
  brokers: string[];
  topicPrefix: string;
  databaseUrl: string;
  schema: string;
  leaseMs: number;
  signingKey: string;
  trustedKeys: { router: string; escalation: string };
  /** This replica's share: decision ids with their proposals. */
  assignment: { decision_id: string; proposal: Proposal }[];
  /** Proposals per second. */
  rate: number;
  /** The fake payment system's ledger (shared by the replicas): one refund per decision, ever. */
  paymentsPath: string;
  /** One line per decision acted on (shared): what the fleet run counts. */
  actedPath: string;
}

/** A line of the acted ledger. */
export interface Acted {
  decision_id: string;
  replica: string;
  status: string;
  /** The replica that proposed it, from its checkpoint: differs when the outcome was resumed elsewhere. */
  proposed_by: string;
}

const readLines = <T>(path: string): T[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as T)
    : [];

/** The fake payment system: refunds keyed by decision_id; a repeat answers the first refund. */
function refundOnce(paymentsPath: string, decisionId: string, parameters: Record<string, unknown>): { refund_id: string; amount_usd: unknown } {
  const earlier = readLines<{ decision_id: string; refund_id: string; amount_usd: unknown }>(paymentsPath).find((p) => p.decision_id === decisionId);
  if (earlier) return { refund_id: earlier.refund_id, amount_usd: earlier.amount_usd };
  const refund = { decision_id: decisionId, refund_id: `re_${decisionId.slice(0, 8)}`, amount_usd: parameters.amount_usd };
  // One short line per write with O_APPEND: lines of concurrent writers never interleave.
  appendFileSync(paymentsPath, `${JSON.stringify(refund)}\n`);
  return { refund_id: refund.refund_id, amount_usd: refund.amount_usd };
}

async function main(config: ReplicaConfig): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const store = new PostgresPendingStore({
    connection: config.databaseUrl,
    schema: config.schema,
    agentId: AGENT_ID,
    replicaId: config.replicaId,
    leaseMs: config.leaseMs,
  });
  const agent = new HitlAgent({
    brokers: config.brokers,
    clientId: `refund-bot-${config.replicaId}`,
    agentId: AGENT_ID,
    replicaId: config.replicaId,
    workspace: WORKSPACE,
    topicPrefix: config.topicPrefix,
    pendingStore: store,
    leaseMs: config.leaseMs,
    signingKey: config.signingKey,
    trustedKeys: config.trustedKeys,
  });
  const acted = new Set(readLines<Acted>(config.actedPath).map((a) => a.decision_id));

  // Resume: whichever replica holds the decision now, from the checkpoint its proposer kept.
  agent.onResolution(async (resolution: Resolution, decision: PendingDecision) => {
    say(`handled ${resolution.decision_id}`);
    if (acted.has(resolution.decision_id) || readLines<Acted>(config.actedPath).some((a) => a.decision_id === resolution.decision_id)) return;
    const checkpoint = decision.checkpoint ?? {};
    if (resolution.status === 'approved') {
      await agent.guard(resolution, (parameters) => refundOnce(config.paymentsPath, resolution.decision_id, parameters));
      await agent.labelOutcome(resolution.decision_id, !resolution.edited, {
        source: resolution.edited ? 'reviewer_edited' : 'no_complaint_30d',
        labeledBy: 'crm',
      });
    } else if (resolution.status === 'denied') {
      await agent.labelOutcome(resolution.decision_id, false, { source: 'reviewer_denied', labeledBy: resolution.resolved_by.id });
    }
    const line: Acted = {
      decision_id: resolution.decision_id,
      replica: config.replicaId,
      status: resolution.status,
      proposed_by: String(checkpoint.replica ?? '?'),
    };
    appendFileSync(config.actedPath, `${JSON.stringify(line)}\n`);
    acted.add(resolution.decision_id);
    say(`acted ${resolution.decision_id}`);
  });

  await agent.start();
  say('started');
  let stopping = false;
  process.once('SIGTERM', () => {
    stopping = true;
    void agent
      .stop()
      .then(() => store.close())
      .finally(() => process.exit(0));
  });

  const gapMs = 1000 / config.rate;
  for (const { decision_id, proposal } of config.assignment) {
    if (stopping) return;
    // After a restart: what was acted on, or is in the store (pending, held here or taken over), is not proposed again.
    if (acted.has(decision_id) || (await store.get(decision_id))) continue;
    // Not awaited: the outcome is acted on in onResolution, here or in another replica.
    agent
      .propose({ ...proposal, decision_id }, { checkpoint: { replica: config.replicaId, order_id: proposal.parameters.order_id ?? null } })
      .catch((error: Error) => say(`failed ${decision_id} ${error.name}: ${error.message}`));
    say(`proposed ${decision_id}`);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  say('all proposed');
}

main(JSON.parse(readFileSync(process.argv[2], 'utf8')) as ReplicaConfig).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
