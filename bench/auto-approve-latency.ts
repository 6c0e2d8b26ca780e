// Figure 2, auto-approve latency: an agent's decision.proposed to its approval.resolved
// through the router, at fixed offered rates, against raw produce-to-consume on the same
// broker at the same rates. One load generator and one consumer measure both (the same
// clock, the same client settings); each message is its own acknowledged send, sent on
// schedule whether or not earlier ones were answered (an open loop).
import { performance } from 'node:perf_hooks';
import { eventually, query } from '@hitl/testing';
import { Kafka, Message } from 'kafkajs';
import { FigureResult, runStandalone, verdict } from './support/figure';
import { proposal } from './support/decisions';
import { BenchWorld, ServiceProcess, sleep, watching } from './support/services';
import { Summary, Tail, ratePerSecond, summarize, tailOf } from './support/stats';
import { Size, SIZE_TABLE } from './support/size';
import { formatTable } from './support/table';

export const LATENCY_ALLOWANCE_MS = 15;

interface Leg {
  path: 'raw' | 'router';
  offered: number;
  achieved: number;
  latency: Summary;
  /** Router legs: median ms from the send to the routing of its chunk, from it to the publish of the answer, and from that to the answer. */
  stages?: [number, number, number];
  /** The slowest 1% of the router's answers: their legs, and when in the leg they were sent. */
  tail?: Tail | null;
}

/** When an answer arrived (monotonic, to compare with its send) and, for stages, on the wall clock with its Kafka timestamp. */
interface Answer {
  at: number;
  wall: number;
  published: number;
}

/** Sends `count` messages at `rate`/s, each acknowledged on its own; returns when all are acknowledged. */
async function offer(
  kafka: Kafka,
  topic: string,
  rate: number,
  count: number,
  sentAt: Map<string, { at: number; wall: number }>,
  make: () => Message,
): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const messages = Array.from({ length: count }, make);
  const acks: Promise<unknown>[] = [];
  const start = performance.now();
  try {
    let next = 0;
    while (next < count) {
      const due = Math.min(count, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      for (; next < due; next++) {
        const message = messages[next];
        sentAt.set(String(message.key), { at: performance.now(), wall: Date.now() });
        acks.push(producer.send({ topic, acks: -1, messages: [message] }));
      }
      await sleep(Math.max(1, Math.floor(1000 / rate)));
    }
    const sendSpan = performance.now() - start;
    await Promise.all(acks);
    return ratePerSecond(count, sendSpan);
  } finally {
    await producer.disconnect();
  }
}

async function leg(world: BenchWorld, path: Leg['path'], rate: number, seconds: number, router: ServiceProcess, received: Map<string, Answer>): Promise<Leg> {
  const sentAt = new Map<string, { at: number; wall: number }>();
  const count = Math.max(1, Math.round(rate * seconds));
  const topic = path === 'raw' ? world.topic('raw.latency') : world.topic('decision.proposed');
  const achieved = await offer(world.kafka, topic, rate, count, sentAt, () => proposal('auto_approve'));
  await eventually(`${count} ${path} answers at ${rate}/s`, () => [...sentAt.keys()].every((k) => received.has(k)), {
    timeoutMs: 120_000,
    everyMs: 250,
    ...watching([router]),
  });
  const latency = summarize([...sentAt].map(([key, sent]) => (received.get(key)?.at ?? Number.NaN) - sent.at));
  if (path === 'raw') return { path, offered: rate, achieved, latency };
  // Where the time goes: the router's own record of when it routed each decision.
  const routed = await query<{ id: string; at: number }>(
    'SELECT decision_id AS id, extract(epoch FROM routed_at) * 1000 AS at FROM router.decisions WHERE decision_id = ANY($1::uuid[])',
    [[...sentAt.keys()]],
    world.databaseUrl,
  );
  const median = (values: number[]) => summarize(values).p50;
  const at = (id: string) => ({ sent: sentAt.get(id)?.wall ?? Number.NaN, answer: received.get(id) });
  const stages: [number, number, number] = [
    median(routed.map((r) => Number(r.at) - at(r.id).sent)),
    median(routed.map((r) => (at(r.id).answer?.published ?? Number.NaN) - Number(r.at))),
    median(routed.map((r) => (at(r.id).answer?.wall ?? Number.NaN) - (at(r.id).answer?.published ?? Number.NaN))),
  ];
  // The slowest 1%: the same legs, and whether they came together (a stall) or spread out.
  const start = Math.min(...[...sentAt.values()].map((sent) => sent.wall));
  const tail = tailOf(
    routed.map((r) => {
      const { sent, answer } = at(r.id);
      const published = answer?.published ?? Number.NaN;
      return {
        sentAt: sent - start,
        latency: (received.get(r.id)?.at ?? Number.NaN) - (sentAt.get(r.id)?.at ?? Number.NaN),
        legs: [Number(r.at) - sent, published - Number(r.at), (answer?.wall ?? Number.NaN) - published],
      };
    }),
    0.01,
  );
  return { path, offered: rate, achieved, latency, stages, tail };
}

