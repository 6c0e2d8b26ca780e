// The inbox screen: one queue's list (what agents wait on, by default; or what already ran,
// reviewed after the fact) beside the open approval, fed by the live stream, driven by keys.
// Each concern is a hook or a component of ./inbox; this file wires them and sends the
// reviewer's decisions.
import { ClarificationAsked, DecisionResult, InboxQueue, Me, RolledBack } from '@hitl/reviewer-api';
import { useRef, useState } from 'react';
import { ApiError, api } from './api';
import { moveCursor, selectSimilar, toggle } from './inbox-state';
import { BatchDialog } from './inbox/BatchDialog';
import { DecisionPanel } from './inbox/DecisionPanel';
import { InboxList } from './inbox/InboxList';
import { KeysHelp } from './inbox/KeysHelp';
import { useApprovalDetail } from './inbox/use-approval-detail';
import { useBatch } from './inbox/use-batch';
import { useDecisionForm } from './inbox/use-decision-form';
import { useInboxItems } from './inbox/use-inbox-items';
import { useInboxKeys } from './inbox/use-inbox-keys';
import { useLiveChanges } from './inbox/use-live-changes';
import { useNow } from './inbox/use-now';
import { Command } from './keys';
import { AgentOption, choose, optionByDigit } from './options';
import { Act, verdictText } from './verdict';

