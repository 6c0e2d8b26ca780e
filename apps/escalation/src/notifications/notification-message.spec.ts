import {
  HandoffFacts,
  NotificationFacts,
  SlackBlock,
  buildMessage,
  escapeMrkdwn,
  formatAmount,
  handoffMessage,
  isRoutine,
  untilDeadline,
} from './notification-message';

const now = new Date('2026-11-22T09:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const base = 'https://hitl.example.com';

function facts(overrides: Partial<NotificationFacts> = {}): NotificationFacts {
  return {
    kind: 'assigned',
    approvalId: '0b9e4a8e-5f0e-4c55-9a57-8a6c1b6f2d11',
    workspace: 'acme-support',
    action: 'process_refund',
    rendering: 'Refund $120.00 for order "ORD-1".',
    summary: 'Refund order ORD-1 (damaged on arrival)',
    confidence: 0.82,
    consequence: { severity: 'high', reversible: false },
    amount: { field: 'amount_usd', value: 120 },
    slaDeadline: at(60),
    role: 'support_agent',
    reviewer: { id: 'alice', name: 'Alice Moreau' },
    why: null,
    links: { approval: `${base}/approvals/0b9e4a8e-5f0e-4c55-9a57-8a6c1b6f2d11`, approve: `${base}/links/tok-approve`, deny: `${base}/links/tok-deny` },
    ...overrides,
  };
}

const fieldsOf = (blocks: SlackBlock[]) => blocks.flatMap((b) => (b.type === 'section' && b.fields ? b.fields.map((f) => f.text) : []));
const buttonsOf = (blocks: SlackBlock[]) => blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => [e.text.text, e.url]) : []));

describe('which requests are routine (one-click approve and deny)', () => {
  const routine = { route: 'human_review' as const, requiredApprovals: 1, assignee: 'alice', severity: 'high' as const };
  it.each([
    ['one reviewer, assigned, high severity', routine, true],
    ['low severity', { ...routine, severity: 'low' as const }, true],
    ['critical severity', { ...routine, severity: 'critical' as const }, false],
    ['an action not in the manifest in force', { ...routine, severity: null }, false],
    ['two approvals needed', { ...routine, requiredApprovals: 2 }, false],
    ['nobody assigned', { ...routine, assignee: null }, false],
    ['routed to escalate', { ...routine, route: 'escalate' as const }, false],
    ['a post-review', { ...routine, route: 'post_review' as const }, false],
  ])('%s: %s', (_name, request, expected) => {
    expect(isRoutine(request)).toBe(expected);
  });
});

describe('the notification message', () => {
  it('names the action, the consequence, the amount, the SLA deadline, the reviewer and the link', () => {
    const { text, blocks } = buildMessage(facts(), now);
    expect(text).toBe(
      'Approval needed from Alice Moreau (support_agent): process_refund of $120.00; consequence: high severity, irreversible; ' +
        'SLA deadline 2026-11-22T10:00:00.000Z (in 1 h); workspace acme-support. Refund $120.00 for order "ORD-1". ' +
        `<${base}/approvals/0b9e4a8e-5f0e-4c55-9a57-8a6c1b6f2d11|Open the approval> · <${base}/links/tok-approve|Approve> · <${base}/links/tok-deny|Deny>`,
    );
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Approval needed from Alice Moreau (support_agent)' } });
    // What will run first, from the manifest's template; then the agent's words, said to be theirs.
    expect(blocks[1]).toEqual({ type: 'section', text: { type: 'plain_text', text: 'Refund $120.00 for order "ORD-1".' } });
    expect(blocks[2]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: "*The agent's summary* (its own words)\nRefund order ORD-1 (damaged on arrival)" },
    });
    expect(fieldsOf(blocks)).toEqual([
      '*Action*\nprocess_refund',
      '*Consequence*\nhigh severity, irreversible',
      '*Amount*\n$120.00',
      '*SLA deadline*\n<!date^1795341600^{date_short_pretty} {time}|2026-11-22T10:00:00.000Z> (in 1 h)',
      '*Reviewer*\nAlice Moreau (support_agent)',
      '*Workspace*\nacme-support',
      '*Agent confidence*\n0.82',
    ]);
    expect(buttonsOf(blocks)).toEqual([
      ['Open the approval', `${base}/approvals/0b9e4a8e-5f0e-4c55-9a57-8a6c1b6f2d11`],
      ['Approve', `${base}/links/tok-approve`],
      ['Deny', `${base}/links/tok-deny`],
    ]);
  });

  it.each([
    [
      'no one-click links',
      facts({ links: { approval: `${base}/approvals/x`, approve: null, deny: null } }),
      { buttons: ['Open the approval'], textHas: `<${base}/approvals/x|Open the approval>.`.slice(0, -1), textLacks: 'Approve' },
    ],
    [
      'no amount field',
      facts({ amount: null }),
      { buttons: ['Open the approval', 'Approve', 'Deny'], textHas: 'process_refund; consequence', textLacks: 'Amount' },
    ],
    [
      'an unknown action',
      facts({ consequence: null }),
      {
        buttons: ['Open the approval', 'Approve', 'Deny'],
        textHas: 'consequence: unknown (the action is not in the manifest in force)',
        textLacks: 'severity',
      },
    ],
    [
      'nobody available',
      facts({ reviewer: null, links: { approval: `${base}/approvals/x`, approve: null, deny: null } }),
      { buttons: ['Open the approval'], textHas: 'Approval needed from the support_agent queue (nobody is available)', textLacks: 'Approve' },
    ],
  ])('%s', (_name, f, expected) => {
    const { text, blocks } = buildMessage(f, now);
    expect(buttonsOf(blocks).map(([label]) => label)).toEqual(expected.buttons);
    expect(text).toContain(expected.textHas);
    expect(text).not.toContain(expected.textLacks);
  });

  it.each([
    ['reassigned', 'Approval reassigned to Bob (support_agent)', 'Reassigned: sla missed by alice'],
    ['escalated', 'Approval escalated to Bob (support_agent)', 'Escalated: sla missed by alice'],
  ] as const)('says why it was %s', (kind, header, context) => {
    const { blocks } = buildMessage(facts({ kind, reviewer: { id: 'bob', name: 'Bob' }, why: 'sla missed by alice' }), now);
    expect(blocks[0]).toMatchObject({ text: { text: header } });
    expect(blocks.find((b) => b.type === 'context')).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: context }] });
  });

  it('escapes what the agent and people wrote, so nobody can inject links or mentions', () => {
    const { text, blocks } = buildMessage(
      facts({
        rendering: 'Close ticket "<!channel> *now*".',
        summary: 'Refund <!channel> & <https://evil.example|click>',
        workspace: 'a<b',
        reviewer: { id: 'm', name: 'M <@U1>' },
      }),
      now,
    );
    // The header and the rendering are plain_text, which Slack never parses; everything mrkdwn is escaped.
    const all = JSON.stringify(blocks.slice(2)) + text;
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<https://evil.example');
    expect(all).not.toContain('<@U1>');
    expect(blocks[1]).toEqual({ type: 'section', text: { type: 'plain_text', text: 'Close ticket "<!channel> *now*".' } });
    expect(blocks[2]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: "*The agent's summary* (its own words)\nRefund &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" },
    });
  });

  it('clips a long rendering and a long summary to what Slack accepts', () => {
    const { blocks } = buildMessage(facts({ rendering: 'y'.repeat(5000), summary: 'x'.repeat(5000) }), now);
    expect((blocks[1] as { text: { text: string } }).text.text).toHaveLength(2900);
    expect((blocks[2] as { text: { text: string } }).text.text).toHaveLength(2900);
  });
});

