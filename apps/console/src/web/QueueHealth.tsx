import { QueueSnapshot } from '@hitl/reviewer-api';
import { useEffect, useState } from 'react';
import { api } from './api';
import { formatTimeLeft } from './format';

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
            <p>No open approvals in your workspaces.</p>
          ) : (
            <div className="table-wrap">
              <table className="queues" data-testid="queues">
                <thead>
                  <tr>
                    <th>Workspace</th>
                    <th>Role</th>
                    <th>Depth</th>
                    <th>Unassigned</th>
                    <th>Oldest</th>
                    <th>SLA breaches</th>
                    <th>Predicted breaches</th>
                    <th>Paused</th>
                  </tr>
                </thead>
                <tbody>
                  {data.queues.map((q) => (
                    <tr key={`${q.workspace}/${q.role}`} className={q.sla_breaches > 0 ? 'breach' : q.predicted_breaches > 0 ? 'soon' : ''}>
                      <td>{q.workspace}</td>
                      <td>{q.role}</td>
                      <td>{q.depth}</td>
                      <td>{q.unassigned}</td>
                      <td>{formatTimeLeft(q.oldest_age_seconds).replace(' left', '')}</td>
                      <td>{q.sla_breaches}</td>
                      <td title={`due within ${q.prediction_horizon_seconds} s`}>{q.predicted_breaches}</td>
                      <td>{q.paused}</td>
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
