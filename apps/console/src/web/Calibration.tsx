import { FormEvent, useEffect, useState } from 'react';
import { ApiError, api, imageUrl } from './api';
import { AUDITOR_TOKEN_KEY, cleanToken } from './session';

/** What reviewers changed of an action's parameters (the report's edit analysis). */
interface EditAnalysis {
  reviews: number;
  approved: number;
  edited: number;
  fields: { field: string; text: string }[];
  suggested_rules: { rule: Record<string, unknown>; text: string }[];
}

interface ActionReport {
  action: string;
  agent_id: string | null;
  n: number;
  accuracy: number;
  wilson_lower: number;
  ece: number;
  brier: number;
  intervention: { approved_unchanged: number; edited: number; denied: number; confirmed: number; rolled_back: number; rate: number } | null;
  suggested_auto_approve_confidence: number | 'never' | null;
  lowering: { from: number; to: number; reason: string } | null;
  widening?: { from: number; to: number; reason: string } | null;
  promotion: { from_mode: string; to_mode: string; reason: string } | null;
  promotion_check?: { from_mode: string; to_mode: string | null; met: string[]; held_back: string[] } | null;
  demotion: { reason: string } | null;
  edits?: EditAnalysis | null;
}

interface Report {
  id: string;
  generated_at: string;
  workspace: string | null;
  window: { days: number };
  labeled_outcomes: number;
  findings: { action: string; agent_id: string | null; message?: string; text?: string }[];
  reports: ActionReport[];
  links: { diagrams: Record<string, string>; patch: string };
  /** Absent from reports made before review quality. */
  review_quality?: ReviewQuality;
}

/** The report's review quality: per reviewer, how they decide, and who looks like a rubber stamp. */
interface ReviewQuality {
  reviewers: {
    reviewer_id: string;
    decided: number;
    approval_rate: number | null;
    edit_rate: number | null;
    median_seconds_to_decide: number | null;
    median_seconds_to_read: number | null;
    decided_without_opening: number;
    agreement: { labeled: number; rate: number | null };
    canaries: { answered: number; correct: number; missed: number };
    rubber_stamp: boolean;
    reason: string;
  }[];
}

