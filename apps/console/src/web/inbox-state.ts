// The inbox as the console holds it: one queue at a time, sorted like the API sorts it,
// changed by the live stream, selections for batches. Pure.
import { ApprovalChange, ApprovalRoute, InboxItem, InboxQueue, Urgency } from '@hitl/reviewer-api';

const OPEN = new Set(['pending', 'clarifying']);

/** The queue an approval of `route` is in: what an agent waits on, or an action that already ran (the API's own split). */
export function queueOf(route: ApprovalRoute): InboxQueue {
  return route === 'post_review' ? 'post_review' : 'blocking';
}

const URGENCY_RANK: Record<Urgency, number> = { critical: 0, high: 1, normal: 2, low: 3 };

/**
 * The API's order for `queue`: the viewer's own first; in the blocking queue the most urgent
 * next; then deadline soonest first (none, i.e. a paused clock, last), then id. In the
 * post-review queue the deadline is the end of the review window.
 */
export function sortInbox(items: readonly InboxItem[], viewerId: string, queue: InboxQueue = 'blocking'): InboxItem[] {
  const key = (i: InboxItem) =>
    [
      i.assignee === viewerId ? 0 : 1,
      queue === 'blocking' ? URGENCY_RANK[i.urgency] : 0,
      i.sla_deadline === null ? Number.POSITIVE_INFINITY : Date.parse(i.sla_deadline),
    ] as const;
  return [...items].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return a.approval_id < b.approval_id ? -1 : a.approval_id > b.approval_id ? 1 : 0;
  });
}

export interface Notice {
  approval_id: string;
  text: string;
}

/** A status as a person reads it (`rolled_back` → `rolled back`). */
export function statusWords(status: string): string {
  return status.replace(/_/g, ' ');
}

/**
 * The shown queue after one change from the stream: an open approval of that queue is added
 * or refreshed (one of the other queue never enters it: the stream sends every change), a
 * closed one leaves. Leaving because someone else resolved it gives a notice (not when the
 * viewer decided it here: `decidedHere`).
 */
export function applyChange(
  items: readonly InboxItem[],
  change: ApprovalChange,
  viewerId: string,
  decidedHere: ReadonlySet<string>,
  queue: InboxQueue = 'blocking',
): { items: InboxItem[]; notice: Notice | null } {
  const present = items.some((i) => i.approval_id === change.approval_id);
  if (!OPEN.has(change.status)) {
    const rest = items.filter((i) => i.approval_id !== change.approval_id);
    const elsewhere = present && !decidedHere.has(change.approval_id);
    const by = change.resolved_by ? ` by ${change.resolved_by}` : '';
    return {
      items: rest,
      notice: elsewhere
        ? { approval_id: change.approval_id, text: `${change.item.summary} was ${statusWords(change.status)}${by} elsewhere; it left your inbox.` }
        : null,
    };
  }
  if (queueOf(change.item.route) !== queue) return { items: present ? items.filter((i) => i.approval_id !== change.approval_id) : [...items], notice: null };
  const next = present ? items.map((i) => (i.approval_id === change.approval_id ? change.item : i)) : [...items, change.item];
  return { items: sortInbox(next, viewerId, queue), notice: null };
}

/**
 * How long to wait before reading the queues' counts again, so that reads are at least
 * `gapMs` apart: at once after a quiet spell, else when the gap since the last read ends.
 */
export function countsReadDelay(lastReadAt: number | null, now: number, gapMs: number): number {
  if (lastReadAt === null) return 0;
  return Math.max(0, lastReadAt + gapMs - now);
}

/** Items are similar when the same agent wants the same action: they can be decided as a batch. */
export function similarKey(item: Pick<InboxItem, 'action' | 'agent'>): string {
  return JSON.stringify([item.action, item.agent.id]);
}

/** The selection with every item similar to `current` added. */
export function selectSimilar(items: readonly InboxItem[], current: InboxItem, selected: ReadonlySet<string>): Set<string> {
  const key = similarKey(current);
  const next = new Set(selected);
  for (const item of items) if (similarKey(item) === key) next.add(item.approval_id);
  return next;
}

export function toggle(selected: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(selected);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** The selected items still in the inbox, in inbox order (an item that left is dropped from the batch). */
export function selectedItems(items: readonly InboxItem[], selected: ReadonlySet<string>): InboxItem[] {
  return items.filter((i) => selected.has(i.approval_id));
}

/** Where the cursor goes after a move, kept inside the list. */
export function moveCursor(index: number, delta: number, length: number): number {
  if (length === 0) return 0;
  return Math.min(length - 1, Math.max(0, index + delta));
}