describe('formatting', () => {
  it.each([
    [{ field: 'amount_usd', value: 120 }, '$120.00'],
    [{ field: 'usd', value: 1234.5 }, '$1,234.50'],
    [{ field: 'amount_eur', value: 99 }, '99 (amount_eur)'],
    [{ field: 'seats', value: 3 }, '3 (seats)'],
  ])('the amount %j as %s', (amount, expected) => {
    expect(formatAmount(amount)).toBe(expected);
  });

  it.each([
    [at(60), 'in 1 h'],
    [at(65), 'in 1 h 5 min'],
    [at(45), 'in 45 min'],
    [new Date(now.getTime() + 45_000), 'in 45 s'],
    [now, 'in 0 s'],
    [at(-3), 'overdue by 3 min'],
    [at(-150), 'overdue by 2 h 30 min'],
  ])('the deadline %s as %s', (deadline, expected) => {
    expect(untilDeadline(deadline, now)).toBe(expected);
  });

  it.each([
    ['a & b', 'a &amp; b'],
    ['<!here>', '&lt;!here&gt;'],
    ['plain', 'plain'],
  ])('escapes %j', (raw, escaped) => {
    expect(escapeMrkdwn(raw)).toBe(escaped);
  });
});

describe('a handoff in a role’s channel', () => {
  const handoff: HandoffFacts = {
    kind: 'handoff_opened',
    workspace: 'acme-support',
    agentId: 'refund-bot',
    sessionId: 'chat-7731',
    reason: 'customer *insists* <!channel> on a person',
    role: 'support_agent',
    slaDeadline: new Date('2026-12-04T10:10:00Z'),
    why: null,
    link: 'https://console.example.test/handoffs/h-1',
  };
  const at10 = new Date('2026-12-04T10:00:00Z');

  it.each([
    ['opened', handoff, 'A person is asked for: take the session over', 'waits for support_agent: '],
    [
      'escalated',
      { ...handoff, kind: 'handoff_escalated' as const, role: 'team_lead', why: 'from support_agent: nobody took it over within the SLA (10 min)' },
      'Still nobody took the session over',
      'waits for team_lead (from support_agent: nobody took it over within the SLA (10 min)): ',
    ],
  ])('%s: headline, who it waits for, the deadline, and a link that needs sign-in', (_, f, headline, waits) => {
    const message = handoffMessage(f, at10);
    expect(message.text).toContain(headline);
    expect(message.text).toContain(waits);
    expect(message.text).toContain('Take it over by 2026-12-04T10:10:00.000Z');
    expect(message.text).toContain('<https://console.example.test/handoffs/h-1|Open the handoff>');
  });

  it('escapes what the agent wrote: no mention or link can be smuggled in', () => {
    const { text } = handoffMessage(handoff, at10);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
  });
});
