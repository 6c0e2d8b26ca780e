import { BatchResult, InboxItem, InboxQueue } from '@hitl/reviewer-api';

/** Approving the selection (confirming it, for actions that already ran): one confirmation for every item, then each item's result. */
export function BatchDialog({
  queue,
  batch,
  results,
  sending,
  onConfirm,
  onCancel,
  onClose,
}: {
  queue: InboxQueue;
  batch: InboxItem[];
  results: BatchResult[] | null;
  sending: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  onClose: () => void;
}) {
  const [verb, done] = queue === 'post_review' ? ['Confirm', 'confirmed'] : ['Approve', 'approved'];
  return (
    <div className="dialog" role="dialog" aria-modal="true" aria-label={`${verb} the selection`}>
      {results === null ? (
        <>
          <h2>
            {verb} {batch.length} similar item{batch.length === 1 ? '' : 's'}?
          </h2>
          <ul className="batch-list">
            {batch.map((i) => (
              <li key={i.approval_id}>{i.summary}</li>
            ))}
          </ul>
          <button type="button" className="approve" autoFocus disabled={sending} onClick={onConfirm} data-testid="batch-confirm">
            {verb} all {batch.length} (Enter)
          </button>
          <button type="button" onClick={onCancel}>
            Cancel (Esc)
          </button>
        </>
      ) : (
        <>
          <h2 data-testid="batch-summary">
            {results.filter((r) => r.ok).length} of {results.length} {done}
          </h2>
          <ul className="batch-results" data-testid="batch-results">
            {results.map((r) => (
              <li key={r.approval_id} className={r.ok ? 'ok' : 'failed'} data-testid="batch-result">
                {r.approval_id.slice(0, 8)}: {r.ok ? r.result.status : `${r.error.code}: ${r.error.message}`}
              </li>
            ))}
          </ul>
          <button type="button" autoFocus onClick={onClose}>
            Close (Esc)
          </button>
        </>
      )}
    </div>
  );
}
