import { QueueSnapshot } from '@hitl/reviewer-api';
import { useEffect, useState } from 'react';
import { api } from './api';
import { formatTimeLeft } from './format';

/** The queues as the inbox's tabs name them. */
const QUEUE_NAMES = { blocking: 'Waiting on you', post_review: 'After the fact' } as const;

/** REFRESH_MS: how often the lead's view asks again. */
const REFRESH_MS = 5_000;

export function QueueHealth({ token }: { token: string }) {
  const [data, setData] = useState<QueueSnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    const load = () =>
      api('escalation', '/queues', token, { answer: QueueSnapshot })
        .then((d) => alive && (setData(d), setError(null)))
        .catch((e: Error) => alive && setError(e.message));
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [token]);
  return (
    <main className="page">
      <h1>Queue health</h1>
      {error && <p className="error">{error}</p>}
      {data && (
        <>
          <p className="hint">
            As of {new Date(data.as_of).toLocaleTimeString()}; refreshes every {REFRESH_MS / 1000} s.
          </p>
          {data.queues.length === 0 ? (
            <p>No open approvals in your workspaces, and no post-review ended unreviewed in the last 24 h.</p>
          ) : (
            <div className="table-wrap">
              <table className="queues" data-testid="queues">
                <thead>
                  <tr>
                    <th>Workspace</th>
                    <th>Role</th>
                    <th>Queue</th>
                    <th>Depth</th>
                    <th>Unassigned</th>
                    <th>Oldest</th>
                    <th>SLA breaches</th>
                    <th>Predicted breaches</th>
                    <th>Paused</th>
                    <th title="post-reviews whose review window closed with nobody looking, last 24 h">Unreviewed (24 h)</th>
                    <th title="post-reviews never queued, every reviewer being at capacity, last 24 h">Backed off (24 h)</th>
                  </tr>
                </thead>
                <tbody>
                  {data.queues.map((q) => (
                    <tr
                      key={`${q.workspace}/${q.role}/${q.queue}`}
                      data-testid="queue-line"
                      data-queue={q.queue}
                      className={q.sla_breaches > 0 ? 'breach' : q.predicted_breaches > 0 ? 'soon' : ''}
                    >
                      <td>{q.workspace}</td>
                      <td>{q.role}</td>
                      <td>{QUEUE_NAMES[q.queue]}</td>
                      <td data-testid="depth">{q.depth}</td>
                      <td>{q.unassigned}</td>
                      <td>{formatTimeLeft(q.oldest_age_seconds).replace(' left', '')}</td>
                      <td>{q.sla_breaches}</td>
                      <td title={`due within ${q.prediction_horizon_seconds} s`}>{q.predicted_breaches}</td>
                      <td>{q.paused}</td>
                      <td data-testid="unreviewed-24h">{q.queue === 'post_review' ? q.unreviewed_24h : '—'}</td>
                      <td data-testid="backed-off-24h">{q.queue === 'post_review' ? q.backed_off_24h : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </main>
  );
}
