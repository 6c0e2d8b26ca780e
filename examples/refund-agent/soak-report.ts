// The soak's figures as data: samples taken every few seconds (the agent's progress, the
// escalation's queues, each service's resident memory) folded into one row per minute, and
// the rules of its verdict. Pure: scripts/soak.ts takes the samples, prints and exits.

/** A line of GET /queues, as far as the soak reads it. */
export interface QueueLine {
  workspace: string;
  role: string;
  /** `blocking` (what agents wait on) or `post_review` (the action already ran). */
  queue?: string;
  depth: number;
  unreviewed_24h?: number;
  backed_off_24h?: number;
}

/** Open approvals by queue, summed over workspaces and roles. */
export interface Backlog {
  blocking: number;
  postReview: number;
  /** Post-reviews that ended unreviewed (their window closed) in the last 24 h. */
  unreviewed24h: number;
  /** Post-reviews not queued in the last 24 h because reviewers were at capacity (sampling backed off). */
  backedOff24h: number;
}

/** The queues' lines summed by queue; a line without `queue` (an escalation service from before the split) counts as blocking, as its depth mixes both. */
export function backlogOf(lines: readonly QueueLine[]): Backlog {
  const backlog: Backlog = { blocking: 0, postReview: 0, unreviewed24h: 0, backedOff24h: 0 };
  for (const line of lines) {
    if (line.queue === 'post_review') backlog.postReview += line.depth;
    else backlog.blocking += line.depth;
    backlog.unreviewed24h += line.unreviewed_24h ?? 0;
    backlog.backedOff24h += line.backed_off_24h ?? 0;
  }
  return backlog;
}

/** One look at the run, every few seconds. */
export interface SoakSample {
  /** Milliseconds since the run started. */
  atMs: number;
  proposed: number;
  resolved: number;
  /** Decisions the agent still waits on (proposed, neither resolved nor failed). */
  waiting: number;
  /** Null when GET /queues did not answer. */
  backlog: Backlog | null;
  /** Resident memory (VmRSS) of each service, in MiB. */
  rssMib: Record<string, number>;
}

export interface MinuteRow {
  /** 1 for the run's first minute. */
  minute: number;
  /** When the minute's last sample was taken (ms since the start): a last minute may be partial. */
  endMs: number;
  proposed: number;
  resolved: number;
  proposedTotal: number;
  resolvedTotal: number;
  /** The backlog at the minute's end (its last answer from GET /queues); null when none answered. */
  blocking: number | null;
  /** The most blocking approvals open at any sample of the minute. */
  blockingPeak: number | null;
  postReview: number | null;
  agentWaits: number;
  /** Each service's peak RSS over the minute's samples, in MiB (a peak rides over the garbage collector's saw-tooth). */
  rssMib: Record<string, number>;
}

const MINUTE_MS = 60_000;

/** The minute (from 1) a moment of the run falls in. */
export function minuteOf(atMs: number): number {
  return Math.floor(atMs / MINUTE_MS) + 1;
}

/** One row per minute that has samples, in order; counts of a minute are against the end of the minute before. */
export function minuteRows(samples: readonly SoakSample[]): MinuteRow[] {
  const rows: MinuteRow[] = [];
  let before = { proposed: 0, resolved: 0 };
  let i = 0;
  while (i < samples.length) {
    const minute = minuteOf(samples[i].atMs);
    const inMinute: SoakSample[] = [];
    while (i < samples.length && minuteOf(samples[i].atMs) === minute) inMinute.push(samples[i++]);
    const last = inMinute[inMinute.length - 1];
    const answered = inMinute.filter((s) => s.backlog !== null);
    const backlog = answered.length > 0 ? answered[answered.length - 1].backlog : null;
    const rssMib: Record<string, number> = {};
    for (const sample of inMinute)
      for (const [service, mib] of Object.entries(sample.rssMib)) if (Number.isFinite(mib)) rssMib[service] = Math.max(rssMib[service] ?? 0, mib);
    rows.push({
      minute,
      endMs: last.atMs,
      proposed: last.proposed - before.proposed,
      resolved: last.resolved - before.resolved,
      proposedTotal: last.proposed,
      resolvedTotal: last.resolved,
      blocking: backlog?.blocking ?? null,
      blockingPeak: answered.length > 0 ? Math.max(...answered.map((a) => a.backlog?.blocking ?? 0)) : null,
      postReview: backlog?.postReview ?? null,
      agentWaits: last.waiting,
      rssMib,
    });
    before = { proposed: last.proposed, resolved: last.resolved };
  }
  return rows;
}