function ReviewQualityPanel({ quality }: { quality: ReviewQuality }) {
  const seconds = (n: number | null) => (n === null ? '–' : `${n.toFixed(1)} s`);
  return (
    <section data-testid="review-quality">
      <h2>Review quality</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Reviewer</th>
              <th>Decided</th>
              <th>Approved</th>
              <th>Edited</th>
              <th>Median to decide (reading needs)</th>
              <th>Unopened</th>
              <th>Agrees with labels</th>
              <th>Canaries</th>
            </tr>
          </thead>
          <tbody>
            {quality.reviewers.map((r) => (
              <tr key={r.reviewer_id} className={r.rubber_stamp ? 'error' : undefined}>
                <td>{r.reviewer_id}</td>
                <td>{r.decided}</td>
                <td>{r.approval_rate === null ? '–' : pct(r.approval_rate)}</td>
                <td>{r.edit_rate === null ? '–' : pct(r.edit_rate)}</td>
                <td>
                  {seconds(r.median_seconds_to_decide)} ({seconds(r.median_seconds_to_read)})
                </td>
                <td>{r.decided_without_opening}</td>
                <td>{r.agreement.rate === null ? '–' : `${pct(r.agreement.rate)} of ${r.agreement.labeled}`}</td>
                <td>
                  {r.canaries.correct}/{r.canaries.answered}
                  {r.canaries.missed > 0 ? `, ${r.canaries.missed} missed` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul>
        {quality.reviewers
          .filter((r) => r.rubber_stamp)
          .map((r) => (
            <li key={r.reviewer_id} className="error">
              Rubber stamp: {r.reviewer_id}: {r.reason}
            </li>
          ))}
      </ul>
    </section>
  );
}

/** The drift watch (GET /drift): where each action stands, and the alerts its owners were sent. */
interface Drift {
  watches: { workspace: string; action: string; drifting: boolean; since: string | null }[];
  alerts: {
    id: string;
    workspace: string;
    action: string;
    owner: string | null;
    reasons: string[];
    demotion: { field: string; from: unknown; to: unknown } | null;
    patch: string;
    created_at: string;
    delivery: string;
    last_error: string | null;
  }[];
}

/** `{ field: parameters.customer_tier, equals: gold }`: a rule as the manifest writes it. */
const ruleText = (rule: Record<string, unknown>) =>
  `{ ${Object.entries(rule)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`)
    .join(', ')} }`;

/** One action's suggestions, promotion check and what reviewers changed. */
function ActionDetails({ report }: { report: ActionReport }) {
  const check = report.promotion_check;
  const edits = report.edits;
  const lines: string[] = [];
  if (report.lowering) lines.push(`auto_approve_confidence ${report.lowering.from} → ${report.lowering.to}: ${report.lowering.reason}`);
  else if (report.suggested_auto_approve_confidence !== null) lines.push(`auto_approve_confidence → ${report.suggested_auto_approve_confidence}`);
  if (report.widening) lines.push(`auto_approve_below_usd ${report.widening.from} → ${report.widening.to}: ${report.widening.reason}`);
  if (report.promotion) lines.push(`mode ${report.promotion.from_mode} → ${report.promotion.to_mode}: ${report.promotion.reason}`);
  return (
    <section className="action-details" data-testid={`action-${report.action}`}>
      <h2>{report.action}</h2>
      {report.intervention && (
        <p>
          Reviewers: {report.intervention.approved_unchanged} approved unchanged, {report.intervention.edited} edited, {report.intervention.denied} denied;
          after the fact {report.intervention.confirmed} confirmed, {report.intervention.rolled_back} rolled back (intervention rate{' '}
          {pct(report.intervention.rate)}).
        </p>
      )}
      {report.demotion && <p className="error">Demotion alert: {report.demotion.reason}</p>}
      {lines.length > 0 && (
        <>
          <h3>Suggested</h3>
          <ul data-testid={`suggestions-${report.action}`}>
            {lines.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        </>
      )}
      {check?.to_mode && !report.promotion && check.held_back.length > 0 && (
        <p data-testid={`promotion-${report.action}`}>
          Promotion to {check.to_mode} held back: {check.held_back.join('; ')}.
        </p>
      )}
      {edits && edits.edited > 0 && (
        <>
          <h3>What reviewers changed</h3>
          <p>
            {edits.edited} of {edits.approved} approvals edited ({edits.reviews - edits.approved} denials left out).
          </p>
          <ul data-testid={`edits-${report.action}`}>
            {edits.fields.map((f) => (
              <li key={f.field}>{f.text}</li>
            ))}
            {edits.suggested_rules.map((r) => (
              <li key={ruleText(r.rule)}>
                Suggested escalate_when <code>{ruleText(r.rule)}</code>: {r.text}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** Drifting actions and the alerts their owners were sent, each with its demotion as a manifest diff. */
function DriftPanel({ drift }: { drift: Drift }) {
  const drifting = drift.watches.filter((w) => w.drifting);
  return (
    <section data-testid="drift">
      <h2>Drift</h2>
      <p>
        {drift.watches.length === 0
          ? 'No action has recent labeled outcomes or reviews for the drift watch to judge yet.'
          : drifting.length === 0
            ? `None of the ${drift.watches.length} actions watched is drifting.`
            : `Drifting: ${drifting.map((w) => `${w.action} (${w.workspace}) since ${new Date(w.since ?? '').toLocaleString()}`).join(', ')}.`}
      </p>
      {drift.alerts.length > 0 && (
        <ul>
          {drift.alerts.map((a) => (
            <li key={a.id} data-testid="drift-alert">
              {new Date(a.created_at).toLocaleString()}: {a.action} ({a.workspace}), owner {a.owner ?? 'none'}: {a.reasons.join('; ')}.{' '}
              {a.delivery === 'sent'
                ? 'The owner was alerted.'
                : a.delivery === 'pending'
                  ? 'Alerting the owner…'
                  : `The owner was not alerted: ${a.last_error ?? a.delivery}.`}
              {a.patch && (
                <details>
                  <summary>The demotion, for review</summary>
                  <pre>{a.patch}</pre>
                </details>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The latest calibration report: auditors read it, so this view asks for an auditor's token. */
export function Calibration() {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(AUDITOR_TOKEN_KEY));
  const [text, setText] = useState('');
  const [report, setReport] = useState<Report | null>(null);
  const [drift, setDrift] = useState<Drift | null>(null);
  const [diagrams, setDiagrams] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!token) return;
    let alive = true;
    api<Drift>('calibrator', '/drift', token)
      .then((d) => alive && setDrift(d))
      .catch(() => undefined); // the report's own call says what is wrong with the token
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
          {report.reports
            .filter((r) => r.agent_id === null)
            .map((r) => (
              <ActionDetails key={r.action} report={r} />
            ))}
          {report.review_quality && report.review_quality.reviewers.length > 0 && <ReviewQualityPanel quality={report.review_quality} />}
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
      {drift && <DriftPanel drift={drift} />}
      <button type="button" onClick={() => (sessionStorage.removeItem(AUDITOR_TOKEN_KEY), setToken(null), setReport(null), setDrift(null))}>
        Use another auditor token
      </button>
    </main>
  );
}
