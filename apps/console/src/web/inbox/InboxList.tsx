import { InboxItem } from '@hitl/reviewer-api';
import { formatAmount, formatTimeLeft, secondsLeftAt, urgencyOf } from '../format';
import { Notice } from '../inbox-state';

export interface InboxListProps {
  items: InboxItem[];
  viewerId: string;
  /** The approval open beside the list. */
  openId: string | null;
  selected: ReadonlySet<string>;
  /** How many selected items are still in the inbox. */
  batchSize: number;
  live: boolean;
  notices: Notice[];
  /** When each line's time left was read. */
  receivedAt: ReadonlyMap<string, number>;
  now: number;
  onOpen: (index: number) => void;
  onToggle: (approvalId: string) => void;
  onHelp: () => void;
  onBatch: () => void;
  onClearSelection: () => void;
}

/** The inbox: one line per open approval, soonest deadline first, with the live state and the selection. */
export function InboxList({
  items,
  viewerId,
  openId,
  selected,
  batchSize,
  live,
  notices,
  receivedAt,
  now,
  onOpen,
  onToggle,
  onHelp,
  onBatch,
  onClearSelection,
}: InboxListProps) {
  return (
    <section className="list" aria-label="Inbox">
      <header className="list-head">
        <h1>
          Inbox <span className="count">{items.length}</span>
        </h1>
        <span className={`live ${live ? 'on' : 'off'}`} data-testid="live">
          {live ? 'live' : 'reconnecting'}
        </span>
        <button type="button" onClick={onHelp} aria-label="Keyboard help">
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
          {batchSize} selected{' '}
          <button type="button" onClick={onBatch}>
            Approve selection (b)
          </button>{' '}
          <button type="button" onClick={onClearSelection}>
            Clear
          </button>
        </p>
      )}
      {items.length === 0 && <p className="empty">Nothing waits for you.</p>}
      <ol className="items">
        {items.map((item, i) => (
          <InboxLine
            key={item.approval_id}
            item={item}
            viewerId={viewerId}
            open={item.approval_id === openId}
            selected={selected.has(item.approval_id)}
            secondsLeft={secondsLeftAt(item, receivedAt.get(item.approval_id) ?? now, now)}
            onOpen={() => onOpen(i)}
            onToggle={() => onToggle(item.approval_id)}
          />
        ))}
      </ol>
    </section>
  );
}

function InboxLine({
  item,
  viewerId,
  open,
  selected,
  secondsLeft,
  onOpen,
  onToggle,
}: {
  item: InboxItem;
  viewerId: string;
  open: boolean;
  selected: boolean;
  secondsLeft: number | null;
  onOpen: () => void;
  onToggle: () => void;
}) {
  return (
    <li data-testid="inbox-item" data-approval-id={item.approval_id} className={`item ${open ? 'current' : ''} ${selected ? 'selected' : ''}`} onClick={onOpen}>
      <input type="checkbox" aria-label="Select for a batch" checked={selected} onChange={onToggle} onClick={(e) => e.stopPropagation()} />
      <span className="summary">{item.summary}</span>
      <span className={`time ${urgencyOf(secondsLeft)}`}>{formatTimeLeft(secondsLeft, item.sla_paused)}</span>
      <span className={`severity ${item.consequence?.severity ?? 'unknown'}`}>
        {item.consequence ? `${item.consequence.severity}${item.consequence.reversible ? ', reversible' : ', irreversible'}` : 'unknown action'}
      </span>
      <span className="amount">{formatAmount(item.amount)}</span>
      <span className="meta">
        {item.action} · {item.agent.id}
        {item.assignee && item.assignee !== viewerId ? ` · ${item.assignee}’s` : ''}
      </span>
    </li>
  );
}
