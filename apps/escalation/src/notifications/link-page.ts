// The small HTML pages behind one-click links: confirm, done, or why not. Pure.
import { LinkAct } from './notification-link';

/** Every link page: never cached, never indexed, no referrer (the URL is a credential), nothing loaded from elsewhere. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Robots-Tag': 'noindex, nofollow',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · hitl</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}dt{font-weight:600}dd{margin:0 0 .5rem}
button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:.4rem;color:#fff;cursor:pointer}.approve{background:#1a7f37}.deny{background:#cf222e}</style></head>
<body>${body}</body>
</html>
`;
}

export interface LinkView {
  act: LinkAct;
  reviewerName: string;
  action: string;
  workspace: string;
  /** What will run, rendered from the action and its parameters by the manifest's template. */
  rendering: string;
  summary: string;
  consequence: string;
  amount: string | null;
  slaDeadline: string | null;
  approvalUrl: string;
  linkExpiresAt: string;
}

function details(v: LinkView): string {
  const rows: [string, string | null][] = [
    ['Action', v.action],
    ['What will run', v.rendering],
    ["The agent's summary (its own words)", v.summary],
    ['Consequence', v.consequence],
    ['Amount', v.amount],
    ['Workspace', v.workspace],
    ['SLA deadline', v.slaDeadline],
  ];
  return `<dl>${rows.map(([term, value]) => (value === null ? '' : `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`)).join('')}</dl>`;
}

const verb = (act: LinkAct) => (act === 'approve' ? 'Approve' : 'Deny');

/**
 * GET: what the link would do, and one button that does it. A GET never decides: chat apps
 * and mail scanners open links to preview them, and that must not approve anything.
 */
export function confirmationPage(v: LinkView): string {
  return page(
    `${verb(v.act)} ${v.action}?`,
    `<h1>${escapeHtml(verb(v.act))} ${escapeHtml(v.action)}?</h1>
<p>As ${escapeHtml(v.reviewerName)}. This link works once, until ${escapeHtml(v.linkExpiresAt)}.</p>
${details(v)}
<form method="post"><button type="submit" class="${v.act}">${escapeHtml(verb(v.act))}</button></form>
<p><a href="${escapeHtml(v.approvalUrl)}">Open the approval</a> for the whole context.</p>`,
  );
}

export function resultPage(v: { act: LinkAct; action: string; status: string; approvals: string[]; requiredApprovals: number; approvalUrl: string }): string {
  const said =
    v.status === 'awaiting_approvals'
      ? `Your approval is recorded: ${v.approvals.length} of ${v.requiredApprovals} reviewers have approved ${v.action}.`
      : `${v.action} is ${v.status}.`;
  return page(`${v.action} ${v.status}`, `<h1>${escapeHtml(said)}</h1>\n<p><a href="${escapeHtml(v.approvalUrl)}">Open the approval</a></p>`);
}

export function problemPage(status: number, code: string, message: string): string {
  return page(`Link not usable`, `<h1>This link cannot be used</h1>\n<p>${escapeHtml(message)}</p>\n<p><small>${status} ${escapeHtml(code)}</small></p>`);
}
