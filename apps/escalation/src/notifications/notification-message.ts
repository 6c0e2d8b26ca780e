// What a reviewer's chat shows when an approval lands on them: what will run (the line the
// manifest's template renders, as the console shows it), the action, its consequence, the
// amount, the SLA deadline, who has it, and links. Slack-compatible JSON (`text` for
// clients and previews that ignore blocks, `blocks` for Slack). Pure: facts and `now` in.
import { ApprovalRoute } from '@hitl/contracts';
import { Manifest, Severity, readPath } from '@hitl/policy';
import { renderAction } from '../reviewer-inbox/render-action';

export type PlacementKind = 'assigned' | 'reassigned' | 'escalated';

/** Every kind of notification: a placement, or a token issued for the reviewer. */
export type NotificationKind = PlacementKind | 'token_issued' | 'handoff_opened' | 'handoff_escalated';

/**
 * Where a notification goes: a role's shared channel (its webhook in the notifications file)
 * or one reviewer's own (their webhook in the directory). One-click links go only to the latter.
 */
export type Channel = 'role' | 'reviewer';

/** The manifest's word on what goes wrong if this is wrong. */
export interface Consequence {
  severity: Severity;
  reversible: boolean;
}

export interface NotificationFacts {
  kind: PlacementKind;
  approvalId: string;
  workspace: string;
  action: string;
  /** What will run, in plain language: the manifest's template over the parameters (redacted ones masked), as the console shows it. */
  rendering: string;
  /** The agent's one-line account of what it wants to do. */
  summary: string;
  confidence: number;
  /** Null when the action is not in the manifest in force. */
  consequence: Consequence | null;
  /** Only when the manifest names the action's amount field and the parameter is a number. */
  amount: { field: string; value: number } | null;
  slaDeadline: Date;
  role: string;
  /** Null while it waits in the role's queue (nobody available). */
  reviewer: { id: string; name: string } | null;
  /** Why it moved, for a reassignment or an escalation. */
  why: string | null;
  links: { approval: string; approve: string | null; deny: string | null };
}

interface Text {
  type: 'plain_text' | 'mrkdwn';
  text: string;
}
export type SlackBlock =
  | { type: 'header'; text: Text }
  | { type: 'section'; text?: Text; fields?: Text[] }
  | { type: 'context'; elements: Text[] }
  | { type: 'actions'; elements: { type: 'button'; text: Text; url: string; style?: 'primary' | 'danger'; action_id: string }[] };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/**
 * Routine: one reviewer can settle it, and it is not the most severe kind. Only routine
 * requests get one-click approve and deny links; the rest are decided on the approval page.
 */
export function isRoutine(r: { route: ApprovalRoute; requiredApprovals: number; assignee: string | null; severity: Severity | null }): boolean {
  return r.route === 'human_review' && r.requiredApprovals === 1 && r.assignee !== null && r.severity !== null && r.severity !== 'critical';
}

/**
 * What the manifest in force says of an action: its consequence (null when it is not in the
 * manifest), the amount, only where the manifest names the parameter holding it, and the
 * plain-language line of what will run (its `render` template, else every parameter by name).
 */
export function manifestFacts(
  manifest: Manifest,
  action: string,
  parameters: Record<string, unknown>,
): Pick<NotificationFacts, 'consequence' | 'amount' | 'rendering'> {
  const policy = manifest.actions.get(action);
  const field = manifest.document.actions[action]?.amount_field ?? null;
  const value = field === null ? undefined : readPath(parameters, field);
  return {
    consequence: policy ? { severity: policy.severity, reversible: policy.reversible } : null,
    amount: field !== null && typeof value === 'number' && Number.isFinite(value) ? { field, value } : null,
    rendering: renderAction(action, parameters, policy).headline,
  };
}

export const approvalUrl = (publicUrl: string, approvalId: string) => `${publicUrl}/approvals/${encodeURIComponent(approvalId)}`;

/** Where "Open the approval" goes: the console when the file names it, else the service's own page of it. Both need sign-in. */
export const openApprovalUrl = (settings: { publicUrl: string; consoleUrl?: string }, approvalId: string) =>
  approvalUrl(settings.consoleUrl ?? settings.publicUrl, approvalId);