/** The blocking backlog must be back to zero within this long of the last proposal. */
export const DRAIN_LIMIT_SECONDS = 60;

/**
 * When the blocking backlog was back to zero after the last proposal: the first sample from
 * then on at which the agent waits on nothing and the blocking queues hold no more than
 * before the run (items of earlier runs in the same database are not this run's); null
 * while it is not.
 */
export function drainedAtMs(samples: readonly SoakSample[], lastProposedMs: number | null, baselineBlocking: number): number | null {
  if (lastProposedMs === null) return null;
  const drained = samples.find((s) => s.atMs >= lastProposedMs && s.waiting === 0 && s.backlog !== null && s.backlog.blocking <= baselineBlocking);
  return drained?.atMs ?? null;
}

/** Memory growth, judged on each service's peak RSS per minute. */
export const MEMORY_RULE = { warmupMinutes: 1, minMinutes: 3, toleranceMib: 16, toleranceShare: 0.05 } as const;

export const MEMORY_RULE_TEXT =
  `the first ${MEMORY_RULE.warmupMinutes} minute is warm-up; of the minutes after it, the later half's peak RSS must not exceed the earlier half's peak ` +
  `by more than ${MEMORY_RULE.toleranceMib} MiB or ${MEMORY_RULE.toleranceShare * 100}%, whichever is more; ` +
  `a run of fewer than ${MEMORY_RULE.minMinutes} minutes is not judged`;

export interface MemoryVerdict {
  service: string;
  perMinute: number[];
  judged: boolean;
  earlyPeak: number | null;
  latePeak: number | null;
  /** The most the later half may reach. */
  allowedMib: number | null;
  grew: boolean;
}

/** Whether one service's memory grew from minute to minute, by MEMORY_RULE. */
export function memoryVerdict(service: string, perMinute: readonly number[]): MemoryVerdict {
  const judgedMinutes = perMinute.slice(MEMORY_RULE.warmupMinutes);
  if (perMinute.length < MEMORY_RULE.minMinutes || judgedMinutes.length < 2)
    return { service, perMinute: [...perMinute], judged: false, earlyPeak: null, latePeak: null, allowedMib: null, grew: false };
  const late = judgedMinutes.slice(judgedMinutes.length - Math.floor(judgedMinutes.length / 2));
  const early = judgedMinutes.slice(0, judgedMinutes.length - late.length);
  const earlyPeak = Math.max(...early);
  const latePeak = Math.max(...late);
  const allowedMib = earlyPeak + Math.max(MEMORY_RULE.toleranceMib, earlyPeak * MEMORY_RULE.toleranceShare);
  return { service, perMinute: [...perMinute], judged: true, earlyPeak, latePeak, allowedMib, grew: latePeak > allowedMib };
}

/** The most resident memory a service may reach during the soak (the escalation holds every reviewer queue). */
export const MEMORY_CEILINGS_MIB: Readonly<Record<string, number>> = { escalation: 256 };

export interface CeilingVerdict {
  service: string;
  limitMib: number;
  /** The most it held in any minute; null when never sampled. */
  peakMib: number | null;
  ok: boolean;
}

export interface SoakVerdict {
  ceilings: CeilingVerdict[];
  drain: { lastProposedMs: number | null; drainedAtMs: number | null; seconds: number | null; limitSeconds: number; ok: boolean };
  resolved: { decisions: number; records: number; failures: number; ok: boolean };
  memory: MemoryVerdict[];
  memoryOk: boolean;
  ok: boolean;
}

export interface VerdictInput {
  decisions: number;
  /** Resolutions the agent received. */
  records: number;
  failures: number;
  samples: readonly SoakSample[];
  lastProposedMs: number | null;
  baselineBlocking: number;
  services: readonly string[];
}

