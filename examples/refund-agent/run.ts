// The refund example end to end against running services: the agent proposes a stream of
// refunds, the simulated desk reviews what the policy sends to people, and the tally is
// computed from the resolutions the agent received.
import { HitlAgent, HitlAgentOptions, Proposal } from '@hitl/agent-sdk';
import { AGENT_ID, WORKSPACE, handle, nextProposal, publishMalformed, seededRandom } from './refund-agent';
import { DeskReviewer, DeskStats, ReviewerDesk } from './reviewer-desk';
import { ResolvedRecord, Tally, tally } from './tally';

export interface RunOptions {
  brokers: string[];
  topicPrefix?: string;
  /** The agent's TLS and SASL (kafkajs options), as HitlAgent takes them. */
  ssl?: HitlAgentOptions['ssl'];
  sasl?: HitlAgentOptions['sasl'];
  /** The agent's Ed25519 private key, as HitlAgent takes it: the path of its PEM file (the demo's `.infra/keys/refund-bot.key.pem`). */
  signingKey: HitlAgentOptions['signingKey'];
  /** The services' public keys: paths of their JWKS files (the demo's `.infra/keys/router.jwks.json` and `.infra/keys/escalation.jwks.json`). */
  trustedKeys: HitlAgentOptions['trustedKeys'];
  escalationUrl: string;
  reviewers: DeskReviewer[];
  /** The desk's think time after opening an item, in ms (ReviewerDesk's default otherwise). */
  thinkMs?: [number, number];
  decisions: number;
  /** Proposals per second (default 25). */
  rate?: number;
  seed?: number;
  onProgress?: (progress: Progress) => void;
  /** Stops waiting for the resolutions still outstanding (a soak's cap): the result holds those received so far. */
  stopWaiting?: AbortSignal;
}

export interface Progress {
  elapsedMs: number;
  proposed: number;
  auto: number;
  inReview: number;
  resolved: number;
  /** Proposals that ended in an error rather than a resolution. */
  failed: number;
  total: number;
  /** When the first proposal went out (ms since the run started: the agent connects first); null until then. */
  firstProposedMs: number | null;
  /** When the last proposal went out (ms since the run started); null until then. */
  lastProposedMs: number | null;
}

export interface RunResult {
  tally: Tally;
  records: ResolvedRecord[];
  desk: DeskStats;
  /** A decision a reviewer resolved (edited when there is one), for the audit timeline link. */
  reviewedDecisionId: string | null;
  malformed: { topic: string; dlq: string; before: number; after: number };
  failures: string[];
  /** Decisions whose resolution never came before `stopWaiting`. */
  unresolved: number;
  elapsedMs: number;
}

export async function runRefundAgent(options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const random = seededRandom(options.seed ?? Date.now());
  const security = { ssl: options.ssl, sasl: options.sasl };
  const agent = new HitlAgent({
    brokers: options.brokers,
    clientId: 'refund-bot',
    agentId: AGENT_ID,
    workspace: WORKSPACE,
    topicPrefix: options.topicPrefix ?? '',
    signingKey: options.signingKey,
    trustedKeys: options.trustedKeys,
    ...security,
  });
  await agent.start();
  const proposals = new Map<string, Record<string, unknown>>();
  const desk = new ReviewerDesk({
    escalationUrl: options.escalationUrl,
    reviewers: options.reviewers,
    thinkMs: options.thinkMs,
    proposals,
    since: new Date(started),
    random: seededRandom((options.seed ?? started) + 1),
  });
  desk.start();

  const records: ResolvedRecord[] = [];
  const failures: string[] = [];
  let proposed = 0;
  let firstProposedMs: number | null = null;
  let lastProposedMs: number | null = null;
  const progress = (): Progress => {
    const auto = records.filter((r) => r.resolution.resolved_by.kind === 'policy').length;
    return {
      elapsedMs: Date.now() - started,
      proposed,
      auto,
      inReview: proposed - records.length,
      resolved: records.length,
      failed: failures.length,
      total: options.decisions,
      firstProposedMs,
      lastProposedMs,
    };
  };
  const { onProgress } = options;
  const ticker = onProgress ? setInterval(() => onProgress(progress()), 1000) : undefined;

  const malformed = await publishMalformed(options.brokers, options.topicPrefix, security);
  const gapMs = 1000 / (options.rate ?? 25);
  const work: Promise<void>[] = [];
  const firstAt = Date.now();
  firstProposedMs = firstAt - started;
  try {
    for (let i = 0; i < options.decisions; i++) {
      // On the clock, not after a fixed gap: the time each proposal takes would lower the rate asked for.
      await new Promise((r) => setTimeout(r, Math.max(0, firstAt + i * gapMs - Date.now())));
      const proposal: Proposal = nextProposal(random, i);
      work.push(
        handle(agent, proposal, random, {
          onProposed: (id, p) => {
            proposals.set(id, p.parameters);
            proposed += 1;
          },
        }).then(
          (record) => void records.push(record),
          (error: Error) => void failures.push(`${proposal.action}: ${error.message}`),
        ),
      );
    }
    lastProposedMs = Date.now() - started;
    await untilAborted(Promise.all(work), options.stopWaiting);
  } finally {
    if (ticker) clearInterval(ticker);
    options.onProgress?.(progress());
    await desk.stop();
    await agent.stop();
  }
  const reviewed = records.filter((r) => r.resolution.resolved_by.kind === 'reviewer');
  const reviewedDecisionId = (reviewed.find((r) => r.resolution.edited) ?? reviewed[0])?.decision_id ?? null;
  return {
    tally: tally(records),
    records,
    desk: { ...desk.stats },
    reviewedDecisionId,
    malformed: { topic: malformed.topic, dlq: malformed.dlq, before: malformed.before, after: await malformed.after() },
    failures,
    unresolved: proposed - records.length - failures.length,
    elapsedMs: Date.now() - started,
  };
}

/** `work`, or less once `signal` aborts. */
function untilAborted(work: Promise<unknown>, signal: AbortSignal | undefined): Promise<unknown> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve();
  return Promise.race([work, new Promise((done) => signal.addEventListener('abort', done, { once: true }))]);
}
