// The list: one queue of the reviewer's open approvals as the API orders it, the cursor over
// it, and both queues' counts.
import { InboxItem, InboxPage, InboxQueue } from '@hitl/reviewer-api';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { countsReadDelay, moveCursor, sortInbox } from '../inbox-state';

export type QueueCounts = InboxPage['counts'];

/**
 * The least time between two reads of the counts. The stream carries single approvals, not
 * queue sizes: counting its changes here would drift (the list holds at most 200 of a queue,
 * and an approval can leave the reviewer's sight in ways a line does not tell), so the counts
 * are the API's, read again after changes. At most one read a second, always one after the
 * last change of a burst: 150 post-reviews arriving at once cost a few reads, and the count
 * shown is the API's once the burst ends.
 */
const COUNTS_GAP_MS = 1_000;

export function useInboxItems(token: string, viewerId: string, queue: InboxQueue, onError: (message: string) => void) {
  const [items, setItems] = useState<InboxItem[]>([]);
  const [counts, setCounts] = useState<QueueCounts | null>(null);
  const [cursor, setCursor] = useState(0);
  // When each line's time left was read from the API: the countdown ticks from there.
  const receivedAt = useRef(new Map<string, number>());
  // The last read asked for: an answer to an earlier one (another queue's, say) is dropped.
  const latest = useRef(0);

  /** Reads the shown queue again (at start, on switching queues, after every (re)connection of the live stream). */
  const load = useCallback(async () => {
    const asked = ++latest.current;
    const page = await api('escalation', `/approvals?queue=${queue}&limit=200`, token, { answer: InboxPage });
    if (asked !== latest.current) return;
    const at = Date.now();
    for (const item of page.items) receivedAt.current.set(item.approval_id, at);
    setItems(sortInbox(page.items, viewerId, queue));
    setCounts(page.counts);
  }, [token, viewerId, queue]);

  useEffect(() => {
    setCursor(0);
    load().catch((e: Error) => onError(e.message));
  }, [load, onError]);

  useEffect(() => {
    setCursor((c) => moveCursor(c, 0, items.length));
  }, [items.length]);

  const lastCountsRead = useRef<number | null>(null);
  const countsTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** Something changed in the reviewer's queues: their counts are read again, throttled (see COUNTS_GAP_MS). */
  const countsChanged = useCallback(() => {
    if (countsTimer.current !== null) return; // a read is due already, and will see this change
    countsTimer.current = setTimeout(
      () => {
        countsTimer.current = null;
        lastCountsRead.current = Date.now();
        api('escalation', '/approvals?limit=1', token, { answer: InboxPage })
          .then((page) => setCounts(page.counts))
          .catch(() => undefined); // the next change or (re)connection reads them again
      },
      countsReadDelay(lastCountsRead.current, Date.now(), COUNTS_GAP_MS),
    );
  }, [token]);
  useEffect(
    () => () => {
      if (countsTimer.current !== null) clearTimeout(countsTimer.current);
      countsTimer.current = null;
    },
    [token],
  );

  return { items, setItems, counts, countsChanged, cursor, setCursor, receivedAt, load };
}
