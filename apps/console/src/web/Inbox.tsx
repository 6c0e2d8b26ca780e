import { KeyboardEvent as ReactKeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, api, followChanges } from './api';
import { DecisionView } from './DecisionView';
import { editProblems, editedParameters, showField } from './edit';
import { formatAmount, formatTimeLeft, secondsLeftAt, urgencyOf } from './format';
import { Notice, applyChange, moveCursor, selectSimilar, selectedItems, sortInbox, toggle } from './inbox-state';
import { Command, KEYMAP, commandFor } from './keys';
import { ApprovalChange, ApprovalDetail, InboxItem, Me } from './types';

/** What the escalation writes in place of a redacted value. */
const REDACTED = '•••• (redacted)';

type Panel = 'none' | 'deny' | 'edit' | 'clarify' | 'batch' | 'help';

interface BatchResult {
  approval_id: string;
  ok: boolean;
  result?: { status: string };
  error?: { code: string; message: string };
}

export function Inbox({ token, me, path, go }: { token: string; me: Me; path: string; go: (path: string) => void }) {
  const [items, setItems] = useState<InboxItem[]>([]);
  const [now, setNow] = useState(Date.now());
  const [cursor, setCursor] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [detail, setDetail] = useState<ApprovalDetail | null>(null);
  const [detailAt, setDetailAt] = useState(Date.now());
  const [refusal, setRefusal] = useState<string | null>(null);
  const [panel, setPanel] = useState<Panel>('none');
  const [text, setText] = useState('');
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [confirmation, setConfirmation] = useState<{ approval_id: string; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [resolvedElsewhere, setResolvedElsewhere] = useState<Map<string, string>>(new Map());
  const [batchResults, setBatchResults] = useState<BatchResult[] | null>(null);
  const [live, setLive] = useState(false);
  const [sending, setSending] = useState(false);
  const decidedHere = useRef(new Set<string>());
  // When each line's time left was read from the API: the countdown ticks from there.
  const receivedAt = useRef(new Map<string, number>());
  // The open approval, if resolved elsewhere while open: it stays on screen (marked, nothing sendable) until the reviewer moves on.
  const [pinned, setPinned] = useState<string | null>(null);
  const openRef = useRef<string | null>(null);
  // Bumped when the open approval changed under the reviewer (edited elsewhere): its page is read again.
  const [revision, setRevision] = useState(0);

  const directId = /^\/approvals\/([0-9a-f-]{36})$/i.exec(path)?.[1] ?? null;
  const current: InboxItem | undefined = directId ? items.find((i) => i.approval_id === directId) : items[cursor];
  const openId = directId ?? pinned ?? current?.approval_id ?? null;
  openRef.current = openId;

  const load = useCallback(async () => {
    const page = await api<{ items: InboxItem[] }>('escalation', '/approvals?limit=200', token);
    const at = Date.now();
    for (const item of page.items) receivedAt.current.set(item.approval_id, at);
    setItems(sortInbox(page.items, me.id));
  }, [token, me.id]);

  useEffect(() => {
    load().catch((e: Error) => setError(e.message));
  }, [load]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  // Live: new, reassigned and resolved-elsewhere approvals arrive without reloading.
  useEffect(() => {
    const abort = new AbortController();
    const onChange = (change: ApprovalChange) => {
      receivedAt.current.set(change.approval_id, Date.now());
      setItems((prev) => {
        const { items: next, notice } = applyChange(prev, change, me.id, decidedHere.current);
        if (notice) setNotices((n) => [...n.slice(-4), notice]);
        return next;
      });
      if (change.change === 'resolved' && !decidedHere.current.has(change.approval_id)) {
        setResolvedElsewhere((m) => new Map(m).set(change.approval_id, `${change.status}${change.resolved_by ? ` by ${change.resolved_by}` : ''}`));
        if (openRef.current === change.approval_id) setPinned(change.approval_id);
      } else if (change.change === 'edited' && openRef.current === change.approval_id) setRevision((r) => r + 1);
    };
    void followChanges(token, abort.signal, () => void load().catch(() => undefined), onChange, setLive);
    return () => abort.abort();
  }, [token, me.id, load]);

  useEffect(() => {
    setCursor((c) => moveCursor(c, 0, items.length));
  }, [items.length]);

  // The open approval's whole page.
  useEffect(() => {
    setDetail(null);
    setRefusal(null);
    setEdits({});
    // A half-typed reason or edit belongs to the approval it was typed for.
    setPanel((p) => (p === 'batch' || p === 'help' ? p : 'none'));
    if (!openId) return;
    let alive = true;
    api<ApprovalDetail>('escalation', `/approvals/${openId}`, token)
      .then((d) => {
        if (!alive) return;
        setDetail(d);
        setDetailAt(Date.now());
        if (d.status !== 'pending' && d.status !== 'clarifying') setResolvedElsewhere((m) => new Map(m).set(d.approval_id, d.status));
      })
      .catch((e: unknown) => alive && setRefusal(e instanceof ApiError ? `${e.code}: ${e.message}` : (e as Error).message));
    return () => {
      alive = false;
    };
  }, [openId, token, revision]);

  const closedAs = openId ? resolvedElsewhere.get(openId) : undefined;
  const canDecide = !!detail && detail.approval_id === openId && !closedAs && !sending;
  const edited = detail ? editedParameters(detail.parameters, edits, detail.parameters_schema) : {};
  const problems = detail && panel === 'edit' ? editProblems(detail.parameters, edited, detail.parameters_schema, REDACTED) : [];
  const batch = useMemo(() => selectedItems(items, selected), [items, selected]);

  const decided = (approvalId: string, verdict: string) => {
    decidedHere.current.add(approvalId);
    setConfirmation({ approval_id: approvalId, text: verdict });
    setItems((prev) => prev.filter((i) => i.approval_id !== approvalId));
    setSelected((s) => (s.has(approvalId) ? toggle(s, approvalId) : s));
    setPanel('none');
    setText('');
    setEdits({});
    if (directId) go('/');
  };

  const send = async (act: 'approve' | 'deny' | 'edit' | 'clarify') => {
    if (!canDecide || !detail) return;
    const id = detail.approval_id;
    const body =
      act === 'approve'
        ? { payload_hash: detail.payload_hash }
        : act === 'deny'
          ? { payload_hash: detail.payload_hash, reason: text.trim() }
          : act === 'edit'
            ? { payload_hash: detail.payload_hash, parameters: edited }
            : { question: text.trim() };
    setSending(true);
    setError(null);
    // Marked before sending: the stream may announce the resolution before the response arrives.
    if (act !== 'clarify') decidedHere.current.add(id);
    try {
      const result = await api<{ status: string }>('escalation', `/approvals/${id}/${act}`, token, { method: 'POST', body });
      if (act === 'clarify') {
        setConfirmation({ approval_id: id, text: `Asked the agent: ${text.trim()}` });
        setPanel('none');
        setText('');
      } else decided(id, `${result.status === 'awaiting_approvals' ? 'Approved; waiting for another reviewer' : result.status === 'approved' ? (act === 'edit' ? 'Approved with your edit' : 'Approved') : 'Denied'}: ${detail.summary}`);
    } catch (e) {
      decidedHere.current.delete(id);
      setError(e instanceof ApiError ? `${e.code}: ${e.message}` : (e as Error).message);
    } finally {
      setSending(false);
    }
  };

  const approveBatch = async () => {
    if (batch.length === 0) return;
    setSending(true);
    for (const i of batch) decidedHere.current.add(i.approval_id);
    try {
      const response = await api<{ results: BatchResult[] }>('escalation', '/approvals/batch', token, {
        method: 'POST',
        body: { items: batch.map((i) => ({ act: 'approve', approval_id: i.approval_id, payload_hash: i.payload_hash })) },
      });
      setBatchResults(response.results);
      const done = new Set(response.results.filter((r) => r.ok).map((r) => r.approval_id));
      for (const r of response.results) if (!r.ok) decidedHere.current.delete(r.approval_id);
      setItems((prev) => prev.filter((i) => !done.has(i.approval_id)));
      setSelected(new Set());
    } catch (e) {
      for (const i of batch) decidedHere.current.delete(i.approval_id);
      setError((e as Error).message);
    } finally {
      setSending(false);
    }
  };

  const run = (command: Command) => {
    switch (command) {
      case 'approve':
        // An edit the schema refuses is never sent: its problems stay on screen.
        if (panel === 'edit') return problems.length === 0 ? void send('edit') : undefined;
        return void send('approve');
      case 'deny':
      case 'clarify':
        if (!canDecide) return;
        setText('');
        return setPanel(command);
      case 'edit':
        if (!canDecide || !detail) return;
        setEdits({});
        return setPanel('edit');
      case 'next':
      case 'previous':
        if (directId) go('/');
        setConfirmation(null);
        if (pinned) return setPinned(null);
        return setCursor((c) => moveCursor(c, command === 'next' ? 1 : -1, items.length));
      case 'toggle-select':
        return current && setSelected((s) => toggle(s, current.approval_id));
      case 'select-similar':
        return current && setSelected((s) => selectSimilar(items, current, s));
      case 'batch-approve':
        if (batch.length === 0) return;
        setBatchResults(null);
        return setPanel('batch');
      case 'help':
        return setPanel((p) => (p === 'help' ? 'none' : 'help'));
      case 'close':
        setBatchResults(null);
        return setPanel('none');
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing = !!target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);
      const command = commandFor(e.key, typing ? 'form' : panel === 'batch' || panel === 'help' ? 'dialog' : 'browse', { ctrl: e.ctrlKey, alt: e.altKey, meta: e.metaKey });
      if (command === null) return;
      e.preventDefault();
      run(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const onFormKey = (act: 'deny' | 'clarify' | 'edit') => (e: ReactKeyboardEvent) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    if (act === 'edit') {
      if (problems.length === 0) void send('edit');
    } else if (text.trim() !== '') void send(act);
  };

  const editable = detail ? Array.from(new Set([...Object.keys(detail.parameters), ...Object.keys((detail.parameters_schema?.properties as object) ?? {})])) : [];

  return (
    <main className="inbox-layout">
      <section className="list" aria-label="Inbox">
        <header className="list-head">
          <h1>
            Inbox <span className="count">{items.length}</span>
          </h1>
          <span className={`live ${live ? 'on' : 'off'}`} data-testid="live">
            {live ? 'live' : 'reconnecting'}
          </span>
          <button type="button" onClick={() => run('help')} aria-label="Keyboard help">
            ?
          </button>
        </header>
        {notices.length > 0 && (
          <ul className="notices" data-testid="notices">
            {notices.map((n, i) => (
              <li key={i}>{n.text}</li>
            ))}
          </ul>
        )}
        {selected.size > 0 && (
          <p className="selection">
            {batch.length} selected{' '}
            <button type="button" onClick={() => run('batch-approve')}>
              Approve selection (b)
            </button>{' '}
            <button type="button" onClick={() => setSelected(new Set())}>
              Clear
            </button>
          </p>
        )}
        {items.length === 0 && <p className="empty">Nothing waits for you.</p>}
        <ol className="items">
          {items.map((item, i) => {
            const left = secondsLeftAt(item, receivedAt.current.get(item.approval_id) ?? now, now);
            return (
              <li
                key={item.approval_id}
                data-testid="inbox-item"
                data-approval-id={item.approval_id}
                className={`item ${item.approval_id === openId ? 'current' : ''} ${selected.has(item.approval_id) ? 'selected' : ''}`}
                onClick={() => (directId && go('/'), setPinned(null), setCursor(i), setConfirmation(null))}
              >
                <input type="checkbox" aria-label="Select for a batch" checked={selected.has(item.approval_id)} onChange={() => setSelected((s) => toggle(s, item.approval_id))} onClick={(e) => e.stopPropagation()} />
                <span className="summary">{item.summary}</span>
                <span className={`time ${urgencyOf(left)}`}>{formatTimeLeft(left, item.sla_paused)}</span>
                <span className={`severity ${item.consequence?.severity ?? 'unknown'}`}>
                  {item.consequence ? `${item.consequence.severity}${item.consequence.reversible ? ', reversible' : ', irreversible'}` : 'unknown action'}
                </span>
                <span className="amount">{formatAmount(item.amount)}</span>
                <span className="meta">
                  {item.action} · {item.agent.id}
                  {item.assignee && item.assignee !== me.id ? ` · ${item.assignee}’s` : ''}
                </span>
              </li>
            );
          })}
        </ol>
      </section>
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
        {detail && detail.approval_id === openId && (
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
            {(panel === 'deny' || panel === 'clarify') && (
              <div className="form">
                <label htmlFor="panel-text">{panel === 'deny' ? 'Why deny it? (Enter sends)' : 'What should the agent clarify? (Enter sends)'}</label>
                <input id="panel-text" data-testid={`${panel}-text`} autoFocus value={text} onChange={(e) => setText(e.target.value)} onKeyDown={onFormKey(panel)} />
                <button type="button" disabled={text.trim() === '' || !canDecide} onClick={() => void send(panel)}>
                  {panel === 'deny' ? 'Deny' : 'Ask'}
                </button>
                <button type="button" onClick={() => setPanel('none')}>
                  Cancel (Esc)
                </button>
              </div>
            )}
            {panel === 'edit' && (
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
                      onKeyDown={onFormKey('edit')}
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
            )}
            <DecisionView detail={detail} fetchedAt={detailAt} now={now} />
          </>
        )}
      </section>
      {panel === 'batch' && (
        <div className="dialog" role="dialog" aria-modal="true" aria-label="Approve the selection">
          {batchResults === null ? (
            <>
              <h2>
                Approve {batch.length} similar item{batch.length === 1 ? '' : 's'}?
              </h2>
              <ul className="batch-list">
                {batch.map((i) => (
                  <li key={i.approval_id}>{i.summary}</li>
                ))}
              </ul>
              <button type="button" className="approve" autoFocus disabled={sending} onClick={() => void approveBatch()} data-testid="batch-confirm">
                Approve all {batch.length} (Enter)
              </button>
              <button type="button" onClick={() => setPanel('none')}>
                Cancel (Esc)
              </button>
            </>
          ) : (
            <>
              <h2 data-testid="batch-summary">
                {batchResults.filter((r) => r.ok).length} of {batchResults.length} approved
              </h2>
              <ul className="batch-results" data-testid="batch-results">
                {batchResults.map((r) => (
                  <li key={r.approval_id} className={r.ok ? 'ok' : 'failed'} data-testid="batch-result">
                    {r.approval_id.slice(0, 8)}: {r.ok ? r.result?.status : `${r.error?.code}: ${r.error?.message}`}
                  </li>
                ))}
              </ul>
              <button type="button" autoFocus onClick={() => run('close')}>
                Close (Esc)
              </button>
            </>
          )}
        </div>
      )}
      {panel === 'help' && (
        <div className="dialog" role="dialog" aria-label="Keyboard help">
          <h2>Keys</h2>
          <dl className="keys">
            {KEYMAP.map((k) => (
              <div key={k.key}>
                <dt>
                  <kbd>{k.key}</kbd>
                </dt>
                <dd>{k.label}</dd>
              </div>
            ))}
          </dl>
          <button type="button" autoFocus onClick={() => run('close')}>
            Close (Esc)
          </button>
        </div>
      )}
    </main>
  );
}
