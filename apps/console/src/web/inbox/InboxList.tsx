import { InboxItem, InboxQueue } from '@hitl/reviewer-api';
import { formatAmount, formatTimeLeft, secondsLeftAt, urgencyOf } from '../format';
import { Notice } from '../inbox-state';
import { QueueCounts } from './use-inbox-items';

/** The two queues as the reviewer reads them, in the order of the tabs. */
const QUEUES: { queue: InboxQueue; label: string; empty: string }[] = [
  { queue: 'blocking', label: 'Waiting on you', empty: 'Nothing waits for you.' },
  { queue: 'post_review', label: 'After the fact', empty: 'No action waits for a review after the fact.' },
];

export interface InboxListProps {
  /** The queue shown. */
  queue: InboxQueue;
  /** Both queues' sizes, as the API counts them (null until first read). */
  counts: QueueCounts | null;
  onQueue: (queue: InboxQueue) => void;
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

/** The inbox: its two queues as tabs with their counts, one line per open approval of the shown one in the API's order, the live state and the selection. */
export function InboxList({
  queue,
  counts,
  onQueue,
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
        <h1>Inbox</h1>
        <span className={`live ${live ? 'on' : 'off'}`} data-testid="live">
          {live ? 'live' : 'reconnecting'}
        </span>
        <button type="button" onClick={onHelp} aria-label="Keyboard help">
          ?
        </button>
      </header>
      <div className="queues-tabs" role="tablist" aria-label="Queues">
        {QUEUES.map((q) => (
          <button
            key={q.queue}
            type="button"
            role="tab"
            aria-selected={q.queue === queue}
            className={q.queue === queue ? 'tab current' : 'tab'}
            data-testid={`queue-${q.queue}`}
            onClick={() => onQueue(q.queue)}
            title="q switches"
          >
            {q.label}{' '}
            <span className="count" data-testid={`count-${q.queue}`}>
              {counts ? counts[q.queue] : '…'}
            </span>
          </button>
        ))}
      </div>
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
            {queue === 'post_review' ? 'Confirm' : 'Approve'} selection (b)
          </button>{' '}
          <button type="button" onClick={onClearSelection}>
            Clear
          </button>
        </p>
      )}
      {items.length === 0 && <p className="empty">{QUEUES.find((q) => q.queue === queue)?.empty}</p>}
      <ol className="items" data-testid="inbox-items" data-queue={queue}>
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
    <li
      data-testid="inbox-item"
      data-approval-id={item.approval_id}
      data-route={item.route}
      className={`item ${open ? 'current' : ''} ${selected ? 'selected' : ''}`}
      onClick={onOpen}
    >
      <input type="checkbox" aria-label="Select for a batch" checked={selected} onChange={onToggle} onClick={(e) => e.stopPropagation()} />
      <span className="summary">{item.summary}</span>
      <span className={`time ${urgencyOf(secondsLeft)}`}>
        {item.route === 'post_review' ? 'to review: ' : ''}
        {formatTimeLeft(secondsLeft, item.sla_paused)}
      </span>
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