export function Inbox({ token, me, path, go }: { token: string; me: Me; path: string; go: (path: string) => void }) {
  const [confirmation, setConfirmation] = useState<{ approval_id: string; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  // Approvals decided in this tab: the stream's word that they closed is no news.
  const decidedHere = useRef(new Set<string>());
  const openRef = useRef<string | null>(null);
  // Blocking work first: what agents wait on is the default view; post-reviews have their own.
  const [queue, setQueue] = useState<InboxQueue>('blocking');

  const now = useNow();
  const { items, setItems, counts, countsChanged, cursor, setCursor, receivedAt, load } = useInboxItems(token, me.id, queue, setError);
  const { live, notices, resolvedElsewhere, markClosed, pinned, setPinned, revision } = useLiveChanges({
    token,
    viewerId: me.id,
    queue,
    load,
    countsChanged,
    setItems,
    receivedAt,
    decidedHere,
    openRef,
  });

  const directId = /^\/approvals\/([0-9a-f-]{36})$/i.exec(path)?.[1] ?? null;
  const current = directId ? items.find((i) => i.approval_id === directId) : items[cursor];
  const openId = directId ?? pinned ?? current?.approval_id ?? null;
  openRef.current = openId;

  const { detail, detailAt, refusal } = useApprovalDetail(openId, token, revision, markClosed);
  const form = useDecisionForm(detail, { openId, token, revision });
  const { panel, setPanel, text, setText, setEdits, edited, problems, offered, chosen, setChosen } = form;
  const batches = useBatch({ token, items, setItems, decidedHere, setSending, setError });
  const { selected, setSelected, batch } = batches;

  const closedAs = openId ? resolvedElsewhere.get(openId) : undefined;
  const canDecide = !!detail && detail.approval_id === openId && !closedAs && !sending;
  // An action that already ran is confirmed (approve) or rolled back; never denied, edited or asked about.
  const postReview = detail?.route === 'post_review';

  const decided = (approvalId: string, verdict: string) => {
    decidedHere.current.add(approvalId);
    setConfirmation({ approval_id: approvalId, text: verdict });
    setItems((prev) => prev.filter((i) => i.approval_id !== approvalId));
    setSelected((s) => (s.has(approvalId) ? toggle(s, approvalId) : s));
    setPanel('none');
    setText('');
    setEdits({});
    setChosen(null);
    if (directId) go('/');
  };

  const send = async (act: Act | 'clarify') => {
    if (!canDecide || !detail) return;
    const id = detail.approval_id;
    setSending(true);
    setError(null);
    // Marked before sending: the stream may announce the resolution before the response arrives.
    if (act !== 'clarify') decidedHere.current.add(id);
    try {
      if (act === 'clarify') {
        await api('escalation', `/approvals/${id}/clarify`, token, { method: 'POST', body: { question: text.trim() }, answer: ClarificationAsked });
        setConfirmation({ approval_id: id, text: `Asked the agent: ${text.trim()}` });
        setPanel('none');
        setText('');
      } else if (act === 'rollback') {
        const result = await api('escalation', `/approvals/${id}/rollback`, token, { method: 'POST', body: { reason: text.trim() }, answer: RolledBack });
        decided(id, verdictText(act, result.status, detail.summary));
      } else {
        // The agent's option the reviewer chose goes with an approval (as proposed or edited); a denial chooses none.
        const option = act !== 'deny' && chosen ? { chosen_option: chosen.key } : {};
        const body =
          act === 'approve'
            ? { payload_hash: detail.payload_hash, ...option }
            : act === 'deny'
              ? { payload_hash: detail.payload_hash, reason: text.trim() }
              : { payload_hash: detail.payload_hash, parameters: edited, ...option };
        const result = await api('escalation', `/approvals/${id}/${act}`, token, { method: 'POST', body, answer: DecisionResult });
        decided(id, verdictText(act, result.status, detail.summary, act !== 'deny' ? chosen : null));
      }
    } catch (e) {
      decidedHere.current.delete(id);
      setError(e instanceof ApiError ? `${e.code}: ${e.message}` : (e as Error).message);
    } finally {
      setSending(false);
    }
  };

  /** Opens another approval (a line clicked, j or k): what was said about the last one goes. */
  const leave = () => {
    if (directId) go('/');
    setConfirmation(null);
  };

  /** Shows the other queue: what was open, selected or typed belongs to the one left. */
  const showQueue = (next: InboxQueue) => {
    if (next === queue) return;
    leave();
    setPinned(null);
    setItems([]);
    setSelected(new Set());
    batches.setResults(null);
    setPanel('none');
    setQueue(next);
  };

  const run = (command: Command) => {
    switch (command) {
      case 'approve':
        // An edit the schema refuses is never sent: its problems stay on screen.
        if (panel === 'edit') return problems.length === 0 ? void send('edit') : undefined;
        return void send('approve');
      case 'deny':
      case 'clarify':
        if (!canDecide || postReview) return;
        setText('');
        return setPanel(command);
      case 'rollback':
        if (!canDecide || !postReview) return;
        setText('');
        return setPanel('rollback');
      case 'edit':
        if (!canDecide || !detail || postReview) return;
        setEdits({});
        return setPanel('edit');
      case 'next':
      case 'previous':
        leave();
        if (pinned) return setPinned(null);
        return setCursor((c) => moveCursor(c, command === 'next' ? 1 : -1, items.length));
      case 'toggle-select':
        return current && setSelected((s) => toggle(s, current.approval_id));
      case 'select-similar':
        return current && setSelected((s) => selectSimilar(items, current, s));
      case 'batch-approve':
        if (batch.length === 0) return;
        batches.setResults(null);
        return setPanel('batch');
      case 'switch-queue':
        return showQueue(queue === 'blocking' ? 'post_review' : 'blocking');
      case 'help':
        return setPanel((p) => (p === 'help' ? 'none' : 'help'));
      case 'close':
        batches.setResults(null);
        return setPanel('none');
    }
  };

  /**
   * Chooses one of the agent's options (a digit, or a click past the ninth); choosing it again
   * clears the choice. Choosing never sends anything: `a` stays the one key that approves, so a
   * stray digit is undone by another and the choice is on screen, in the approve button, before it goes.
   */
  const chooseOption = (option: AgentOption | null) => {
    if (!canDecide || !option) return;
    setChosen((c) => choose(c, option.key));
  };

  useInboxKeys(panel, run, (digit) => chooseOption(optionByDigit(offered.options, digit)));

  return (
    <main className="inbox-layout">
      <InboxList
        queue={queue}
        counts={counts}
        onQueue={showQueue}
        items={items}
        viewerId={me.id}
        openId={openId}
        selected={selected}
        batchSize={batch.length}
        live={live}
        notices={notices}
        receivedAt={receivedAt.current}
        now={now}
        onOpen={(i) => (leave(), setPinned(null), setCursor(i))}
        onToggle={(id) => setSelected((s) => toggle(s, id))}
        onHelp={() => run('help')}
        onBatch={() => run('batch-approve')}
        onClearSelection={() => setSelected(new Set())}
      />
      <DecisionPanel
        confirmation={confirmation}
        error={error}
        refusal={refusal}
        closedAs={closedAs}
        detail={detail && detail.approval_id === openId ? detail : null}
        detailAt={detailAt}
        now={now}
        canDecide={canDecide}
        form={form}
        run={run}
        send={(act) => void send(act)}
        chooseOption={chooseOption}
      />
      {panel === 'batch' && (
        <BatchDialog
          queue={queue}
          batch={batch}
          results={batches.results}
          sending={sending}
          onConfirm={() => void batches.approve()}
          onCancel={() => setPanel('none')}
          onClose={() => run('close')}
        />
      )}
      {panel === 'help' && <KeysHelp onClose={() => run('close')} />}
    </main>
  );
}
