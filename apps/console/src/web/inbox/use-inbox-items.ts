// The list: the reviewer's open approvals as the API orders them, and the cursor over them.
import { InboxItem, InboxPage } from '@hitl/reviewer-api';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { moveCursor, sortInbox } from '../inbox-state';

export function useInboxItems(token: string, viewerId: string, onError: (message: string) => void) {
  const [items, setItems] = useState<InboxItem[]>([]);
  const [cursor, setCursor] = useState(0);
  // When each line's time left was read from the API: the countdown ticks from there.
  const receivedAt = useRef(new Map<string, number>());

  /** Reads the inbox again (at start, and after every (re)connection of the live stream). */
  const load = useCallback(async () => {
    const page = await api('escalation', '/approvals?limit=200', token, { answer: InboxPage });
    const at = Date.now();
    for (const item of page.items) receivedAt.current.set(item.approval_id, at);
    setItems(sortInbox(page.items, viewerId));
  }, [token, viewerId]);

  useEffect(() => {
    load().catch((e: Error) => onError(e.message));
  }, [load, onError]);

  useEffect(() => {
    setCursor((c) => moveCursor(c, 0, items.length));
  }, [items.length]);

  return { items, setItems, cursor, setCursor, receivedAt, load };
}
