// Figure 9, the agent gateway's latency to an auto-approval: an agent without Kafka proposes
// an auto-approvable refund over HTTP (POST /v1/decisions with its token) and long-polls its
// outcome (GET /v1/decisions/{id}?wait=30) until it reads `approved`; the same refunds from
// an agent on the SDK over Kafka (HitlAgent.propose: signed, sent, answered by the router's
// approval.resolved) are the baseline. Both run in the same world at the same time, their
// proposals interleaved on one clock (an open loop: each sent on schedule whether or not
// earlier ones were answered), so a busy machine slows both alike and the ratio holds.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HitlAgent } from '@hitl/agent-sdk';
import { kafkaClientSecurity, loadKafkaSecurity } from '@hitl/messaging';
import { GATEWAY_AGENTS, eventually, query, testTrust } from '@hitl/testing';
import { FigureResult, runStandalone, verdict } from './support/figure';
import { refundProposal } from './support/decisions';
import { BenchWorld, ServiceProcess, WORKSPACE, sleep, watching } from './support/services';
import { Summary, ratio, summarize } from './support/stats';
import { SIZE_TABLE, Size } from './support/size';
import { formatNumber, formatTable } from './support/table';

/**
 * The target: the gateway's median and p95 at most this many times the SDK's. What the
 * gateway's path costs beyond the SDK's with the wait's poll out of the way (a 10 ms poll)
 * measured 3.3 times at the median and 2.4 at p95 (docs/benchmarks.md, figure 9).
 */
export const GATEWAY_RATIO_TARGET = 4;
/**
 * How often a waiting GET looks for the outcome: the gateway's default GATEWAY_WAIT_POLL_MS,
 * or BENCH_GATEWAY_WAIT_POLL_MS for an experiment (what the path costs with a shorter poll).
 */
const POLL_MS = Number(process.env.BENCH_GATEWAY_WAIT_POLL_MS ?? 200);
const TOKEN = GATEWAY_AGENTS['lambda-bot'].token;

type Path = 'sdk' | 'gateway';

const PATH_LABEL: Record<Path, string> = {
  sdk: 'SDK over Kafka: propose -> approval.resolved',
  gateway: `gateway over HTTP: POST, GET ?wait=30 -> approved (poll ${POLL_MS} ms${process.env.BENCH_GATEWAY_WAIT_POLL_MS ? '' : ', default'})`,
};

interface Sample {
  path: Path;
  id: string;
  /** performance.now() and Date.now() at the send. */
  at: number;
  wall: number;
  /** ms from the send to the answer `approved`; to the POST's answer (gateway). */
  total?: number;
  posted?: number;
  /** Date.now() at the answer. */
  answeredWall?: number;
  error?: string;
}

interface Row {
  path: Path;
  latency: Summary;
  /** Medians (ms): the POST's answer (gateway), the send to the routing transaction, from it to the answer. */
  posted: number;
  toRouted: number;
  routedToAnswer: number;
}

/** One call to the gateway as its agent: bearer token, JSON both ways. */
async function call(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: res.status, json: { text } };
  }
}

/** Proposes through the gateway at `base` and long-polls until the outcome; fills in the sample. */
async function viaGateway(base: string, sample: Sample): Promise<void> {
  const { decision_id, ...rest } = refundProposal('auto_approve', sample.id);
  const posted = await call(base, 'POST', '/v1/decisions', { decision_id, ...rest });
  if (posted.status !== 202) throw new Error(`POST /v1/decisions answered ${posted.status}: ${JSON.stringify(posted.json)}`);
  sample.posted = performance.now() - sample.at;
  for (;;) {
    const read = await call(base, 'GET', `/v1/decisions/${decision_id}?wait=30`);
    if (read.status !== 200) throw new Error(`GET /v1/decisions/${decision_id} answered ${read.status}: ${JSON.stringify(read.json)}`);
    if (read.json.status === 'pending') continue;
    if (read.json.status !== 'approved') throw new Error(`${decision_id} was ${String(read.json.status)}, not auto-approved`);
    return;
  }
}