/** The soak passes when the blocking backlog drained in time, every decision resolved, and no service's memory grew. */
export function soakVerdict(input: VerdictInput): SoakVerdict {
  const drainedAt = drainedAtMs(input.samples, input.lastProposedMs, input.baselineBlocking);
  const seconds = drainedAt === null || input.lastProposedMs === null ? null : Math.round((drainedAt - input.lastProposedMs) / 100) / 10;
  const drain = {
    lastProposedMs: input.lastProposedMs,
    drainedAtMs: drainedAt,
    seconds,
    limitSeconds: DRAIN_LIMIT_SECONDS,
    ok: seconds !== null && seconds <= DRAIN_LIMIT_SECONDS,
  };
  const resolved = {
    decisions: input.decisions,
    records: input.records,
    failures: input.failures,
    ok: input.records === input.decisions && input.failures === 0,
  };
  const rows = minuteRows(input.samples);
  const memory = input.services.map((service) =>
    memoryVerdict(
      service,
      rows.map((r) => r.rssMib[service]).filter((mib) => mib !== undefined),
    ),
  );
  const memoryOk = memory.every((m) => !m.grew);
  const ceilings = input.services
    .filter((service) => MEMORY_CEILINGS_MIB[service] !== undefined)
    .map((service) => {
      const perMinute = memory.find((m) => m.service === service)?.perMinute ?? [];
      const peakMib = perMinute.length === 0 ? null : Math.max(...perMinute);
      const limitMib = MEMORY_CEILINGS_MIB[service];
      return { service, limitMib, peakMib, ok: peakMib !== null && peakMib < limitMib };
    });
  return { drain, resolved, memory, memoryOk, ceilings, ok: drain.ok && resolved.ok && memoryOk && ceilings.every((c) => c.ok) };
}

const num = (n: number | null, width: number) => (n === null ? '-' : String(n)).padStart(width);
const mib = (n: number | undefined, width: number) => (n === undefined ? '-' : n.toFixed(0)).padStart(width);

/** The per-minute table's heading, its columns as wide as formatRow's. */
export function formatHeader(services: readonly string[]): string {
  const columns: [string, number][] = [
    ['proposed', 8],
    ['resolved', 10],
    ['totals p/r', 13],
    ['blocking', 12],
    ['peak', 7],
    ['post_review', 13],
    ['agent waits', 13],
  ];
  return (
    ' min ' +
    columns.map(([name, width]) => name.padStart(width)).join('') +
    ' |' +
    services.map((s) => s.padStart(Math.max(s.length, 6) + 2)).join('') +
    '  (RSS MiB, peak of the minute)'
  );
}

/** One minute of the table; `partial` marks a last minute that did not run its 60 s. */
export function formatRow(row: MinuteRow, services: readonly string[], partial = false): string {
  const totals = `${row.proposedTotal}/${row.resolvedTotal}`;
  return (
    `${num(row.minute, 4)}${partial ? '*' : ' '}${num(row.proposed, 8)}${num(row.resolved, 10)}${totals.padStart(13)}` +
    `${num(row.blocking, 12)}${num(row.blockingPeak, 7)}${num(row.postReview, 13)}${num(row.agentWaits, 13)} |` +
    services.map((s) => mib(row.rssMib[s], Math.max(s.length, 6) + 2)).join('')
  );
}

/** The verdict, one line each, as the soak prints it. */
export function formatVerdict(verdict: SoakVerdict): string[] {
  const mark = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const { drain, resolved } = verdict;
  const lines = [
    `${mark(drain.ok)}  blocking backlog back to zero ${
      drain.seconds === null
        ? drain.lastProposedMs === null
          ? '(the last proposal never went out)'
          : 'never, within the time the soak waited'
        : `${drain.seconds} s after the last proposal`
    } (limit ${drain.limitSeconds} s)`,
    `${mark(resolved.ok)}  every decision resolved: ${resolved.records} resolutions for ${resolved.decisions} decisions${resolved.failures > 0 ? `, ${resolved.failures} failed` : ''}`,
    `${mark(verdict.memoryOk)}  no service's memory grew (rule: ${MEMORY_RULE_TEXT})`,
  ];
  for (const c of verdict.ceilings)
    lines.push(
      `${mark(c.ok)}  ${c.service} stayed under ${c.limitMib} MiB resident: ${c.peakMib === null ? 'never sampled' : `peak ${c.peakMib.toFixed(0)} MiB`}`,
    );
  for (const m of verdict.memory) {
    const series = m.perMinute.map((v) => v.toFixed(0)).join(' ');
    lines.push(
      `        ${m.service.padEnd(10)} ${series} MiB: ${
        m.judged
          ? `earlier peak ${m.earlyPeak?.toFixed(0)}, later peak ${m.latePeak?.toFixed(0)}, allowed ${m.allowedMib?.toFixed(0)}: ${m.grew ? 'GREW' : 'steady'}`
          : 'not judged (too few minutes)'
      }`,
    );
  }
  return lines;
}
