// The arithmetic of the figures, pure so it can be tested: percentiles by the nearest-rank
// method (a reported p99 is a latency some message really had), rates and ratios.

/** The p-th percentile (0 < p <= 100) of `sorted` (ascending), nearest rank; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be above 0 and at most 100 (got ${p})`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Count, p50/p95/p99 and max of unsorted samples (the input is left as it is). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length === 0 ? Number.NaN : values[values.length - 1],
  };
}

/** Items per second over a span in milliseconds; NaN when the span is not positive. */
export function ratePerSecond(items: number, spanMs: number): number {
  return spanMs > 0 ? (items * 1000) / spanMs : Number.NaN;
}

/** measured / baseline; NaN when the baseline is not positive. */
export function ratio(measured: number, baseline: number): number {
  return baseline > 0 ? measured / baseline : Number.NaN;
}

/** One timed message: when it was sent (ms into its run), its latency, and the legs that make it up. */
export interface TimedMessage {
  sentAt: number;
  latency: number;
  legs: readonly number[];
}

/** The slowest messages of a run: how many, each leg's median among them, and when the first and last of them were sent. */
export interface Tail {
  count: number;
  legs: number[];
  firstSentAt: number;
  lastSentAt: number;
}

/**
 * The slowest `share` (0 < share <= 1) of `messages`, at least one: where their time went
 * (the median of each leg) and whether they came together (a stall) or spread over the run.
 * Messages whose latency is not a number are left out; null when none is left.
 */
export function tailOf(messages: readonly TimedMessage[], share: number): Tail | null {
  if (!(share > 0 && share <= 1)) throw new RangeError(`share must be above 0 and at most 1 (got ${share})`);
  const timed = messages.filter((m) => Number.isFinite(m.latency)).sort((a, b) => b.latency - a.latency);
  if (timed.length === 0) return null;
  const slowest = timed.slice(0, Math.max(1, Math.ceil(timed.length * share)));
  const legCount = Math.max(...slowest.map((m) => m.legs.length));
  const sent = slowest.map((m) => m.sentAt);
  return {
    count: slowest.length,
    legs: Array.from({ length: legCount }, (_, i) => summarize(slowest.map((m) => m.legs[i] ?? Number.NaN).filter(Number.isFinite)).p50),
    firstSentAt: Math.min(...sent),
    lastSentAt: Math.max(...sent),
  };
}
