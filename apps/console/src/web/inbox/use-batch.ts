// Batches: similar items selected, approved with one confirmation, each result shown.
import { BatchAnswer, BatchResult, InboxItem } from '@hitl/reviewer-api';
import { Dispatch, RefObject, SetStateAction, useMemo, useState } from 'react';
import { api } from '../api';
import { selectedItems } from '../inbox-state';

export interface BatchInbox {
  token: string;
  items: InboxItem[];
  setItems: Dispatch<SetStateAction<InboxItem[]>>;
  decidedHere: RefObject<Set<string>>;
  setSending: (sending: boolean) => void;
  setError: (message: string | null) => void;
}

export function useBatch({ token, items, setItems, decidedHere, setSending, setError }: BatchInbox) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // The last batch's answer, item by item; null while the confirmation is asked.
  const [results, setResults] = useState<BatchResult[] | null>(null);
  const batch = useMemo(() => selectedItems(items, selected), [items, selected]);

  const approve = async () => {
    if (batch.length === 0) return;
    setSending(true);
    for (const i of batch) decidedHere.current.add(i.approval_id);
    try {
      const response = await api('escalation', '/approvals/batch', token, {
        method: 'POST',
        body: { items: batch.map((i) => ({ act: 'approve', approval_id: i.approval_id, payload_hash: i.payload_hash })) },
        answer: BatchAnswer,
      });
      setResults(response.results);
      const done = new Set(response.results.filter((r) => r.ok).map((r) => r.approval_id));
      for (const r of response.results) if (!r.ok) decidedHere.current.delete(r.approval_id);
      setItems((prev) => prev.filter((i) => !done.has(i.approval_id)));
      setSelected(new Set());
    } catch (e) {
      for (const i of batch) decidedHere.current.delete(i.approval_id);
      setError((e as Error).message);
    } finally {
      setSending(false);
    }
  };

  return { selected, setSelected, batch, results, setResults, approve };
}
