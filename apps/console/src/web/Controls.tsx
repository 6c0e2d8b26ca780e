import { Me, PausePage, PauseView } from '@hitl/reviewer-api';
import { FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiError, api } from './api';
import { PauseForm, PauseScope, effectWords, pauseLine, pausePreview, resumeReason, scopeWords, validatePauseForm, workspaceChoices } from './pauses';

/** An API refusal as the admin reads it: its code, its message, and for a non-admin why. */
function refusal(e: unknown): string {
  if (!(e instanceof ApiError)) return (e as Error).message;
  const who = e.code === 'not_admin' ? 'Only admins pause and resume. ' : '';
  return `${who}${e.message} (${e.code})`;
}

const SCOPES: { value: PauseScope; label: string }[] = [
  { value: 'agent', label: 'An agent' },
  { value: 'action', label: 'An action' },
  { value: 'workspace', label: 'The whole workspace' },
];

/** The kill switch: pause an agent, an action or a whole workspace, and resume, each with a reason. */
export function Controls({ token, me }: { token: string; me: Me }) {
  const choices = workspaceChoices(me.workspaces);
  const [form, setForm] = useState<PauseForm>({ workspace: choices?.[0] ?? '', scope: 'agent', agent: '', action: '', effect: 'review', reason: '' });
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pauses, setPauses] = useState<PauseView[] | null>(null);
  const [resuming, setResuming] = useState<{ id: string; reason: string } | null>(null);

  const load = useCallback(
    () =>
      api('escalation', '/pauses?active=true', token, { answer: PausePage })
        .then((page) => setPauses(page.items))
        .catch((e: unknown) => setError(refusal(e))),
    [token],
  );
  useEffect(() => void load(), [load]);

  const set = <K extends keyof PauseForm>(key: K, value: PauseForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checked = validatePauseForm(form, me.workspaces);
    if (!checked.ok) return setProblems(checked.problems);
    setProblems([]);
    setBusy(true);
    try {
      const pause = await api('escalation', '/pauses', token, { method: 'POST', body: checked.body, answer: PauseView });
      setError(null);
      setDone(`Paused ${scopeWords(pause)}. ${effectWords(pause.effect)}`);
      setForm((f) => ({ ...f, reason: '' }));
      await load();
    } catch (e) {
      setDone(null);
      setError(refusal(e));
    } finally {
      setBusy(false);
    }
  };

  const resume = async (e: FormEvent) => {
    e.preventDefault();
    const reason = resuming && resumeReason(resuming.reason);
    if (!resuming || !reason) return;
    setBusy(true);
    try {
      const pause = await api('escalation', `/pauses/${encodeURIComponent(resuming.id)}/resume`, token, {
        method: 'POST',
        body: { reason },
        answer: PauseView,
      });
      setError(null);
      setResuming(null);
      setDone(`Resumed ${scopeWords(pause)}: new proposals it covered follow the manifest again.`);
      await load();
    } catch (e) {
      setDone(null);
      setError(refusal(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="page controls" data-testid="controls">
      <h1>Controls</h1>
      <p className="hint">
        The kill switch. While a pause is in force, nothing it covers is auto-approved: each new proposal goes to a person, or is blocked. Decisions routed
        before are not changed. Pausing and resuming are on the record, with your reason.
      </p>
      {!me.admin && <p className="hint">Only admins pause and resume; you can see what is paused.</p>}
      {error && (
        <p className="error" role="alert" data-testid="controls-error">
          {error}
        </p>
      )}
      {done && (
        <p className="confirmation" data-testid="controls-done">
          {done}
        </p>
      )}

      <form className="form pause-form" onSubmit={submit} data-testid="pause-form">
        <h2>Pause</h2>
        <label>
          Workspace
          {choices ? (
            <select data-testid="pause-workspace" value={form.workspace} onChange={(e) => set('workspace', e.target.value)}>
              {choices.map((w) => (
                <option key={w} value={w}>
                  {w}
                </option>
              ))}
            </select>
          ) : (
            <input data-testid="pause-workspace" value={form.workspace} placeholder="e.g. acme-support" onChange={(e) => set('workspace', e.target.value)} />
          )}
        </label>
        <fieldset>
          <legend>What</legend>
          {SCOPES.map((s) => (
            <label key={s.value} className="choice">
              <input
                type="radio"
                name="pause-scope"
                data-testid={`pause-scope-${s.value}`}
                checked={form.scope === s.value}
                onChange={() => set('scope', s.value)}
              />
              {s.label}
            </label>
          ))}
        </fieldset>
        {form.scope === 'agent' && (
          <label>
            Agent id
            <input data-testid="pause-agent" value={form.agent} placeholder="e.g. refund-bot" onChange={(e) => set('agent', e.target.value)} />
          </label>
        )}
        {form.scope === 'action' && (
          <label>
            Action
            <input data-testid="pause-action" value={form.action} placeholder="e.g. process_refund" onChange={(e) => set('action', e.target.value)} />
          </label>
        )}
        <fieldset>
          <legend>Effect</legend>
          <label className="choice">
            <input
              type="radio"
              name="pause-effect"
              data-testid="pause-effect-review"
              checked={form.effect === 'review'}
              onChange={() => set('effect', 'review')}
            />
            Send each to a person
          </label>
          <label className="choice">
            <input
              type="radio"
              name="pause-effect"
              data-testid="pause-effect-block"
              checked={form.effect === 'block'}
              onChange={() => set('effect', 'block')}
            />
            Block each
          </label>
        </fieldset>
        <label>
          Reason (on the record, shown to reviewers)
          <input data-testid="pause-reason" value={form.reason} onChange={(e) => set('reason', e.target.value)} />
        </label>
        <p className="hint" data-testid="pause-preview">
          {pausePreview(form)}
        </p>
        {problems.length > 0 && (
          <ul className="problems" data-testid="pause-problems">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        <div className="actions">
          <button type="submit" className="danger" data-testid="pause-submit" disabled={busy}>
            Pause
          </button>
        </div>
      </form>

      <h2>In force</h2>
      {pauses === null ? (
        <p className="hint">Loading…</p>
      ) : pauses.length === 0 ? (
        <p data-testid="no-pauses">Nothing is paused.</p>
      ) : (
        <ul className="items pauses" data-testid="pauses">
          {pauses.map((p) => (
            <li key={p.id} className="pause" data-testid="pause" data-pause-id={p.id} data-effect={p.effect}>
              <div className="summary">{pauseLine(p)}</div>
              <div className="meta">
                {p.reason} <span className="hint">(id {p.id})</span>
              </div>
              {resuming?.id === p.id ? (
                <form className="form" onSubmit={resume}>
                  <label>
                    Why it may resume (on the record)
                    <input autoFocus data-testid="resume-reason" value={resuming.reason} onChange={(e) => setResuming({ id: p.id, reason: e.target.value })} />
                  </label>
                  <div className="actions">
                    <button type="submit" data-testid="resume-confirm" disabled={busy || resumeReason(resuming.reason) === null}>
                      Resume
                    </button>
                    <button type="button" onClick={() => setResuming(null)}>
                      Cancel
                    </button>
                  </div>
                </form>
              ) : (
                <div className="actions">
                  <button type="button" data-testid="resume" onClick={() => setResuming({ id: p.id, reason: '' })}>
                    Resume…
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
