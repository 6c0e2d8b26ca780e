// One pass of a process over a topic filled beforehand, measured the same way for every
// figure that compares a service with a baseline: its rate (outputs over the span of their
// Kafka timestamps), its own CPU and the whole machine's per message.
import { eventually, readWholeTopic } from '@hitl/testing';
import { BenchWorld, ServiceProcess, watching } from './services';
import { busyMicrosPer, busyShare, machineCpu } from './scaling';
import { ratePerSecond } from './stats';

/** Messages per second out of `topic`, from the first to the last output's timestamp. */
export async function outputRate(world: BenchWorld, topic: string): Promise<{ count: number; rate: number }> {
  const messages = await readWholeTopic(world.kafka, world.topic(topic), 300_000);
  let first = Infinity;
  let last = -Infinity;
  for (const m of messages) {
    const ts = Number(m.timestamp);
    first = Math.min(first, ts);
    last = Math.max(last, ts);
  }
  return { count: messages.length, rate: ratePerSecond(messages.length, last - first) };
}

export interface Pass {
  count: number;
  rate: number;
  /** CPU of the process per 1000 messages, ms. */
  cpuPer1000: number;
  /** Busy CPU of the whole machine (every process: brokers, PostgreSQL, this one) per 1000 messages, ms. */
  machinePer1000: number;
  /** The machine's busy share over the pass (0..1): near 1, the pass was bound by the cores. */
  busy: number;
  peakMib: number;
}

/** Lets `processor` empty its input until `expected` messages are on `topic`, stops it, and measures the pass. */
export async function pass(world: BenchWorld, processor: ServiceProcess, topic: string, expected: number, background: number): Promise<Pass> {
  const cpuBefore = processor.cpuSeconds();
  const machineBefore = machineCpu();
  await eventually(`${expected} messages on ${topic}`, async () => (await world.messagesOn(topic)) >= expected, {
    timeoutMs: 900_000,
    everyMs: 250,
    ...watching([processor]),
  });
  const cpuPer1000 = ((processor.cpuSeconds() - cpuBefore) * 1e6) / expected;
  const machineAfter = machineCpu();
  const machinePer1000 = busyMicrosPer(machineBefore, machineAfter, background, expected);
  const peakMib = processor.peakRssMib();
  await processor.stop();
  return { ...(await outputRate(world, topic)), cpuPer1000, machinePer1000, busy: busyShare(machineBefore, machineAfter), peakMib };
}

/** The raw kafkajs passthrough (bench/support/passthrough.ts): every message of `from` forwarded to `to`, nothing else. */
export function startPassthrough(
  world: BenchWorld,
  name: string,
  from: string,
  to: string,
  env: Record<string, string> = {},
  script = 'bench/support/passthrough.ts',
) {
  return world.startScript(name, script, {
    PASSTHROUGH_FROM: world.topic(from),
    PASSTHROUGH_TO: world.topic(to),
    PASSTHROUGH_GROUP: `${world.prefix}${to}`,
    ...env,
  });
}
