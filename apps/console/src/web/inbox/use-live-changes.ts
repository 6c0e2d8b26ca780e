// The live stream: new, reassigned and resolved-elsewhere approvals arrive without reloading.
import { ApprovalChange, InboxItem, InboxQueue } from '@hitl/reviewer-api';
import { Dispatch, RefObject, SetStateAction, useCallback, useEffect, useRef, useState } from 'react';
import { followChanges } from '../api';
import { Notice, applyChange, statusWords } from '../inbox-state';

export interface LiveInbox {
  token: string;
  viewerId: string;
  /** The queue on screen: the stream sends changes of both, only this one's enter the list. */
  queue: InboxQueue;
  /** Reads the shown queue again: after each (re)connection, for what the stream may have missed. */
  load: () => Promise<void>;
  /** Something changed in the reviewer's queues: their counts are read again. */
  countsChanged: () => void;
  setItems: Dispatch<SetStateAction<InboxItem[]>>;
  receivedAt: RefObject<Map<string, number>>;
  /** Approvals decided in this tab: their resolution is no news to the reviewer. */
  decidedHere: RefObject<Set<string>>;
  /** The approval open on screen as of the last render. */
  openRef: RefObject<string | null>;
}

export function useLiveChanges({ token, viewerId, queue, load, countsChanged, setItems, receivedAt, decidedHere, openRef }: LiveInbox) {
  const [live, setLive] = useState(false);
  const [notices, setNotices] = useState<Notice[]>([]);
  // Approval id -> how it was closed (status, and by whom) when that happened elsewhere.
  const [resolvedElsewhere, setResolvedElsewhere] = useState<Map<string, string>>(new Map());
  // The open approval, if resolved elsewhere while open: it stays on screen (marked, nothing sendable) until the reviewer moves on.
  const [pinned, setPinned] = useState<string | null>(null);
  // Bumped when the open approval changed under the reviewer (edited elsewhere): its page is read again.
  const [revision, setRevision] = useState(0);

  // Read through refs: switching queues changes what a change does, not the connection (kept open).
  const queueRef = useRef(queue);
  queueRef.current = queue;
  const loadRef = useRef(load);
  loadRef.current = load;
  const countsRef = useRef(countsChanged);
  countsRef.current = countsChanged;

  useEffect(() => {
    const abort = new AbortController();
    const onChange = (change: ApprovalChange) => {
      receivedAt.current.set(change.approval_id, Date.now());
      countsRef.current();
      const shown = queueRef.current;
      setItems((prev) => {
        const { items: next, notice } = applyChange(prev, change, viewerId, decidedHere.current, shown);
        if (notice) setNotices((n) => [...n.slice(-4), notice]);
        return next;
      });
      if (change.change === 'resolved' && !decidedHere.current.has(change.approval_id)) {
        setResolvedElsewhere((m) =>
          new Map(m).set(change.approval_id, `${statusWords(change.status)}${change.resolved_by ? ` by ${change.resolved_by}` : ''}`),
        );
        if (openRef.current === change.approval_id) setPinned(change.approval_id);
      } else if (change.change === 'edited' && openRef.current === change.approval_id) setRevision((r) => r + 1);
    };
    void followChanges(token, abort.signal, () => void loadRef.current().catch(() => undefined), onChange, setLive);
    return () => abort.abort();
  }, [token, viewerId, setItems, receivedAt, decidedHere, openRef]);

  /** An approval found closed on reading its page: nothing can be sent for it either. */
  const markClosed = useCallback((approvalId: string, how: string) => setResolvedElsewhere((m) => new Map(m).set(approvalId, how)), []);

  return { live, notices, resolvedElsewhere, markClosed, pinned, setPinned, revision };
}
