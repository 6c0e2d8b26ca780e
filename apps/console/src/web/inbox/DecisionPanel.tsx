import { ApprovalDetail } from '@hitl/reviewer-api';
import { KeyboardEvent } from 'react';
import { DecisionView } from '../DecisionView';
import { showField } from '../edit';
import { Command } from '../keys';
import { DecisionForm, REDACTED } from './use-decision-form';

export interface DecisionPanelProps {
  /** What the reviewer last did here, said back. */
  confirmation: { approval_id: string; text: string } | null;
  error: string | null;
  refusal: string | null;
  /** How the open approval was closed elsewhere, if it was. */
  closedAs: string | undefined;
  /** The open approval's page, once read. */
  detail: ApprovalDetail | null;
  detailAt: number;
  now: number;
  canDecide: boolean;
  form: DecisionForm;
  run: (command: Command) => void;
  send: (act: 'deny' | 'clarify' | 'edit') => void;
}

/** The open approval: what happened to the last one, why this one cannot be seen or sent, its actions and forms, and its page. */
export function DecisionPanel({ confirmation, error, refusal, closedAs, detail, detailAt, now, canDecide, form, run, send }: DecisionPanelProps) {
  const { panel, text, problems } = form;
  // Enter sends the form (an edit only when the schema accepts it).
  const onFormKey = (act: 'deny' | 'clarify' | 'edit') => (e: KeyboardEvent) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    if (act === 'edit') {
      if (problems.length === 0) send('edit');
    } else if (text.trim() !== '') send(act);
  };
  return (
    <section className="detail" aria-label="Decision">
      {confirmation && (
        <p className="confirmation" role="status" data-testid="confirmation" data-approval-id={confirmation.approval_id}>
          {confirmation.text}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {refusal && (
        <p className="error" role="alert" data-testid="refusal">
          You may not see or decide this approval: {refusal}
        </p>
      )}
      {closedAs && (
        <p className="closed" role="alert" data-testid="resolved-elsewhere">
          Already resolved elsewhere ({closedAs}): nothing can be sent for it.
        </p>
      )}
      {detail && (
        <>
          <div className="actions">
            <button type="button" className="approve" disabled={!canDecide || (panel === 'edit' && problems.length > 0)} onClick={() => run('approve')}>
              {panel === 'edit' ? 'Approve edited (a)' : 'Approve (a)'}
            </button>
            <button type="button" disabled={!canDecide} onClick={() => run('deny')}>
              Deny (d)
            </button>
            <button type="button" disabled={!canDecide} onClick={() => run('edit')}>
              Edit (e)
            </button>
            <button type="button" disabled={!canDecide} onClick={() => run('clarify')}>
              Ask (c)
            </button>
            <button type="button" onClick={() => run('previous')}>
              Prev (k)
            </button>
            <button type="button" onClick={() => run('next')}>
              Next (j)
            </button>
            <button type="button" onClick={() => run('select-similar')}>
              Select similar (s)
            </button>
          </div>
          {(panel === 'deny' || panel === 'clarify') && <ReasonForm act={panel} form={form} canDecide={canDecide} onKeyDown={onFormKey(panel)} send={send} />}
          {panel === 'edit' && <ParameterEditor detail={detail} form={form} onKeyDown={onFormKey('edit')} />}
          <DecisionView detail={detail} fetchedAt={detailAt} now={now} />
        </>
      )}
    </section>
  );
}

/** Why deny it, or what the agent should clarify: Enter sends. */
function ReasonForm({
  act,
  form,
  canDecide,
  onKeyDown,
  send,
}: {
  act: 'deny' | 'clarify';
  form: DecisionForm;
  canDecide: boolean;
  onKeyDown: (e: KeyboardEvent) => void;
  send: (act: 'deny' | 'clarify') => void;
}) {
  const { text, setText, setPanel } = form;
  return (
    <div className="form">
      <label htmlFor="panel-text">{act === 'deny' ? 'Why deny it? (Enter sends)' : 'What should the agent clarify? (Enter sends)'}</label>
      <input id="panel-text" data-testid={`${act}-text`} autoFocus value={text} onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown} />
      <button type="button" disabled={text.trim() === '' || !canDecide} onClick={() => send(act)}>
        {act === 'deny' ? 'Deny' : 'Ask'}
      </button>
      <button type="button" onClick={() => setPanel('none')}>
        Cancel (Esc)
      </button>
    </div>
  );
}

/** The parameters, editable (a redacted one is not), checked against the action's schema as typed. */
function ParameterEditor({ detail, form, onKeyDown }: { detail: ApprovalDetail; form: DecisionForm; onKeyDown: (e: KeyboardEvent) => void }) {
  const { editable, edits, setEdits, problems } = form;
  return (
    <div className="form editor" data-testid="editor">
      {editable.map((key, i) => (
        <label key={key}>
          <span>{key}</span>
          <input
            data-testid={`edit-${key}`}
            autoFocus={i === 0}
            disabled={detail.parameters[key] === REDACTED}
            value={edits[key] ?? (key in detail.parameters ? showField(detail.parameters[key]) : '')}
            onChange={(e) => setEdits((x) => ({ ...x, [key]: e.target.value }))}
            onKeyDown={onKeyDown}
          />
        </label>
      ))}
      {problems.length > 0 ? (
        <ul className="problems" data-testid="edit-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : (
        <p className="hint">Checked against the action’s schema. Enter (or a) approves with these parameters.</p>
      )}
    </div>
  );
}
