// "Get a human": the sessions whose end users asked for a person. The list of those waiting
// for the signed-in person (oldest first, with the time left to take each over) beside the
// open one: the conversation so far, "Take over", and once taken, the notes for the agent,
// an optional reply to the end user, and "Hand back to the agent" or "Close session".
import { HandoffPage, HandoffView, Me } from '@hitl/reviewer-api';
import { FormEvent, KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from './api';
import { AuditTimeline } from './AuditTimeline';
import {
  HandoffResolution,
  ReturnForm,
  handoffIdOf,
  handoffPath,
  heldBy,
  oldestFirst,
  returnedWords,
  sessionWords,
  slaText,
  speakerOf,
  stateWords,
  validateReturn,
} from './handoffs';
import { useNow } from './inbox/use-now';

/** REFRESH_MS: how often the list and the open handoff are read again (someone else may take one over). */
const REFRESH_MS = 5_000;

/** An API refusal as the person reads it: its message and its code. */
function refusal(e: unknown): string {
  return e instanceof ApiError ? `${e.message} (${e.code})` : (e as Error).message;
}

const EMPTY: ReturnForm = { notes: '', reply: '' };

export function Handoffs({ token, me, path, go }: { token: string; me: Me; path: string; go: (path: string) => void }) {
  const now = useNow();
  const openId = handoffIdOf(path);
  const [showAll, setShowAll] = useState(false);
  const [items, setItems] = useState<HandoffView[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);

  const loadList = useCallback(
    () =>
      api('escalation', `/handoffs?state=${showAll ? 'all' : 'waiting'}`, token, { answer: HandoffPage })
        .then((page) => (setItems(oldestFirst(page.items)), setListError(null)))
        .catch((e: unknown) => setListError(refusal(e))),
    [token, showAll],
  );
  useEffect(() => {
    void loadList();
    const timer = setInterval(() => void loadList(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [loadList]);

  return (
    <div className="inbox-layout handoffs-layout">
      <section className="list" aria-label="Handoffs">
        <header className="list-head">
          <h1>Handoffs</h1>
        </header>
        <p className="hint">End users who asked for a person, the longest waiting first. Take one over, then hand it back to the agent or close it.</p>
        <label className="choice">
          <input type="checkbox" data-testid="handoffs-show-all" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> Include returned ones
        </label>
        {listError && (
          <p className="error" role="alert" data-testid="handoffs-error">
            {listError}
          </p>
        )}
        {items === null ? (
          <p className="hint">Loading…</p>
        ) : items.length === 0 ? (
          <p data-testid="no-handoffs">Nobody is waiting for a person.</p>
        ) : (
          <ul className="items" data-testid="handoffs">
            {items.map((h) => {
              const sla = slaText(h, now);
              const current = h.id === openId;
              return (
                <li key={h.id} className={`handoff-line${current ? ' current' : ''}`} data-testid="handoff-item" data-handoff-id={h.id} data-state={h.state}>
                  <button type="button" aria-current={current ? 'true' : undefined} onClick={() => go(handoffPath(h.id))}>
                    <span className="summary">{h.reason}</span>
                    <span className="meta">
                      {sessionWords(h)} · {stateWords(h, me.id)}
                    </span>
                    <span className={`time ${sla.urgency}`} data-testid="handoff-time-left">
                      {sla.text}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      {openId ? (
        <HandoffDetail key={openId} id={openId} token={token} me={me} now={now} onChanged={loadList} />
      ) : (
        <section className="detail" aria-label="Handoff">
          <p className="hint">Choose a handoff to read the conversation so far.</p>
        </section>
      )}
    </div>
  );
}

/** One handoff: the conversation so far, and what the viewer may do with it. */
function HandoffDetail({ id, token, me, now, onChanged }: { id: string; token: string; me: Me; now: number; onChanged: () => void }) {
  const [handoff, setHandoff] = useState<HandoffView | null>(null);
  const [notFound, setNotFound] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [form, setForm] = useState<ReturnForm>(EMPTY);
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  // A read begun before a step of ours answers with the state before it: dropped.
  const steps = useRef(0);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(() => {
    const at = steps.current;
    return api('escalation', `/handoffs/${encodeURIComponent(id)}`, token, { answer: HandoffView })
      .then((h) => at === steps.current && (setHandoff(h), setNotFound(null)))
      .catch((e: unknown) => at === steps.current && setNotFound(refusal(e)));
  }, [id, token]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);
  // Opened: the screen reader's and the keyboard's place moves to it.
  const loaded = handoff !== null;
  useEffect(() => {
    if (loaded) heading.current?.focus();
  }, [loaded]);

  const step = async (path: string, body?: unknown): Promise<HandoffView | null> => {
    steps.current += 1;
    setBusy(true);
    try {
      const h = await api('escalation', `/handoffs/${encodeURIComponent(id)}${path}`, token, { method: 'POST', body, answer: HandoffView });
      setHandoff(h);
      setError(null);
      return h;
    } catch (e) {
      setDone(null);
      setError(refusal(e));
      void load();
      return null;
    } finally {
      setBusy(false);
      onChanged();
    }
  };

  const take = async () => {
    const h = await step('/take');
    if (h) setDone('You took the session over: the agent waits for you to hand it back or close it.');
  };

  const giveBack = async (resolution: HandoffResolution) => {
    const checked = validateReturn(form, resolution);
    if (!checked.ok) return setProblems(checked.problems);
    setProblems([]);
    const h = await step('/return', checked.body);
    if (h) {
      setDone(returnedWords(h));
      setForm(EMPTY);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void giveBack('handed_back');
  };
  // Ctrl+Enter (⌘+Enter) in either text hands back, as the form's first button.
  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
  };

  if (!handoff)
    return (
      <section className="detail" aria-label="Handoff">
        {notFound ? (
          <p className="error" role="alert" data-testid="handoff-refusal">
            {notFound}
          </p>
        ) : (
          <p className="hint">Reading the handoff…</p>
        )}
      </section>
    );

  const h = handoff;
  const sla = slaText(h, now);
  const mine = heldBy(h, me.id);
  const returned = h.state === 'handed_back' || h.state === 'closed';
  return (
    <section className="detail handoff" aria-labelledby="handoff-title" data-testid="handoff" data-handoff-id={h.id} data-state={h.state}>
      <h2 id="handoff-title" className="headline" tabIndex={-1} ref={heading}>
        <span className="label">Why a person: </span>
        <span data-testid="handoff-reason">{h.reason}</span>
      </h2>
      <p className="facts">
        <span data-testid="handoff-session">{sessionWords(h)}</span>
        <span>{h.workspace}</span>
        <span data-testid="handoff-state">{stateWords(h, me.id)}</span>
        {h.state === 'open' && <span className={`time ${sla.urgency}`}>{sla.text}</span>}
      </p>
      <p className="hint">
        Asked at <time dateTime={h.requested_at}>{new Date(h.requested_at).toLocaleTimeString()}</time>; the path: {h.escalation_path.join(' → ')}.
      </p>
      {error && (
        <p className="error" role="alert" data-testid="handoff-error">
          {error}
        </p>
      )}
      {done && (
        <p className="confirmation" role="status" data-testid="handoff-done">
          {done}
        </p>
      )}

      <h3 id="handoff-transcript-title">The conversation so far</h3>
      <p className="hint">As the agent relayed it: its words and the end user’s, shown as text.</p>
      {h.transcript.length === 0 ? (
        <p className="hint">The agent sent no conversation.</p>
      ) : (
        <ol className="transcript" aria-labelledby="handoff-transcript-title" data-testid="handoff-transcript">
          {h.transcript.map((turn, i) => (
            <li key={i} className={`turn from-${turn.from}`} data-testid="handoff-turn" data-from={turn.from}>
              <span className="label">
                {speakerOf(turn.from)}
                {turn.at && (
                  <>
                    {' '}
                    <time dateTime={turn.at}>{new Date(turn.at).toLocaleTimeString()}</time>
                  </>
                )}
              </span>
              <span className="text">{turn.text}</span>
            </li>
          ))}
        </ol>
      )}

      {h.can_take && (
        <div className="actions">
          <button type="button" className="approve" data-testid="handoff-take" disabled={busy} onClick={() => void take()}>
            Take over
          </button>
        </div>
      )}

      {mine && (
        <form className="form return-form" noValidate onSubmit={submit} onKeyDown={onKeyDown} data-testid="handoff-return" aria-label="Return the session">
          <label htmlFor="handoff-notes">Notes for the agent (required): what you did, and what it should do next</label>
          <textarea
            id="handoff-notes"
            data-testid="handoff-notes"
            required
            aria-required="true"
            aria-invalid={problems.length > 0 ? 'true' : undefined}
            aria-describedby={problems.length > 0 ? 'handoff-problems' : undefined}
            autoFocus
            rows={4}
            value={form.notes}
            onChange={(e) => (setForm((f) => ({ ...f, notes: e.target.value })), setProblems([]))}
          />
          <label htmlFor="handoff-reply">Your reply to the end user (optional: the agent passes it on)</label>
          <textarea
            id="handoff-reply"
            data-testid="handoff-reply"
            rows={3}
            value={form.reply}
            onChange={(e) => setForm((f) => ({ ...f, reply: e.target.value }))}
          />
          {problems.length > 0 && (
            <ul className="problems" id="handoff-problems" data-testid="handoff-problems" role="alert">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          <p className="hint">
            <kbd>Ctrl</kbd>+<kbd>Enter</kbd> hands it back.
          </p>
          <div className="actions">
            <button type="submit" className="approve" data-testid="handoff-hand-back" disabled={busy}>
              Hand back to the agent
            </button>
            <button type="button" className="danger" data-testid="handoff-close" disabled={busy} onClick={() => void giveBack('closed')}>
              Close session
            </button>
          </div>
        </form>
      )}

      {returned && (
        <dl className="params" data-testid="handoff-returned">
          <div>
            <dt>Notes</dt>
            <dd>{h.notes}</dd>
          </div>
          <div>
            <dt>Reply</dt>
            <dd>{h.reply ?? '—'}</dd>
          </div>
        </dl>
      )}

      <h3>On the record</h3>
      {/* Read again at each step seen here, so the record follows what the person did. */}
      <AuditTimeline key={h.state} decisionId={h.id} />
    </section>
  );
}