async function viaSdk(agent: HitlAgent, sample: Sample): Promise<void> {
  const resolution = await agent.propose(refundProposal('auto_approve', sample.id), { timeoutMs: 60_000 });
  if (resolution.status !== 'approved') throw new Error(`${sample.id} was ${resolution.status}, not auto-approved`);
}

/**
 * `rounds` rounds at `rate` a second, each sending one proposal down every path, the paths
 * spread evenly over the round; answers when every proposal is answered (or failed).
 */
async function offer(rate: number, rounds: number, send: Record<Path, (sample: Sample) => Promise<void>>): Promise<Sample[]> {
  const paths = Object.keys(send) as Path[];
  const samples: Sample[] = [];
  const work: Promise<void>[] = [];
  const gapMs = 1000 / rate;
  const start = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (const [i, path] of paths.entries()) {
      await sleep(Math.max(0, start + (round + i / paths.length) * gapMs - performance.now()));
      const sample: Sample = { path, id: randomUUID(), at: performance.now(), wall: Date.now() };
      samples.push(sample);
      work.push(
        send[path](sample).then(
          () => {
            sample.total = performance.now() - sample.at;
            sample.answeredWall = Date.now();
          },
          (error: Error) => void (sample.error = error.message),
        ),
      );
    }
  }
  await Promise.all(work);
  return samples;
}

