import { ApprovalDetail } from '@hitl/reviewer-api';
import { KeyboardEvent } from 'react';
import { DecisionView } from '../DecisionView';
import { showField } from '../edit';
import { Command } from '../keys';
import { rollbackWindowText } from '../post-review';
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
  send: (act: FormAct) => void;
}

/** What a form of the panel sends. */
type FormAct = 'deny' | 'clarify' | 'edit' | 'rollback';
type ReasonAct = Exclude<FormAct, 'edit'>;

const REASON_FORMS: Record<ReasonAct, { label: string; button: string }> = {
  deny: { label: 'Why deny it? (Enter sends)', button: 'Deny' },
  clarify: { label: 'What should the agent clarify? (Enter sends)', button: 'Ask' },
  rollback: { label: 'Why roll it back? (Enter sends; the agent is told)', button: 'Roll back' },
};

/** The open approval: what happened to the last one, why this one cannot be seen or sent, its actions and forms, and its page. */
export function DecisionPanel({ confirmation, error, refusal, closedAs, detail, detailAt, now, canDecide, form, run, send }: DecisionPanelProps) {
  const { panel, text, problems } = form;
  // Enter sends the form (an edit only when the schema accepts it).
  const onFormKey = (act: FormAct) => (e: KeyboardEvent) => {
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
          {detail.route === 'post_review' ? (
            <PostReviewActions detail={detail} now={now} canDecide={canDecide} run={run} />
          ) : (
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
              <Moves run={run} />
            </div>
          )}
          {(panel === 'deny' || panel === 'clarify' || panel === 'rollback') && (
            <ReasonForm act={panel} form={form} canDecide={canDecide} onKeyDown={onFormKey(panel)} send={send} />
          )}
          {panel === 'edit' && <ParameterEditor detail={detail} form={form} onKeyDown={onFormKey('edit')} />}
          <DecisionView detail={detail} fetchedAt={detailAt} now={now} />
        </>
      )}
    </section>
  );
}

/** Moving through the list, and selecting similar items for a batch. */
function Moves({ run }: { run: (command: Command) => void }) {
  return (
    <>
      <button type="button" onClick={() => run('previous')}>
        Prev (k)
      </button>
      <button type="button" onClick={() => run('next')}>
        Next (j)
      </button>
      <button type="button" onClick={() => run('select-similar')}>
        Select similar (s)
      </button>
    </>
  );
}

/** An action that already ran: confirmed as it is, or rolled back while its window is open; never denied, edited or asked about. */
function PostReviewActions({ detail, now, canDecide, run }: { detail: ApprovalDetail; now: number; canDecide: boolean; run: (command: Command) => void }) {
  const closesAt = detail.rollback?.closes_at ?? null;
  const windowOpen = closesAt === null || Date.parse(closesAt) > now;
  return (
    <>
      <p className="post-review" data-testid="post-review">
        This action already ran: the policy approved it, and a person reviews it after the fact. Confirm it stands, or roll it back.{' '}
        <span data-testid="rollback-window">{rollbackWindowText(detail.rollback, now)}</span>
      </p>
      <div className="actions">
        <button type="button" className="approve" disabled={!canDecide} onClick={() => run('approve')}>
          Confirm (a)
        </button>
        <button type="button" disabled={!canDecide || !windowOpen} onClick={() => run('rollback')}>
          Roll back (r)
        </button>
        <Moves run={run} />
      </div>
    </>
  );
}

/** Why deny it or roll it back, or what the agent should clarify: Enter sends. */
function ReasonForm({
  act,
  form,
  canDecide,
  onKeyDown,
  send,
}: {
  act: ReasonAct;
  form: DecisionForm;
  canDecide: boolean;
  onKeyDown: (e: KeyboardEvent) => void;
  send: (act: ReasonAct) => void;
}) {
  const { text, setText, setPanel } = form;
  return (
    <div className="form">
      <label htmlFor="panel-text">{REASON_FORMS[act].label}</label>
      <input id="panel-text" data-testid={`${act}-text`} autoFocus value={text} onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown} />
      <button type="button" disabled={text.trim() === '' || !canDecide} onClick={() => send(act)}>
        {REASON_FORMS[act].button}
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
