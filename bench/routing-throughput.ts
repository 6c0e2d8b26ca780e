// Figure 1, routing throughput: N decisions through the router (decode, verify, route by
// policy, record, sign and publish after the commit) against two baselines on the same
// messages, broker, partitions and batch settings: a raw kafkajs consume-and-produce
// passthrough, and the durable minimum (the same plus one PostgreSQL row per decision and
// an answer, offsets after the commit), so the cost of durability and the cost of hitl are
// told apart. All read a topic filled beforehand; each rate is the number of outputs over
// the span of their Kafka timestamps (set by the producer).
import { cpus } from 'node:os';
import { bestSigningMicros } from './signature-cost';
import { contractCeiling } from './support/ceiling';
import { FigureResult, runStandalone, verdict } from './support/figure';
import { proposal, produceAll } from './support/decisions';
import { pass, startPassthrough } from './support/passes';
import { BenchWorld, PARTITIONS } from './support/services';
import { restingShare } from './support/scaling';
import { ratio } from './support/stats';
import { Size, SIZE_TABLE } from './support/size';
import { formatTable } from './support/table';

/** Router / raw passthrough at full size (issue 22: twice the best before it). */
export const ROUTING_TARGET = 0.35;
/** Router / durable minimum: what hitl adds to the durable work it cannot skip. */
export const ROUTING_DURABLE_TARGET = 0.7;

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export async function routingThroughput(size: Size): Promise<FigureResult & { routerRate: number }> {
  const n = SIZE_TABLE[size].routedDecisions;
  const world = new BenchWorld();
  try {
    await world.setUp();
    await world.createContractTopics();
    await world.createTopics(['raw.in', 'raw.out', 'durable.out', 'platformatic.out']);
    const messages = Array.from({ length: n }, () => proposal('auto_approve'));
    await produceAll(world.kafka, world.topic('raw.in'), messages);
    await produceAll(world.kafka, world.topic('decision.proposed'), messages);

    // What the contract adds to a decision whatever the code, measured before the passes on a quiet machine: the best of three rounds.
    const signing = bestSigningMicros(Math.max(2_000, n / 3));
    const background = await restingShare();
    const baseline = (name: string, out: string, env: Record<string, string> = {}, script?: string) =>
      startPassthrough(world, name, 'raw.in', out, env, script);
    const raw = await pass(world, await baseline('raw passthrough', 'raw.out'), 'raw.out', n, background);
    const durable = await pass(
      world,
      await baseline('durable minimum', 'durable.out', { PASSTHROUGH_DATABASE_URL: world.databaseUrl }),
      'durable.out',
      n,
      background,
    );
    // The same raw work on the other client (issue 22: measured against kafkajs, not yet switched to).
    const platformatic = await pass(
      world,
      await baseline('raw passthrough (@platformatic/kafka)', 'platformatic.out', {}, 'bench/support/passthrough-platformatic.ts'),
      'platformatic.out',
      n,
      background,
    );
    const routed = await pass(world, await world.start('router'), 'approval.resolved', n, background);
    if (routed.count !== n || raw.count !== n || durable.count !== n || platformatic.count !== n) {
      throw new Error(
        `expected ${n} outputs each, got ${routed.count} routed, ${durable.count} durable, ${raw.count} raw and ${platformatic.count} raw on @platformatic/kafka`,
      );
    }
    const clients = ratio(platformatic.rate, raw.rate);
    const cores = cpus().length;
    const ceiling = contractCeiling({ cores, baselineMachineMicros: durable.machinePer1000, verifyMicros: signing.verify, signMicros: signing.sign });

    const r = ratio(routed.rate, raw.rate);
    const d = ratio(routed.rate, durable.rate);
    const met = r >= ROUTING_TARGET && d >= ROUTING_DURABLE_TARGET;
    return {
      title: 'Figure 1: routing throughput',
      table: formatTable(
        ['path', 'decisions', 'decisions/s', 'process CPU ms per 1000', 'machine CPU ms per 1000', 'machine busy', 'peak RSS (MiB)'],
        [
          ...(
            [
              ['raw kafkajs passthrough', raw],
              ['raw @platformatic/kafka passthrough', platformatic],
              ['durable minimum (kafkajs + pg: a row, an answer)', durable],
              ['router (verify, policy, record, sign, publish)', routed],
            ] as const
          ).map(([path, p]) => [path, n, Math.round(p.rate), Math.round(p.cpuPer1000), Math.round(p.machinePer1000), percent(p.busy), Math.round(p.peakMib)]),
          ['ceiling: durable minimum + verify + sign', '', Math.round(ceiling.rate), '', Math.round(ceiling.floorMicros), '', ''],
          ['ratio router / raw', '', r, '', '', '', ''],
          ['ratio router / durable minimum', '', d, '', '', '', ''],
          ['ratio ceiling / raw', '', ratio(ceiling.rate, raw.rate), '', '', '', ''],
          ['ratio ceiling / durable minimum', '', ratio(ceiling.rate, durable.rate), '', '', '', ''],
          ['ratio @platformatic/kafka / kafkajs (raw)', '', clients, '', '', '', ''],
        ],
      ),
      notes: [
        `Targets: router / raw >= ${ROUTING_TARGET} and router / durable minimum >= ${ROUTING_DURABLE_TARGET}; met: ${verdict(met)}.`,
        `Ceiling: the most a router could route here if it did nothing but the durable minimum's work (its machine CPU per decision: client, brokers, PostgreSQL) and what the contract adds to every decision, one verification of the proposal (${signing.verify.toFixed(1)} µs) and one signature of the answer (${signing.sign.toFixed(1)} µs, ${signing.backend}, measured in this run before the passes, the best of three rounds), on all ${cores} cores: ${Math.round(ceiling.floorMicros)} µs a decision. A target above the ceiling's ratio cannot be met on this machine by any code that keeps the contract.`,
        `Machine CPU is the busy time of all cores from /proc/stat over each pass (the other passes' processes stopped), less the machine's busy share at rest (${percent(background)}, measured over a second before the passes) over the same span; machine busy is the share of the cores before that subtraction.`,
        `The @platformatic/kafka passthrough does the raw passthrough's work on that client (chunks of up to 200 as they arrive, idempotent, acks from all, the Java partitioner, offsets committed after the acknowledgement).`,
        `All read ${PARTITIONS} partitions filled beforehand, 3 partitions at once, chunks of 200, producer idempotent with acks from all replicas; rates are outputs over the span of their timestamps (every output is a sample). The durable minimum commits one row per decision (decision id, event id, proposal as jsonb) in one transaction a chunk, then publishes an answer per decision, then commits the offsets.`,
      ],
      ratios: {
        'routing throughput router/raw': `${r.toFixed(2)} (target >= ${ROUTING_TARGET})`,
        'routing throughput router/durable minimum': `${d.toFixed(2)} (target >= ${ROUTING_DURABLE_TARGET})`,
        'routing ceiling/raw': `${ratio(ceiling.rate, raw.rate).toFixed(2)} (the most any router keeping the contract could reach here)`,
        'routing ceiling/durable minimum': `${ratio(ceiling.rate, durable.rate).toFixed(2)} (the same)`,
        'raw passthrough @platformatic/kafka/kafkajs': `${clients.toFixed(2)} (a measurement: above 1 is faster than kafkajs)`,
      },
      peakRss: [
        { process: 'router', mib: routed.peakMib },
        { process: 'raw passthrough', mib: raw.peakMib },
        { process: 'durable minimum', mib: durable.peakMib },
        { process: 'raw passthrough (@platformatic/kafka)', mib: platformatic.peakMib },
      ],
      targetMet: met,
      routerRate: routed.rate,
    };
  } finally {
    await world.tearDown();
  }
}

if (require.main === module) runStandalone(routingThroughput);
