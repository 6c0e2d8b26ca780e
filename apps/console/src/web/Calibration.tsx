import { FormEvent, useEffect, useState } from 'react';
import { ApiError, api, imageUrl } from './api';
import { AUDITOR_TOKEN_KEY, cleanToken } from './session';

interface Report {
  id: string;
  generated_at: string;
  workspace: string | null;
  window: { days: number };
  labeled_outcomes: number;
  findings: { action: string; agent_id: string | null; message?: string; text?: string }[];
  reports: { action: string; agent_id: string | null; n: number; accuracy: number; wilson_lower: number; ece: number; brier: number }[];
  links: { diagrams: Record<string, string> };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The latest calibration report: auditors read it, so this view asks for an auditor's token. */
export function Calibration() {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(AUDITOR_TOKEN_KEY));
  const [text, setText] = useState('');
  const [report, setReport] = useState<Report | null>(null);
  const [diagrams, setDiagrams] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!token) return;
    let alive = true;
    api<Report>('calibrator', '/reports/latest', token)
      .then(async (r) => {
        if (!alive) return;
        setReport(r);
        const urls = await Promise.all(
          Object.entries(r.links.diagrams).map(async ([action, path]) => [action, await imageUrl('calibrator', path, token)] as const),
        );
        if (alive) setDiagrams(Object.fromEntries(urls));
      })
      .catch((e: unknown) => {
        if (!alive) return;
        if (e instanceof ApiError && e.status === 401) {
          sessionStorage.removeItem(AUDITOR_TOKEN_KEY);
          setToken(null);
          setError('That token is not an auditor’s token.');
        } else setError(e instanceof ApiError && e.status === 404 ? 'No calibration report yet.' : (e as Error).message);
      });
    return () => {
      alive = false;
    };
  }, [token]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = cleanToken(text);
    if (!t) return;
    sessionStorage.setItem(AUDITOR_TOKEN_KEY, t);
    setError(null);
    setToken(t);
  };

  if (!token) {
    return (
      <main className="page">
        <h1>Calibration</h1>
        <form className="auditor" onSubmit={submit}>
          <label htmlFor="auditor-token">Calibration reports are for auditors: an auditor’s token</label>
          <input id="auditor-token" type="password" autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit" disabled={cleanToken(text) === null}>
            Read the latest report
          </button>
        </form>
        {error && <p className="error">{error}</p>}
      </main>
    );
  }
  return (
    <main className="page">
      <h1>Calibration</h1>
      {error && <p className="error">{error}</p>}
      {report && (
        <section data-testid="report">
          <p>
            Report of {new Date(report.generated_at).toLocaleString()} over {report.window.days} days ({report.workspace ?? 'every workspace'}):{' '}
            {report.labeled_outcomes} labeled outcomes.
          </p>
          {report.reports.length === 0 && <p>No labeled outcomes in this window yet: nothing to judge.</p>}
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Action</th>
                  <th>Agent</th>
                  <th>Outcomes</th>
                  <th>Accuracy</th>
                  <th>Wilson lower</th>
                  <th>ECE</th>
                  <th>Brier</th>
                </tr>
              </thead>
              <tbody>
                {report.reports.map((r) => (
                  <tr key={`${r.action}/${r.agent_id ?? '*'}`}>
                    <td>{r.action}</td>
                    <td>{r.agent_id ?? 'all agents'}</td>
                    <td>{r.n}</td>
                    <td>{pct(r.accuracy)}</td>
                    <td>{pct(r.wilson_lower)}</td>
                    <td>{r.ece.toFixed(3)}</td>
                    <td>{r.brier.toFixed(3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {report.findings.length > 0 && (
            <ul>
              {report.findings.map((f, i) => (
                <li key={i}>
                  {f.action}: {f.message ?? f.text ?? JSON.stringify(f)}
                </li>
              ))}
            </ul>
          )}
          <div className="diagrams">
            {Object.entries(diagrams).map(([action, url]) => (
              <figure key={action}>
                <img src={url} alt={`Reliability diagram of ${action}: stated confidence against actual accuracy`} />
                <figcaption>{action}</figcaption>
              </figure>
            ))}
          </div>
        </section>
      )}
      <button type="button" onClick={() => (sessionStorage.removeItem(AUDITOR_TOKEN_KEY), setToken(null), setReport(null))}>
        Use another auditor token
      </button>
    </main>
  );
}
