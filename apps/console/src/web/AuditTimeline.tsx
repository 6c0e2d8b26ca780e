import { useEffect, useState } from 'react';
import { api } from './api';
import { AUDITOR_TOKEN_KEY } from './session';

interface Step {
  seq: number;
  step: string;
  summary: string;
  actor: { kind: string; id: string };
  time: string;
}

/**
 * The decision's steps on the audit record (proposed, routed, assigned, ...). The audit
 * answers auditors only: shown when an auditor token was given on the Calibration view.
 */
export function AuditTimeline({ decisionId }: { decisionId: string }) {
  const token = sessionStorage.getItem(AUDITOR_TOKEN_KEY);
  const [steps, setSteps] = useState<Step[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!token) return;
    let alive = true;
    setSteps(null);
    api<{ steps: Step[] }>('audit', `/audit/decisions/${decisionId}/timeline`, token)
      .then((t) => alive && setSteps(t.steps))
      .catch((e: Error) => alive && setError(e.message));
    return () => {
      alive = false;
    };
  }, [decisionId, token]);
  if (!token) return <p className="hint">The audit record of this decision is for auditors: give an auditor token on the Calibration view to see it here.</p>;
  if (error) return <p className="hint">The audit record could not be read: {error}</p>;
  if (!steps) return <p className="hint">Reading the audit record…</p>;
  return (
    <ol className="timeline" data-testid="audit-timeline">
      {steps.map((s) => (
        <li key={s.seq}>
          <time dateTime={s.time}>{new Date(s.time).toLocaleTimeString()}</time> <strong>{s.step}</strong> ({s.actor.kind} {s.actor.id}): {s.summary}
        </li>
      ))}
    </ol>
  );
}
