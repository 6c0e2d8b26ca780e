// How numbers read on the screen. Pure.

/** Time left until an SLA deadline, as a person reads it: `4m 05s left`, `1h 02m left`, `overdue 3m 10s`. */
export function formatTimeLeft(seconds: number | null, paused = false): string {
  if (seconds === null) return 'no deadline';
  const s = Math.abs(Math.trunc(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const span = h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(sec).padStart(2, '0')}s`;
  const text = seconds < 0 ? `overdue ${span}` : `${span} left`;
  return paused ? `${text} (paused)` : text;
}

/** Seconds left now, from the value the API gave at `fetchedAt` (paused clocks stand still). */
export function secondsLeftAt(item: { time_left_seconds: number | null; sla_paused: boolean }, fetchedAt: number, now: number): number | null {
  if (item.time_left_seconds === null) return null;
  return item.sla_paused ? item.time_left_seconds : item.time_left_seconds - Math.floor((now - fetchedAt) / 1000);
}

/** How pressing the deadline is: drives the colour of the time left. */
export function urgencyOf(seconds: number | null): 'overdue' | 'soon' | 'ok' | 'none' {
  if (seconds === null) return 'none';
  if (seconds < 0) return 'overdue';
  return seconds < 300 ? 'soon' : 'ok';
}

export function formatAmount(amount: number | null): string {
  if (amount === null) return '—';
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(amount);
}