export const linkUrl = (publicUrl: string, token: string) => `${publicUrl}/links/${token}`;

/** Slack's mrkdwn needs only these three escaped; everything the agent or a person wrote goes through it. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function describeConsequence(c: Consequence | null): string {
  if (!c) return 'unknown (the action is not in the manifest in force)';
  return `${c.severity} severity, ${c.reversible ? 'reversible' : 'irreversible'}`;
}

export function formatAmount(amount: { field: string; value: number }): string {
  if (/(^|_)usd$/i.test(amount.field)) {
    return amount.value.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
  }
  return `${amount.value} (${amount.field})`;
}

/** "in 1 h 5 min", "in 45 s", "overdue by 3 min": the deadline as the reader feels it. */
export function untilDeadline(deadline: Date, now: Date): string {
  const ms = deadline.getTime() - now.getTime();
  const span = Math.abs(ms);
  let words: string;
  if (span < 60_000) words = `${Math.round(span / 1000)} s`;
  else if (span < 3_600_000) words = `${Math.round(span / 60_000)} min`;
  else {
    const totalMinutes = Math.round(span / 60_000);
    const hours = Math.floor(totalMinutes / 60);
    const minutes = totalMinutes % 60;
    words = minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
  }
  return ms >= 0 ? `in ${words}` : `overdue by ${words}`;
}

function headline(f: NotificationFacts): string {
  const who = f.reviewer ? `${f.reviewer.name} (${f.role})` : `the ${f.role} queue (nobody is available)`;
  switch (f.kind) {
    case 'assigned':
      return `Approval needed from ${who}`;
    case 'reassigned':
      return `Approval reassigned to ${who}`;
    case 'escalated':
      return `Approval escalated to ${who}`;
  }
}

/**
 * The messages of one placement, by channel. The role's shared channel gets the summary and
 * a link that needs sign-in, never a one-click link: anyone in that channel could click it.
 * The assignee's own channel, when they have one, gets the one-click links (if any are made).
 */
export function placementMessages(
  f: Omit<NotificationFacts, 'links'> & { links: { approval: string } },
  channels: { shared: boolean; own: boolean },
  oneClick: { approve: string; deny: string } | null,
  now: Date,
): { channel: Channel; message: SlackMessage }[] {
  const signIn = { approval: f.links.approval, approve: null, deny: null };
  return [
    ...(channels.shared ? [{ channel: 'role' as const, message: buildMessage({ ...f, links: signIn }, now) }] : []),
    ...(channels.own && f.reviewer !== null ? [{ channel: 'reviewer' as const, message: buildMessage({ ...f, links: { ...signIn, ...oneClick } }, now) }] : []),
  ];
}