export async function gatewayLatency(size: Size): Promise<FigureResult> {
  const { gatewayRate: rate, gatewayProposals: perPath } = SIZE_TABLE[size];
  const world = new BenchWorld();
  let agent: HitlAgent | undefined;
  try {
    await world.setUp();
    const router = await world.start('router');
    const gateway = await world.start('gateway', { GATEWAY_WAIT_POLL_MS: String(POLL_MS) });
    const services: ServiceProcess[] = [router, gateway];
    const trust = testTrust();
    agent = new HitlAgent({
      brokers: world.brokers,
      clientId: 'bench-refund-bot',
      agentId: 'bench-refund-bot',
      workspace: WORKSPACE,
      topicPrefix: world.prefix,
      signingKey: trust.key('bench-refund-bot'),
      trustedKeys: { router: join(trust.dir, 'router.jwks.json'), escalation: join(trust.dir, 'escalation.jwks.json') },
      ...kafkaClientSecurity(loadKafkaSecurity(process.env)),
    });
    await agent.start();
    const sdk = agent;
    const send: Record<Path, (sample: Sample) => Promise<void>> = {
      sdk: (s) => viaSdk(sdk, s),
      gateway: (s) => viaGateway(gateway.url, s),
    };
    const answered = (samples: Sample[]) => () => samples.every((s) => s.total !== undefined || s.error !== undefined);
    // A warm-up: connections, the agent's consumer group, the gateways' partitions.
    const warm = await offer(10, 10, send);
    await eventually('the warm-up', answered(warm), { timeoutMs: 120_000, everyMs: 250, ...watching(services) });
    const failedWarm = warm.find((s) => s.error);
    if (failedWarm) throw new Error(`warm-up: ${failedWarm.path}: ${failedWarm.error}`);

    const samples = await offer(rate, perPath, send);
    const failed = samples.filter((s) => s.error);
    if (failed.length > 0) throw new Error(`${failed.length} of ${samples.length} proposals failed; first: ${failed[0].path}: ${failed[0].error}`);

    // Where the time goes: the router's own record of when it routed each decision.
    const routed = new Map(
      (
        await query<{ id: string; at: number }>(
          'SELECT decision_id AS id, extract(epoch FROM routed_at) * 1000 AS at FROM router.decisions WHERE decision_id = ANY($1::uuid[])',
          [samples.map((s) => s.id)],
          world.databaseUrl,
        )
      ).map((r) => [r.id, Number(r.at)]),
    );
    const median = (values: number[]) => summarize(values).p50;
    const rows: Row[] = (Object.keys(send) as Path[]).map((path) => {
      const mine = samples.filter((s) => s.path === path);
      return {
        path,
        latency: summarize(mine.map((s) => s.total ?? Number.NaN)),
        posted: path === 'sdk' ? Number.NaN : median(mine.map((s) => s.posted ?? Number.NaN)),
        toRouted: median(mine.map((s) => (routed.get(s.id) ?? Number.NaN) - s.wall)),
        routedToAnswer: median(mine.map((s) => (s.answeredWall ?? Number.NaN) - (routed.get(s.id) ?? Number.NaN))),
      };
    });
    const row = (path: Path): Row => rows.find((r) => r.path === path) as Row;
    const p50Ratio = ratio(row('gateway').latency.p50, row('sdk').latency.p50);
    const p95Ratio = ratio(row('gateway').latency.p95, row('sdk').latency.p95);
    const met = p50Ratio <= GATEWAY_RATIO_TARGET && p95Ratio <= GATEWAY_RATIO_TARGET;
    const peaks = { gateway: gateway.peakRssMib(), router: router.peakRssMib() };
    return {
      title: 'Figure 9: gateway latency to an auto-approval',
      table: formatTable(
        [
          'path',
          'offered/s',
          'samples',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'p50 / SDK p50',
          'p95 / SDK p95',
          'p50 ms: POST answered / to routed / routed to answer',
        ],
        rows.map((r) => [
          PATH_LABEL[r.path],
          rate,
          r.latency.count,
          r.latency.p50,
          r.latency.p95,
          r.latency.p99,
          ratio(r.latency.p50, row('sdk').latency.p50),
          ratio(r.latency.p95, row('sdk').latency.p95),
          [r.posted, r.toRouted, r.routedToAnswer].map((x) => (Number.isFinite(x) ? x.toFixed(1) : '-')).join(' / '),
        ]),
      ),
      notes: [
        `Target: the gateway within ${GATEWAY_RATIO_TARGET} times the SDK path at the median and at p95: ${formatNumber(p50Ratio)} and ${formatNumber(p95Ratio)}; met: ${verdict(met)}. The gateway's path has one more PostgreSQL transaction, outbox relay and consumer than the SDK's, and an HTTP hop each way: the waiting GET is woken when its outcome is kept on the replica holding it (another replica's waiters find it at their next poll).`,
        `One load generator, ${rate} proposals a second on each path, interleaved on one clock: each an auto-approvable refund of acme-support, from bench-refund-bot (SDK, its own key) or lambda-bot (gateway, its token; the gateway signs). Latency: from the call to the agent holding \`approved\` (the SDK's propose() resolving; the GET answering it).`,
        `The gateway's extra path: the POST's transaction and the gateway's outbox relay before the proposal reaches the broker; then the router's approval.resolved consumed by the gateway and kept in its table, which wakes the waiting GET on that replica (it looks again until the commit shows it); a GET held by another replica finds it at its next poll, GATEWAY_WAIT_POLL_MS later (${POLL_MS} ms in this run; 200 ms by default).`,
        ...(process.env.BENCH_GATEWAY_WAIT_POLL_MS
          ? [`An experiment: the gateway ran with GATEWAY_WAIT_POLL_MS=${POLL_MS} (BENCH_GATEWAY_WAIT_POLL_MS), not its default 200 ms.`]
          : []),
        'Stages: the POST answered; the send to the routing transaction (router.decisions.routed_at); from it to the answer. Wall clocks of one machine.',
        `Peak RSS: gateway ${Math.round(peaks.gateway)} MiB, router ${Math.round(peaks.router)} MiB.`,
      ],
      ratios: {
        'gateway / SDK p50 to auto-approval': `${formatNumber(p50Ratio)} (${formatNumber(row('gateway').latency.p50)} vs ${formatNumber(row('sdk').latency.p50)} ms; target <= ${GATEWAY_RATIO_TARGET})`,
        'gateway / SDK p95 to auto-approval': `${formatNumber(p95Ratio)} (${formatNumber(row('gateway').latency.p95)} vs ${formatNumber(row('sdk').latency.p95)} ms; target <= ${GATEWAY_RATIO_TARGET})`,
      },
      peakRss: [
        { process: 'gateway', mib: peaks.gateway },
        { process: 'router', mib: peaks.router },
      ],
      targetMet: met,
    };
  } finally {
    await agent?.stop().catch(() => undefined);
    await world.tearDown();
  }
}

if (require.main === module) runStandalone(gatewayLatency);
