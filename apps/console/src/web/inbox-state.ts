// The inbox as the console holds it: sorted like the API sorts, changed by the live
// stream, selections for batches. Pure.
import { ApprovalChange, InboxItem } from '@hitl/reviewer-api';

const OPEN = new Set(['pending', 'clarifying']);

/** The API's order: the viewer's own first, then SLA deadline soonest first (none last), then id. */
export function sortInbox(items: readonly InboxItem[], viewerId: string): InboxItem[] {
  const key = (i: InboxItem) => [i.assignee === viewerId ? 0 : 1, i.sla_deadline === null ? Number.POSITIVE_INFINITY : Date.parse(i.sla_deadline)] as const;
  return [...items].sort((a, b) => {
    const [ga, da] = key(a);
    const [gb, db] = key(b);
    if (ga !== gb) return ga - gb;
    if (da !== db) return da < db ? -1 : 1;
    return a.approval_id < b.approval_id ? -1 : a.approval_id > b.approval_id ? 1 : 0;
  });
}

export interface Notice {
  approval_id: string;
  text: string;
}

/**
 * The inbox after one change from the stream: an open approval is added or refreshed, a
 * closed one leaves. Leaving because someone else resolved it gives a notice (not when the
 * viewer decided it here: `decidedHere`).
 */
export function applyChange(
  items: readonly InboxItem[],
  change: ApprovalChange,
  viewerId: string,
  decidedHere: ReadonlySet<string>,
): { items: InboxItem[]; notice: Notice | null } {
  const present = items.some((i) => i.approval_id === change.approval_id);
  if (!OPEN.has(change.status)) {
    const rest = items.filter((i) => i.approval_id !== change.approval_id);
    const elsewhere = present && !decidedHere.has(change.approval_id);
    const by = change.resolved_by ? ` by ${change.resolved_by}` : '';
    return {
      items: rest,
      notice: elsewhere ? { approval_id: change.approval_id, text: `${change.item.summary} was ${change.status}${by} elsewhere; it left your inbox.` } : null,
    };
  }
  const next = present ? items.map((i) => (i.approval_id === change.approval_id ? change.item : i)) : [...items, change.item];
  return { items: sortInbox(next, viewerId), notice: null };
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
