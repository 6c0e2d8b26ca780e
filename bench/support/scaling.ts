// The arithmetic of the scale-out figure (10), pure so it can be tested: CPU time out of
// /proc, and what N replicas would do given the partitions they share.
import { readFileSync } from 'node:fs';

/** USER_HZ of /proc: 100 on Linux. */
const TICKS_PER_SECOND = 100;

/** utime + stime of a /proc/<pid>/stat line, in seconds (the command may hold spaces and parentheses). */
export function statCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  return (utime + stime) / TICKS_PER_SECOND;
}

/** All cores' time from the "cpu" line of /proc/stat, in seconds: busy (not idle, not waiting for I/O) and total. */
export interface MachineCpu {
  busy: number;
  total: number;
}

export function machineCpuOf(procStat: string): MachineCpu {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no "cpu" line in /proc/stat');
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = ticks[3] + (ticks[4] ?? 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/** CPU seconds a process has used so far; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
}

export function machineCpu(): MachineCpu {
  return machineCpuOf(readFileSync('/proc/stat', 'utf8'));
}

/** The busy share of all cores between two readings of /proc/stat (0..1). */
export function busyShare(before: MachineCpu, after: MachineCpu): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : Number.NaN;
}

/**
 * Busy CPU of the whole machine per message between two readings, µs: less what it does at
 * rest (`resting`, a busy share) over the same span, so the brokers' housekeeping and a
 * polling harness are not charged to the messages.
 */
export function busyMicrosPer(before: MachineCpu, after: MachineCpu, resting: number, messages: number): number {
  const busy = after.busy - before.busy - resting * (after.total - before.total);
  return (Math.max(0, busy) * 1e6) / messages;
}

/** The machine's busy share over `ms` with nothing of a figure running. */
export async function restingShare(ms = 1_000): Promise<number> {
  const before = machineCpu();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return busyShare(before, machineCpu());
}

/** The most partitions one of `replicas` consumers of a group holds (Kafka spreads them as evenly as it can). */
export function busiestShare(partitions: number, replicas: number): number {
  if (!(partitions >= 1 && replicas >= 1)) throw new RangeError(`partitions and replicas must be at least 1 (got ${partitions}, ${replicas})`);
  return Math.ceil(partitions / replicas);
}

/**
 * What `replicas` replicas would route, each on a core of its own, when one alone does
 * `perReplicaRate` over `partitions` partitions: every replica works at that rate, and the
 * run lasts as long as the replica holding the most partitions takes over its share. Past
 * one replica a partition, the rest stand idle. Shared bounds (the database, the brokers)
 * are not in it: `ceiling` caps it when one is known.
 */
export function projectedRate(perReplicaRate: number, partitions: number, replicas: number, ceiling = Infinity): number {
  return Math.min(ceiling, (perReplicaRate * partitions) / busiestShare(partitions, replicas));
}
