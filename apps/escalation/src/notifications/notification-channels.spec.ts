import { Channel, NotificationFacts, openApprovalUrl, placementMessages, tokenIssuedMessage } from './notification-message';
import { parseNotificationsFile } from './notifications-file';

// Who gets which message of a placement: a role's shared channel never a one-click link
// (anyone there could click it); the assignee's own channel the links, when they are made.

const now = new Date('2026-11-22T09:00:00Z');
const base = 'https://hitl.example.com';
const approval = `${base}/approvals/0b9e4a8e-5f0e-4c55-9a57-8a6c1b6f2d11`;
const oneClick = { approve: `${base}/links/tok-approve`, deny: `${base}/links/tok-deny` };

const facts = (reviewer: NotificationFacts['reviewer'] = { id: 'alice', name: 'Alice Moreau' }) => ({
  kind: 'assigned' as const,
  approvalId: '0b9e4a8e-5f0e-4c55-9a57-8a6c1b6f2d11',
  workspace: 'acme-support',
  action: 'process_refund',
  rendering: 'Refund $120.00 for order "ORD-1".',
  summary: 'Refund order ORD-1',
  confidence: 0.82,
  consequence: { severity: 'high' as const, reversible: false },
  amount: null,
  slaDeadline: new Date(now.getTime() + 3_600_000),
  role: 'support_agent',
  reviewer,
  why: null,
  links: { approval },
});

/** Each message as its channel and the buttons it carries. */
const sent = (messages: ReturnType<typeof placementMessages>) =>
  messages.map(({ channel, message }) => ({
    channel,
    buttons: message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.text.text) : [])),
    links: new Set(JSON.stringify(message).match(/\/links\/[\w-]+/g)).size,
  }));

describe('the messages of one placement, by channel', () => {
  const shared = { channel: 'role' as Channel, buttons: ['Open the approval'], links: 0 };
  it.each([
    ['a shared channel only', { shared: true, own: false }, oneClick, [shared]],
    [
      'the assignee’s own channel only',
      { shared: false, own: true },
      oneClick,
      [{ channel: 'reviewer', buttons: ['Open the approval', 'Approve', 'Deny'], links: 2 }],
    ],
    ['both', { shared: true, own: true }, oneClick, [shared, { channel: 'reviewer', buttons: ['Open the approval', 'Approve', 'Deny'], links: 2 }]],
    ['both, not routine (no links made)', { shared: true, own: true }, null, [shared, { channel: 'reviewer', buttons: ['Open the approval'], links: 0 }]],
    ['neither', { shared: false, own: false }, oneClick, []],
  ] as const)('%s', (_name, channels, links, expected) => {
    expect(sent(placementMessages(facts(), channels, links, now))).toEqual(expected);
  });

  it('nobody assigned: only the shared channel, never links', () => {
    expect(sent(placementMessages(facts(null), { shared: true, own: true }, oneClick, now))).toEqual([shared]);
  });

  it('the shared message links to the approval, which needs sign-in', () => {
    const [{ message }] = placementMessages(facts(), { shared: true, own: false }, oneClick, now);
    expect(message.text).toContain(`<${approval}|Open the approval>`);
    expect(message.text).not.toContain('Approve>');
  });
});

describe('a token issued, told to the reviewer', () => {
  it('says by whom and when, that the old one stopped working, and what to do', () => {
    const message = tokenIssuedMessage({ reviewerName: 'Dana <Okafor>', issuedBy: 'rev-grace', at: now });
    expect(message.text).toBe(
      'A new sign-in token was issued for you: rev-grace issued a new hitl sign-in token for Dana &lt;Okafor&gt; at 2026-11-22T09:00:00.000Z. ' +
        'Your previous token no longer works. If you did not ask for this, tell your security team: the change is on the audit record.',
    );
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'A new sign-in token was issued for you' } });
  });
});

describe('where "Open the approval" goes', () => {
  it('to the console when the notifications file names it, else to the service; both need sign-in', () => {
    const withConsole = parseNotificationsFile('public_url: https://hitl.example.com\nconsole_url: https://console.example.com/\n');
    expect(openApprovalUrl(withConsole, 'a-1')).toBe('https://console.example.com/approvals/a-1');
    expect(openApprovalUrl(parseNotificationsFile('public_url: https://hitl.example.com'), 'a-1')).toBe('https://hitl.example.com/approvals/a-1');
  });
});
