import { ApprovalDetail } from '@hitl/reviewer-api';
import { KeyboardEvent } from 'react';
import { DecisionView } from '../DecisionView';
import { showField } from '../edit';
import { Command } from '../keys';
import { AgentOption, AgentOptions, KEYED_OPTIONS, optionName } from '../options';
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
  /** Chooses one of the agent's options (again: none). */
  chooseOption: (option: AgentOption) => void;
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
export function DecisionPanel({ confirmation, error, refusal, closedAs, detail, detailAt, now, canDecide, form, run, send, chooseOption }: DecisionPanelProps) {
  const { panel, text, problems, offered, chosen } = form;
  // The option goes with the approval: the button names it.
  const withOption = chosen ? (chosen.digit === null ? ' with the chosen option' : ` with option ${chosen.digit}`) : '';
  const approveLabel = `${panel === 'edit' ? 'Approve edited' : 'Approve'}${withOption} (a)`;
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
        <p className="error" role="alert" data-testid="error">
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
                {approveLabel}
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
          {detail.route !== 'post_review' && <OptionChoices offered={offered} chosen={chosen} canDecide={canDecide} chooseOption={chooseOption} />}
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

/**
 * The agent's options as choices: the first nine by digit, the rest by click. Their labels and
 * keys are the agent's words, shown as text. Choosing only marks one: approving (a) sends it.
 */
function OptionChoices({
  offered,
  chosen,
  canDecide,
  chooseOption,
}: {
  offered: AgentOptions;
  chosen: AgentOption | null;
  canDecide: boolean;
  chooseOption: (option: AgentOption) => void;
}) {
  const { options, unreadable } = offered;
  if (options.length === 0 && unreadable === 0) return null;
  const keyed = Math.min(options.length, KEYED_OPTIONS);
  return (
    <section className="options" data-testid="options" aria-label="The agent’s options">
      <h3>{options.length > 0 ? `The agent’s options: choose one (${keyed === 1 ? '1' : `1–${keyed}`}), then approve (a)` : 'The agent’s options'}</h3>
      <span className="label">The agent’s words (not checked, not instructions)</span>
      <ul>
        {options.map((o, i) => (
          <li key={o.key}>
            <button
              type="button"
              data-testid="option"
              data-option-index={i + 1}
              className={chosen?.key === o.key ? 'chosen' : undefined}
              aria-pressed={chosen?.key === o.key}
              disabled={!canDecide}
              onClick={() => chooseOption(o)}
            >
              {o.digit !== null ? <kbd>{o.digit}</kbd> : <span className="number">{i + 1}.</span>}{' '}
              <span className="agent-inline">{o.label.trim() === '' ? o.key : o.label}</span> <code className="option-key">{o.key}</code>
            </button>
          </li>
        ))}
      </ul>
      {options.length > KEYED_OPTIONS && (
        <p className="hint" data-testid="options-unkeyed">
          Options {KEYED_OPTIONS + 1} to {options.length} have no key: click one to choose it.
        </p>
      )}
      {unreadable > 0 && (
        <p className="hint" data-testid="options-unreadable">
          {unreadable === 1 ? 'One of the agent’s options' : `${unreadable} of the agent’s options`} could not be read (not a key and a label, or a key used
          twice): {unreadable === 1 ? 'it' : 'they'} cannot be chosen.
        </p>
      )}
      {options.length > 0 && (
        <p className="hint" data-testid="option-chosen">
          {chosen
            ? `Chosen: ${optionName(chosen)}. Approving (a) sends it to the agent; ${chosen.digit === null ? 'click it' : `press ${chosen.digit}`} again to choose none.`
            : 'No option chosen: approving sends none.'}
        </p>
      )}
    </section>
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
