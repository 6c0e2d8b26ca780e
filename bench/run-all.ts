// `npm run bench [-- --size tiny|small|full]`: every figure in turn, each printed (and, except
// at tiny size, appended to docs/benchmarks.md), then figure 6 (peak RSS during 1-3) and
// every ratio. Exits 1 when a figure could not complete (a missed target is reported, not
// a failure: the figures are measurements).
// `npm run bench -- --scale [--size ...]`: instead of the figures, figure 10 (bench/scale-out.ts),
// which starts and stops a three-broker cluster of its own.
import { auditIngestion } from './audit-ingestion';
import { autoApproveLatency } from './auto-approve-latency';
import { calibrationScale } from './calibration-scale';
import { gatewayLatency } from './gateway-latency';
import { kafkaClients } from './kafka-clients';
import { queueHealth } from './queue-health';
import { routingThroughput } from './routing-throughput';
import { scaleOut } from './scale-out';
import { signatureCost } from './signature-cost';
import { slaTimers } from './sla-timers';
import { FigureResult, PeakRss, verdict } from './support/figure';
import { publish } from './support/report';
import { checkBuild } from './support/services';
import { Size, sizeFrom } from './support/size';
import { formatTable } from './support/table';

async function main(): Promise<number> {
  checkBuild();
  const size: Size = sizeFrom(process.argv, process.env);
  if (process.argv.includes('--scale')) return scaleOnly(size);
  const started = Date.now();
  const results: ({ name: string; result: FigureResult } | { name: string; error: Error })[] = [];
  const attempt = async (name: string, run: () => Promise<FigureResult>): Promise<FigureResult | undefined> => {
    console.log(`\n== ${name} (${size}) ==`);
    try {
      const result = await run();
      await publish(result, size);
      results.push({ name, result });
      return result;
    } catch (error) {
      console.error(`${name} failed: ${(error as Error).stack ?? error}`);
      results.push({ name, error: error as Error });
      return undefined;
    }
  };

  const routing = await attempt('routing throughput', () => routingThroughput(size));
  const latency = await attempt('auto-approve latency', () =>
    autoApproveLatency(size, { sustainableRate: (routing as { routerRate?: number } | undefined)?.routerRate }),
  );
  const audit = await attempt('audit ingestion', () => auditIngestion(size));
  await attempt('SLA timers', () => slaTimers(size));
  await attempt('queue health', () => queueHealth(size));
  await attempt('calibration', () => calibrationScale(size));
  await attempt('signature cost', () => signatureCost(size));
  await attempt('gateway latency', () => gatewayLatency(size));
  await attempt('Kafka clients', () => kafkaClients(size));

  const peaks: (PeakRss & { figure: string })[] = [
    ...(routing?.peakRss.map((p) => ({ ...p, figure: '1 routing throughput' })) ?? []),
    ...(latency?.peakRss.map((p) => ({ ...p, figure: '2 auto-approve latency' })) ?? []),
    ...(audit?.peakRss.map((p) => ({ ...p, figure: '3 audit ingestion' })) ?? []),
  ];
  if (peaks.length > 0) {
    await publish(
      {
        title: 'Figure 6: peak RSS of each service during figures 1-3',
        table: formatTable(
          ['figure', 'process', 'peak RSS (MiB)'],
          peaks.map((p) => [p.figure, p.process, Math.round(p.mib)]),
        ),
        notes: [
          'VmHWM of /proc/<pid>/status just before each process stops: the most it ever held resident. Node heaps grow until they are collected, so this bounds, not measures, what a service needs.',
        ],
        ratios: {},
      },
      size,
    );
  }

  console.log(`\n== ratios and targets (${size}, ${((Date.now() - started) / 60_000).toFixed(1)} min) ==`);
  for (const outcome of results) {
    if ('error' in outcome) {
      console.log(`${outcome.name}: FAILED (${outcome.error.message.split('\n')[0]})`);
      continue;
    }
    const { ratios, targetMet, title } = outcome.result;
    for (const [what, value] of Object.entries(ratios)) console.log(`${what}: ${value}`);
    // Once a figure: some of its lines are measurements with no target of their own.
    if (targetMet !== null) console.log(`${title}: target met: ${verdict(targetMet)}`);
  }
  return results.some((r) => 'error' in r) ? 1 : 0;
}

/** Figure 10 alone: it needs its own cluster, so it does not run with the others. Exits 1 when `hitl check` failed after a step. */
async function scaleOnly(size: Size): Promise<number> {
  const started = Date.now();
  console.log(`\n== scale-out (${size}) ==`);
  const result = await scaleOut(size);
  await publish(result, size);
  console.log(`\n== ratios and targets (${size}, ${((Date.now() - started) / 60_000).toFixed(1)} min) ==`);
  for (const [what, value] of Object.entries(result.ratios)) console.log(`${what}: ${value}`);
  console.log(`target met: ${verdict(result.targetMet ?? false)}`);
  // A missed target is a measurement; a failed `hitl check` is not.
  return result.steps.every((s) => s.check === 'pass') ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`bench failed: ${error.message}`);
    process.exit(1);
  },
);