export function buildMessage(f: NotificationFacts, now: Date): SlackMessage {
  const deadline = f.slaDeadline.toISOString();
  const due = untilDeadline(f.slaDeadline, now);
  const consequence = describeConsequence(f.consequence);
  const amount = f.amount ? formatAmount(f.amount) : null;
  const reviewer = f.reviewer ? `${f.reviewer.name} (${f.role})` : `nobody yet: waiting in the ${f.role} queue`;
  const oneClick = f.links.approve && f.links.deny ? ` · <${f.links.approve}|Approve> · <${f.links.deny}|Deny>` : '';

  const text =
    [
      `${escapeMrkdwn(headline(f))}: ${escapeMrkdwn(f.action)}${amount ? ` of ${amount}` : ''}`,
      `consequence: ${consequence}`,
      `SLA deadline ${deadline} (${due})`,
      `workspace ${escapeMrkdwn(f.workspace)}`,
    ].join('; ') + `. ${escapeMrkdwn(f.rendering)} <${f.links.approval}|Open the approval>${oneClick}`;

  const fields: Text[] = [
    { type: 'mrkdwn', text: `*Action*\n${escapeMrkdwn(f.action)}` },
    { type: 'mrkdwn', text: `*Consequence*\n${consequence}` },
    ...(amount ? [{ type: 'mrkdwn' as const, text: `*Amount*\n${amount}` }] : []),
    // Slack shows <!date…> in the reader's time zone; the ISO time is the fallback.
    { type: 'mrkdwn', text: `*SLA deadline*\n<!date^${Math.floor(f.slaDeadline.getTime() / 1000)}^{date_short_pretty} {time}|${deadline}> (${due})` },
    { type: 'mrkdwn', text: `*Reviewer*\n${escapeMrkdwn(reviewer)}` },
    { type: 'mrkdwn', text: `*Workspace*\n${escapeMrkdwn(f.workspace)}` },
    { type: 'mrkdwn', text: `*Agent confidence*\n${f.confidence.toFixed(2)}` },
  ];
  const buttons: Extract<SlackBlock, { type: 'actions' }>['elements'] = [
    { type: 'button', text: { type: 'plain_text', text: 'Open the approval' }, url: f.links.approval, action_id: 'open' },
  ];
  if (f.links.approve && f.links.deny) {
    buttons.push(
      { type: 'button', text: { type: 'plain_text', text: 'Approve' }, url: f.links.approve, style: 'primary', action_id: 'approve' },
      { type: 'button', text: { type: 'plain_text', text: 'Deny' }, url: f.links.deny, style: 'danger', action_id: 'deny' },
    );
  }
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(headline(f), 150) } },
    // What will run, as plain_text: Slack formats nothing in it, whatever the parameters hold.
    { type: 'section', text: { type: 'plain_text', text: clip(f.rendering, 2900) } },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*The agent's summary* (its own words)\n${escapeMrkdwn(f.summary)}`, 2900) } },
    { type: 'section', fields },
    ...(f.why
      ? [
          {
            type: 'context' as const,
            elements: [{ type: 'mrkdwn' as const, text: clip(`${f.kind === 'escalated' ? 'Escalated' : 'Reassigned'}: ${escapeMrkdwn(f.why)}`, 2900) }],
          },
        ]
      : []),
    { type: 'actions', elements: buttons },
  ];
  return { text, blocks };
}

/**
 * What a reviewer's own channel is told when a sign-in token is issued for them: by whom and
 * when, that the old one stopped working, and what to do if they did not ask for it.
 */
export function tokenIssuedMessage(f: { reviewerName: string; issuedBy: string; at: Date }): SlackMessage {
  const headline = 'A new sign-in token was issued for you';
  const body =
    `${escapeMrkdwn(f.issuedBy)} issued a new hitl sign-in token for ${escapeMrkdwn(f.reviewerName)} at ${f.at.toISOString()}. ` +
    'Your previous token no longer works. If you did not ask for this, tell your security team: the change is on the audit record.';
  return {
    text: `${headline}: ${body}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: headline } },
      { type: 'section', text: { type: 'mrkdwn', text: body } },
    ],
  };
}

/** What a role's channel is told about a handoff waiting for it. Never the conversation itself: the end user's words stay behind sign-in. */
export interface HandoffFacts {
  kind: 'handoff_opened' | 'handoff_escalated';
  workspace: string;
  agentId: string;
  sessionId: string;
  reason: string;
  role: string;
  slaDeadline: Date;
  /** Why it moved up (escalated only). */
  why: string | null;
  link: string;
}

export const openHandoffUrl = (settings: { publicUrl: string; consoleUrl?: string }, handoffId: string) =>
  `${settings.consoleUrl ?? settings.publicUrl}/handoffs/${encodeURIComponent(handoffId)}`;

export function handoffMessage(f: HandoffFacts, now: Date): SlackMessage {
  const headline = f.kind === 'handoff_opened' ? 'A person is asked for: take the session over' : 'Still nobody took the session over';
  const deadline = f.slaDeadline.toISOString();
  const due = untilDeadline(f.slaDeadline, now);
  const why = f.why ? ` (${escapeMrkdwn(f.why)})` : '';
  const body =
    `${escapeMrkdwn(f.agentId)}'s session ${escapeMrkdwn(f.sessionId)} in ${escapeMrkdwn(f.workspace)} waits for ${escapeMrkdwn(f.role)}${why}: ` +
    `${escapeMrkdwn(clip(f.reason, 500))}. Take it over by ${deadline} (${due}).`;
  return {
    text: `${headline}: ${body} <${f.link}|Open the handoff>`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: headline } },
      { type: 'section', text: { type: 'mrkdwn', text: body } },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the handoff' }, url: f.link, action_id: 'open' }] },
    ],
  };
}