export async function autoApproveLatency(size: Size, options: { sustainableRate?: number } = {}): Promise<FigureResult> {
  const { offeredRates, secondsPerRate } = SIZE_TABLE[size];
  // The target is judged at half the sustainable rate (figure 1's router rate), when known;
  // rates above what the router sustains only measure a growing queue, so they are left out.
  const sustainable = options.sustainableRate;
  const judgedAt = sustainable ? Math.max(1, Math.round(sustainable / 2)) : undefined;
  const held = offeredRates.filter((rate) => !sustainable || rate <= sustainable);
  const skipped = offeredRates.filter((rate) => !held.includes(rate));
  const rates = [...new Set([...held, ...(judgedAt ? [judgedAt] : [])])].sort((a, b) => a - b);
  const world = new BenchWorld();
  try {
    await world.setUp();
    const router = await world.start('router');
    await world.createTopics(['raw.latency']);
    const received = new Map<string, Answer>();
    const consumer = world.kafka.consumer({ groupId: `${world.prefix}latency`, maxWaitTimeInMs: 20 });
    await consumer.connect();
    await consumer.subscribe({ topics: [world.topic('raw.latency'), world.topic('approval.resolved')], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void received.set(String(message.key), { at: performance.now(), wall: Date.now(), published: Number(message.timestamp) }),
    });
    try {
      // A warm-up, so the first rate does not pay for connections and the group joining.
      await leg(world, 'raw', 20, 1, router, received);
      await leg(world, 'router', 20, 1, router, received);
      const legs: Leg[] = [];
      for (const rate of rates) {
        legs.push(await leg(world, 'raw', rate, secondsPerRate, router, received));
        legs.push(await leg(world, 'router', rate, secondsPerRate, router, received));
      }
      const peak = router.peakRssMib();
      const at = (path: Leg['path'], rate: number): Leg => {
        const found = legs.find((l) => l.path === path && l.offered === rate);
        if (!found) throw new Error(`no ${path} leg at ${rate}/s`);
        return found;
      };
      const judged = judgedAt ?? rates[0];
      const gap = at('router', judged).latency.p99 - at('raw', judged).latency.p99;
      const met = gap <= LATENCY_ALLOWANCE_MS;
      return {
        title: 'Figure 2: auto-approve latency',
        table: formatTable(
          [
            'offered/s',
            'path',
            'achieved/s',
            'samples',
            'p50 ms',
            'p95 ms',
            'p99 ms',
            'router p99 - raw p99 ms',
            'p50 ms: to routed / to published / to answer',
          ],
          legs.map((l) => [
            l.offered,
            l.path === 'raw' ? 'raw produce -> consume' : 'decision.proposed -> approval.resolved',
            Math.round(l.achieved),
            l.latency.count,
            l.latency.p50,
            l.latency.p95,
            l.latency.p99,
            l.path === 'router' ? l.latency.p99 - at('raw', l.offered).latency.p99 : '',
            l.stages ? l.stages.map((x) => x.toFixed(1)).join(' / ') : '',
          ]),
        ),
        notes: [
          `Target: router p99 within raw p99 + ${LATENCY_ALLOWANCE_MS} ms at ${judgedAt ? `half the sustainable rate (${judged}/s, from figure 1)` : `${judged}/s (run with figure 1 to judge at half the sustainable rate)`}: ${gap.toFixed(1)} ms over; met: ${verdict(met)}.`,
          ...(skipped.length > 0
            ? [`Not offered: ${skipped.join(', ')}/s, above the ${Math.round(sustainable ?? 0)}/s the router sustained in figure 1.`]
            : []),
          `Router peak RSS during this figure: ${Math.round(peak)} MiB.`,
          ...legs.flatMap(({ offered, tail }) =>
            tail
              ? [
                  `The slowest 1% at ${offered}/s (${tail.count}): median ${tail.legs.map((x) => x.toFixed(0)).join(' / ')} ms to routed / to published / to answer; sent between ${(tail.firstSentAt / 1000).toFixed(2)} and ${(tail.lastSentAt / 1000).toFixed(2)} s into the leg.`,
                ]
              : [],
          ),
          "Stages (router rows): the send to the routing of its chunk (router.decisions.routed_at: the consumer's fetch and the signatures' check), from it to the publish (the approval.resolved's Kafka timestamp: routing, the transaction and its commit, signing), and from that to the answer (broker and the measuring consumer). Wall clocks of one machine.",
        ],
        ratios: { [`auto-approve p99 router - raw at ${judged}/s`]: `${gap.toFixed(1)} ms (target <= ${LATENCY_ALLOWANCE_MS} ms)` },
        peakRss: [{ process: 'router', mib: peak }],
        targetMet: met,
      };
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await world.tearDown();
  }
}

if (require.main === module) runStandalone(autoApproveLatency);
