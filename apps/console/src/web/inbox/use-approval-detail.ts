// The open approval's whole page, read again when it changes under the reviewer (`revision`).
import { ApprovalDetail } from '@hitl/reviewer-api';
import { useEffect, useState } from 'react';
import { ApiError, api } from '../api';

export function useApprovalDetail(openId: string | null, token: string, revision: number, markClosed: (approvalId: string, how: string) => void) {
  const [detail, setDetail] = useState<ApprovalDetail | null>(null);
  // When the page was read: its countdown ticks from there.
  const [detailAt, setDetailAt] = useState(Date.now());
  // Why the API would not show it (another workspace's or role's approval, or none).
  const [refusal, setRefusal] = useState<string | null>(null);

  useEffect(() => {
    setDetail(null);
    setRefusal(null);
    if (!openId) return;
    let alive = true;
    api('escalation', `/approvals/${openId}`, token, { answer: ApprovalDetail })
      .then((d) => {
        if (!alive) return;
        setDetail(d);
        setDetailAt(Date.now());
        if (d.status !== 'pending' && d.status !== 'clarifying') markClosed(d.approval_id, d.status);
      })
      .catch((e: unknown) => alive && setRefusal(e instanceof ApiError ? `${e.code}: ${e.message}` : (e as Error).message));
    return () => {
      alive = false;
    };
  }, [openId, token, revision, markClosed]);

  return { detail, detailAt, refusal };
}
