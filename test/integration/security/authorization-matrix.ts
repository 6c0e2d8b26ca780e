// Who may do what over HTTP, once, as data: the authorization spec tests every cell against
// the running services, and write-security-doc.ts renders docs/security.md from it. A cell
// is what the service answers: a status and, for refusals, the error code (`listed` and
// `unlisted` say whether a list shows the fixture approval or its workspace).
import { randomUUID } from 'node:crypto';

/** The people the matrix asks about, in column order. */
export const ROLES = ['anonymous', 'agent', 'right_role', 'other_role', 'other_workspace', 'on_behalf_of', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_WORDS: Record<Role, string> = {
  anonymous: 'no Authorization header',
  agent: 'what an agent could present: agents have no HTTP credentials, so a made-up bearer token',
  right_role: "a reviewer of the approval's workspace holding the role its current tier needs",
  other_role: "a reviewer of the workspace holding another role (not high enough on the action's path)",
  other_workspace: 'a reviewer holding the right roles, but in another workspace (globex-billing)',
  on_behalf_of: "a qualified reviewer who is the decision's `on_behalf_of` person",
  auditor: 'on escalation a reviewer with `auditor: true` of the workspace; on audit and calibrator an auditor of the workspace (config/auditors.yaml)',
  admin: 'on escalation a reviewer with `admin: true`; on audit and calibrator an auditor of every workspace ("*")',
};

/**
 * Who plays each role, by the token names of test/integration/support/stack.ts. The
 * approval a cell acts on decides who holds the right role: `refund` is a $120 refund for
 * an enterprise customer (escalated to finance_lead) on behalf of rev-emil; `postReview`
 * is a cancelled subscription that already ran (support_agent reviews it after the fact)
 * on behalf of rev-bruno. Audit and calibrator know auditors only: reviewers' tokens are
 * unknown there.
 */
export const CASTS = {
  refund: { right_role: 'dana', other_role: 'alice', other_workspace: 'ines', on_behalf_of: 'emil', auditor: 'hassan', admin: 'grace' },
  postReview: { right_role: 'alice', other_role: 'dana', other_workspace: 'ines', on_behalf_of: 'bruno', auditor: 'hassan', admin: 'grace' },
  records: { right_role: 'dana', other_role: 'alice', other_workspace: 'ines', on_behalf_of: 'emil', auditor: 'auditorInes', admin: 'compliance' },
  classification: { right_role: 'farah', other_role: 'dana', other_workspace: 'ines', on_behalf_of: 'bruno', auditor: 'hassan', admin: 'grace' },
  handoff: { right_role: 'alice', other_role: 'dana', other_workspace: 'ines', on_behalf_of: 'bruno', auditor: 'hassan', admin: 'grace' },
} as const;
export type Cast = keyof typeof CASTS;

export const CAST_WORDS: Record<Cast, string> = {
  refund:
    'rev-dana (finance_lead), rev-alice (support_agent), rev-ines (globex-billing), rev-emil (finance_lead, the on_behalf_of person), rev-hassan (auditor), rev-grace (admin)',
  postReview:
    "rev-alice (support_agent), rev-dana (finance_lead: not on the action's path), rev-ines, rev-bruno (support_agent, the on_behalf_of person), rev-hassan, rev-grace",
  records:
    'reviewers rev-dana, rev-alice, rev-ines and rev-emil present their reviewer tokens; aud-ines (acme-support) is the auditor and aud-compliance ("*") the admin',
  classification:
    "an unknown action the router blocked in acme-support, whose manifest names team_lead in `unknown_actions.classify_role`: rev-farah (team_lead), rev-dana (finance_lead), rev-ines, rev-bruno (support_agent: nothing is on anyone's behalf here), rev-hassan, rev-grace",
  handoff:
    "a session refund-bot's end user asked a person for, whose manifest's `handoff` path starts at support_agent: rev-alice (support_agent), rev-dana (finance_lead: not on the path), rev-ines, rev-bruno (support_agent, the end user it serves), rev-hassan (auditor), rev-grace (admin); returning one: rev-alice took it over",
};

/** The made-up token an agent could present. */
export const AGENT_TOKEN = 'agent-made-up-token-0123456789';

export type Service = 'router' | 'escalation' | 'audit' | 'calibrator';

/** What the fixtures give a cell's request: fresh approvals for acts that change them, and what reads need. */
export interface Fixtures {
  /** A new open approval for each call, so an act that is (wrongly or rightly) allowed never spoils another cell. */
  approval(kind: 'refund' | 'postReview'): Promise<{ approval_id: string; decision_id: string; payload_hash: string }>;
  /** One open refund approval for reads. */
  readonly shared: { approval_id: string; decision_id: string; payload_hash: string };
  /** A decision of acme-support and one of globex-billing, both in the audit record. */
  readonly decisions: { acme: string; globex: string };
  /** Calibration reports over acme-support and over globex-billing. */
  readonly reports: { acme: string; globex: string };
  /** A chain head of acme-support as GET /audit/head gave it. */
  readonly head: unknown;
  /** The refunds manifest's YAML, for replay. */
  readonly manifestYaml: string;
  /** A reviewer made through the admin API for this call (not one of the file's). */
  reviewer(): Promise<string>;
  /** A one-click link token of the right shape that no key signed. */
  readonly forgedLink: string;
  /** An open classification item of an unknown action of acme-support, for reads. */
  readonly sharedClassification: string;
  /** A new open classification item for each call (classifying or dismissing closes it). */
  classification(): Promise<string>;
  /** A new pause in force for each call (of an agent nobody runs), made by the admin: resuming ends it. */
  pause(): Promise<string>;
  /** A new probation in force for each call (of an action nobody proposes), as the router starts one: ending it is over. */
  probation(): Promise<string>;
  /** An open handoff of refund-bot, on behalf of rev-bruno, for reads. */
  readonly sharedHandoff: string;
  /** A new open handoff for each call (on behalf of rev-bruno); `taken`: rev-alice took it over. */
  handoff(taken: boolean): Promise<string>;
}

export interface CellRequest {
  path: string;
  body?: unknown;
}

export interface Row {
  service: Service;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As the service's /openapi.json writes it. */
  path: string;
  /** What this row's request is about, when one operation has several rows. */
  variant?: string;
  cast: Cast;
  request(f: Fixtures): CellRequest | Promise<CellRequest>;
  /** For rows whose cells say `listed`/`unlisted`: whether the answer shows the fixture. */
  lists?(json: any, f: Fixtures): boolean;
  /** For batch rows: the item's outcome stands in for the code. */
  itemOutcome?: boolean;
  expect: Record<Role, string>;
}

const unauthenticated = { anonymous: '401 token_missing', agent: '401 token_unknown' } as const;
/** Audit and calibrator: reviewers' tokens are not auditors' tokens. */
const reviewersUnknown = {
  right_role: '401 token_unknown',
  other_role: '401 token_unknown',
  other_workspace: '401 token_unknown',
  on_behalf_of: '401 token_unknown',
} as const;
const everyone = (outcome: string): Record<Role, string> => Object.fromEntries(ROLES.map((r) => [r, outcome])) as Record<Role, string>;

const adminOnly = (allowed: string): Record<Role, string> => ({
  ...unauthenticated,
  right_role: '403 admin_only',
  other_role: '403 admin_only',
  other_workspace: '403 admin_only',
  on_behalf_of: '403 admin_only',
  auditor: '403 admin_only',
  admin: allowed,
});

/** Pausing, resuming and ending a probation early: admins of the workspace only; anyone else is told it is not theirs to do. */
const pausesOnly = (allowed: string): Record<Role, string> => ({
  ...unauthenticated,
  right_role: '403 not_admin',
  other_role: '403 not_admin',
  other_workspace: '403 not_admin',
  on_behalf_of: '403 not_admin',
  auditor: '403 not_admin',
  admin: allowed,
});
const everyReviewerOf = (outcome: string) => ({
  right_role: outcome,
  other_role: outcome,
  other_workspace: outcome,
  on_behalf_of: outcome,
  auditor: outcome,
  admin: outcome,
});

/** An act on an open refund approval by whoever may decide it; the on_behalf_of person's outcome differs per act. */
const decides = (allowed: string, onBehalfOf: string): Record<Role, string> => ({
  ...unauthenticated,
  right_role: allowed,
  other_role: '403 wrong_role',
  other_workspace: '403 wrong_workspace',
  on_behalf_of: onBehalfOf,
  auditor: '403 wrong_role',
  admin: '403 wrong_role',
});

/** An act on an unknown action's item: only the workspace manifest's classify role (auditors read). */
const classifies = (allowed: string, auditor: string): Record<Role, string> => ({
  ...unauthenticated,
  right_role: allowed,
  other_role: '403 wrong_role',
  other_workspace: '403 wrong_workspace',
  on_behalf_of: '403 wrong_role',
  auditor,
  admin: '403 wrong_role',
});

const reads = (auditor: string, admin: string): Record<Role, string> => ({ ...unauthenticated, ...reviewersUnknown, auditor, admin });

const health = (service: Service): Row[] => [
  { service, method: 'GET', path: '/healthz', cast: 'records', request: () => ({ path: '/healthz' }), expect: everyone('200') },
  { service, method: 'GET', path: '/livez', cast: 'records', request: () => ({ path: '/livez' }), expect: everyone('200') },
  { service, method: 'GET', path: '/readyz', cast: 'records', request: () => ({ path: '/readyz' }), expect: everyone('200') },
  { service, method: 'GET', path: '/metrics', cast: 'records', request: () => ({ path: '/metrics' }), expect: everyone('200') },
  { service, method: 'GET', path: '/manifest', cast: 'records', request: () => ({ path: '/manifest' }), expect: everyone('200') },
  // Public keys only (a JWKS): anyone may verify what the service signed.
  { service, method: 'GET', path: '/keys', cast: 'records', request: () => ({ path: '/keys' }), expect: everyone('200') },
];

const reviewerFields = { name: 'Made By The Matrix', roles: ['support_agent'], workspaces: ['acme-support'] };
const listsApproval = (json: any, f: Fixtures) => ((json?.items ?? []) as { approval_id: string }[]).some((i) => i.approval_id === f.shared.approval_id);

export const MATRIX: Row[] = [
  ...health('router'),
  ...health('escalation'),
  ...health('audit'),
  ...health('calibrator'),

  // escalation: the reviewer's own views
  {
    service: 'escalation',
    method: 'GET',
    path: '/me',
    cast: 'refund',
    request: () => ({ path: '/me' }),
    expect: { ...unauthenticated, right_role: '200', other_role: '200', other_workspace: '200', on_behalf_of: '200', auditor: '200', admin: '200' },
  },
  {
    service: 'escalation',
    method: 'GET',
    path: '/queues',
    variant: "acme-support's queues",
    cast: 'refund',
    request: () => ({ path: '/queues' }),
    lists: (json) => ((json?.queues ?? []) as { workspace: string }[]).some((q) => q.workspace === 'acme-support'),
    expect: {
      ...unauthenticated,
      right_role: '200 listed',
      other_role: '200 listed',
      other_workspace: '200 unlisted',
      on_behalf_of: '200 listed',
      auditor: '200 listed',
      admin: '200 listed',
    },
  },
  {
    service: 'escalation',
    method: 'GET',
    path: '/approvals',
    variant: 'the refund approval',
    cast: 'refund',
    request: () => ({ path: '/approvals?limit=200' }),
    lists: listsApproval,
    expect: {
      ...unauthenticated,
      right_role: '200 listed',
      other_role: '200 unlisted',
      other_workspace: '200 unlisted',
      on_behalf_of: '200 listed',
      auditor: '200 unlisted',
      admin: '200 unlisted',
    },
  },
  {
    service: 'escalation',
    method: 'GET',
    path: '/approvals',
    variant: 'asking for acme-support by name',
    cast: 'refund',
    request: () => ({ path: '/approvals?workspace=acme-support&limit=200' }),
    lists: listsApproval,
    expect: {
      ...unauthenticated,
      right_role: '200 listed',
      other_role: '200 unlisted',
      other_workspace: '200 unlisted',
      on_behalf_of: '200 listed',
      auditor: '200 unlisted',
      admin: '200 unlisted',
    },
  },
  {
    service: 'escalation',
    method: 'GET',
    path: '/approvals/stream',
    variant: 'opening the live stream',
    cast: 'refund',
    request: () => ({ path: '/approvals/stream' }),
    expect: { ...unauthenticated, right_role: '200', other_role: '200', other_workspace: '200', on_behalf_of: '200', auditor: '200', admin: '200' },
  },
  {
    service: 'escalation',
    method: 'GET',
    path: '/approvals/{id}',
    cast: 'refund',
    request: (f) => ({ path: `/approvals/${f.shared.approval_id}` }),
    expect: { ...decides('200', '200'), auditor: '200' },
  },

  // escalation: deciding
  {
    service: 'escalation',
    method: 'POST',
    path: '/approvals/{id}/approve',
    cast: 'refund',
    request: async (f) => {
      const a = await f.approval('refund');
      return { path: `/approvals/${a.approval_id}/approve`, body: { payload_hash: a.payload_hash } };
    },
    expect: decides('200', '403 requester'),
  },
  {
    service: 'escalation',
    method: 'POST',
    path: '/approvals/{id}/deny',
    cast: 'refund',
    request: async (f) => {
      const a = await f.approval('refund');
      return { path: `/approvals/${a.approval_id}/deny`, body: { reason: 'not covered by the refund policy', payload_hash: a.payload_hash } };
    },
    expect: decides('200', '200'),
  },
  {
    service: 'escalation',
    method: 'POST',
    path: '/approvals/{id}/edit',
    cast: 'refund',
    request: async (f) => {
      const a = await f.approval('refund');
      return {
        path: `/approvals/${a.approval_id}/edit`,
        body: { payload_hash: a.payload_hash, parameters: { order_id: 'ORD-SEC', amount_usd: 110, customer_tier: 'enterprise' } },
      };
    },
    expect: decides('200', '403 requester'),
  },
  {
    service: 'escalation',
    method: 'POST',
    path: '/approvals/batch',
    variant: "one approve item; the item's outcome shown",
    cast: 'refund',
    itemOutcome: true,
    request: async (f) => {
      const a = await f.approval('refund');
      return { path: '/approvals/batch', body: { items: [{ act: 'approve', approval_id: a.approval_id, payload_hash: a.payload_hash }] } };
    },
    expect: {
      ...decides('200 approved', '200 requester'),
      other_role: '200 wrong_role',
      other_workspace: '200 wrong_workspace',
      auditor: '200 wrong_role',
      admin: '200 wrong_role',
    },
  },
  {
    service: 'escalation',
    method: 'POST',
    path: '/approvals/{id}/clarify',
    cast: 'refund',
    request: async (f) => {
      const a = await f.approval('refund');
      return { path: `/approvals/${a.approval_id}/clarify`, body: { question: 'Was the order delivered?' } };
    },
    expect: decides('201', '201'),
  },
  {
    service: 'escalation',
    method: 'POST',
    path: '/approvals/{id}/rollback',
    cast: 'postReview',
    request: async (f) => {
      const a = await f.approval('postReview');
      return { path: `/approvals/${a.approval_id}/rollback`, body: { reason: 'cancelled by mistake' } };
    },
    expect: decides('200', '200'),
  },

  // escalation: one-click links carry their own credential; a bearer token adds nothing
  {
    service: 'escalation',
    method: 'GET',
    path: '/links/{token}',
    variant: 'a forged link',
    cast: 'refund',
    request: (f) => ({ path: `/links/${f.forgedLink}` }),
    expect: everyone('403 link_invalid'),
  },
  {
    service: 'escalation',
    method: 'POST',
    path: '/links/{token}',
    variant: 'a forged link',
    cast: 'refund',
    request: (f) => ({ path: `/links/${f.forgedLink}` }),
    expect: everyone('403 link_invalid'),
  },

  // escalation: unknown actions, classified by a person
  {
    service: 'escalation',
    method: 'GET',
    path: '/classifications',
    variant: 'an open item of acme-support',
    cast: 'classification',
    request: () => ({ path: '/classifications' }),
    lists: (json, f) => ((json?.items ?? []) as { id: string }[]).some((i) => i.id === f.sharedClassification),
    expect: {
      ...unauthenticated,
      right_role: '200 listed',
      other_role: '200 unlisted',
      other_workspace: '200 unlisted',
      on_behalf_of: '200 unlisted',
      auditor: '200 listed',
      admin: '200 unlisted',
    },
  },
  {
    service: 'escalation',
    method: 'GET',
    path: '/classifications/{id}',
    cast: 'classification',
    request: (f) => ({ path: `/classifications/${f.sharedClassification}` }),
    expect: classifies('200', '200'),
  },
  {
    service: 'escalation',
    method: 'POST',
    path: '/classifications/{id}/classify',
    cast: 'classification',
    request: async (f) => ({ path: `/classifications/${await f.classification()}/classify`, body: { severity: 'high', reversible: false } }),
    expect: classifies('200', '403 wrong_role'),
  },
  {
    service: 'escalation',
    method: 'POST',
    path: '/classifications/{id}/dismiss',
    cast: 'classification',
    request: async (f) => ({ path: `/classifications/${await f.classification()}/dismiss`, body: { reason: 'a name the agent got wrong' } }),
    expect: classifies('200', '403 wrong_role'),
  },

  // escalation: the admin API
  { service: 'escalation', method: 'GET', path: '/reviewers', cast: 'refund', request: () => ({ path: '/reviewers' }), expect: adminOnly('200') },
  {
    service: 'escalation',
    method: 'GET',
    path: '/reviewers/{id}',
    cast: 'refund',
    request: () => ({ path: '/reviewers/rev-alice' }),
    expect: adminOnly('200'),
  },
  {
    service: 'escalation',
    method: 'PUT',
    path: '/reviewers/{id}',
    variant: 'a new reviewer',
    cast: 'refund',
    request: () => ({ path: `/reviewers/rev-matrix-${randomUUID().slice(0, 8)}`, body: reviewerFields }),
    expect: adminOnly('201'),
  },
  {
    service: 'escalation',
    method: 'PATCH',
    path: '/reviewers/{id}',
    cast: 'refund',
    request: async (f) => ({ path: `/reviewers/${await f.reviewer()}`, body: { available: false } }),
    expect: adminOnly('200'),
  },
  {
    service: 'escalation',
    method: 'DELETE',
    path: '/reviewers/{id}',
    cast: 'refund',
    request: async (f) => ({ path: `/reviewers/${await f.reviewer()}` }),
    expect: adminOnly('204'),
  },
  {
    service: 'escalation',
    method: 'POST',
    path: '/reviewers/{id}/token',
    cast: 'refund',
    request: async (f) => ({ path: `/reviewers/${await f.reviewer()}/token` }),
    expect: adminOnly('201'),
  },

  // escalation: the kill switch; admins of the workspace pause and resume, every reviewer of it sees the pauses
  {
    service: 'escalation',
    method: 'POST',
    path: '/pauses',
    cast: 'refund',
    request: () => ({ path: '/pauses', body: { workspace: 'acme-support', agent_id: 'matrix-bot', reason: 'the matrix pauses an agent nobody runs' } }),
    expect: pausesOnly('201'),
  },
  {
    service: 'escalation',
    method: 'GET',
    path: '/pauses',
    variant: 'acme-support',
    cast: 'refund',
    request: () => ({ path: '/pauses?workspace=acme-support' }),
    expect: { ...unauthenticated, ...everyReviewerOf('200'), other_workspace: '403 wrong_workspace' },
  },
  {
    service: 'escalation',
    method: 'POST',
    path: '/pauses/{id}/resume',
    cast: 'refund',
    request: async (f) => ({ path: `/pauses/${await f.pause()}/resume`, body: { reason: 'the matrix resumes it' } }),
    expect: pausesOnly('200'),
  },

  // escalation: probations the router started; every reviewer of the workspace sees them, its admins end one early
  {
    service: 'escalation',
    method: 'GET',
    path: '/probations',
    variant: 'acme-support',
    cast: 'refund',
    request: () => ({ path: '/probations?workspace=acme-support' }),
    expect: { ...unauthenticated, ...everyReviewerOf('200'), other_workspace: '403 wrong_workspace' },
  },
  {
    service: 'escalation',
    method: 'POST',
    path: '/probations/{id}/end',
    cast: 'refund',
    request: async (f) => ({ path: `/probations/${await f.probation()}/end`, body: { reason: 'the owner signed off on the evals' } }),
    expect: pausesOnly('200'),
  },

  // escalation: "get a human"; those of the workspace holding a role of its handoff path read and take one over (never the end user it serves), its taker returns it
  {
    service: 'escalation',
    method: 'GET',
    path: '/handoffs',
    cast: 'handoff',
    request: () => ({ path: '/handoffs' }),
    lists: (json, f) => ((json?.items ?? []) as { id: string }[]).some((h) => h.id === f.sharedHandoff),
    expect: {
      ...unauthenticated,
      right_role: '200 listed',
      other_role: '200 unlisted',
      other_workspace: '200 unlisted',
      on_behalf_of: '200 listed',
      auditor: '200 listed',
      admin: '200 listed',
    },
  },
  {
    service: 'escalation',
    method: 'GET',
    path: '/handoffs/{id}',
    cast: 'handoff',
    request: (f) => ({ path: `/handoffs/${f.sharedHandoff}` }),
    expect: { ...unauthenticated, ...everyReviewerOf('200'), other_role: '404 handoff_not_found', other_workspace: '404 handoff_not_found' },
  },
  {
    service: 'escalation',
    method: 'POST',
    path: '/handoffs/{id}/take',
    cast: 'handoff',
    request: async (f) => ({ path: `/handoffs/${await f.handoff(false)}/take` }),
    expect: {
      ...unauthenticated,
      right_role: '200',
      other_role: '404 handoff_not_found',
      other_workspace: '404 handoff_not_found',
      on_behalf_of: '403 requester',
      auditor: '403 wrong_role',
      admin: '403 wrong_role',
    },
  },
  {
    service: 'escalation',
    method: 'POST',
    path: '/handoffs/{id}/return',
    cast: 'handoff',
    request: async (f) => ({ path: `/handoffs/${await f.handoff(true)}/return`, body: { resolution: 'handed_back', notes: 'the matrix hands it back' } }),
    expect: {
      ...unauthenticated,
      right_role: '200',
      other_role: '404 handoff_not_found',
      other_workspace: '404 handoff_not_found',
      on_behalf_of: '403 not_yours',
      auditor: '403 not_yours',
      admin: '403 not_yours',
    },
  },

  // audit: read by auditors of the workspace; retention by auditors of every workspace
  {
    service: 'audit',
    method: 'GET',
    path: '/audit/verify',
    variant: 'own workspaces',
    cast: 'records',
    request: () => ({ path: '/audit/verify' }),
    expect: reads('200', '200'),
  },
  {
    service: 'audit',
    method: 'GET',
    path: '/audit/verify',
    variant: 'globex-billing',
    cast: 'records',
    request: () => ({ path: '/audit/verify?workspace=globex-billing' }),
    expect: reads('403 wrong_workspace', '200'),
  },
  {
    service: 'audit',
    method: 'GET',
    path: '/audit/head',
    variant: 'acme-support',
    cast: 'records',
    request: () => ({ path: '/audit/head?workspace=acme-support' }),
    expect: reads('200', '200'),
  },
  {
    service: 'audit',
    method: 'GET',
    path: '/audit/head',
    variant: 'globex-billing',
    cast: 'records',
    request: () => ({ path: '/audit/head?workspace=globex-billing' }),
    expect: reads('403 wrong_workspace', '200'),
  },
  { service: 'audit', method: 'GET', path: '/audit/head/key', cast: 'records', request: () => ({ path: '/audit/head/key' }), expect: reads('200', '200') },
  {
    service: 'audit',
    method: 'POST',
    path: '/audit/head/check',
    variant: "acme-support's head",
    cast: 'records',
    request: (f) => ({ path: '/audit/head/check', body: { head: f.head } }),
    expect: reads('200', '200'),
  },
  {
    service: 'audit',
    method: 'GET',
    path: '/audit/decisions/{decision_id}/timeline',
    variant: 'an acme-support decision',
    cast: 'records',
    request: (f) => ({ path: `/audit/decisions/${f.decisions.acme}/timeline` }),
    expect: reads('200', '200'),
  },
  {
    service: 'audit',
    method: 'GET',
    path: '/audit/decisions/{decision_id}/timeline',
    variant: 'a globex-billing decision',
    cast: 'records',
    request: (f) => ({ path: `/audit/decisions/${f.decisions.globex}/timeline` }),
    expect: reads('403 wrong_workspace', '200'),
  },
  {
    service: 'audit',
    method: 'GET',
    path: '/audit/events',
    variant: 'acme-support',
    cast: 'records',
    request: () => ({ path: '/audit/events?workspace=acme-support' }),
    expect: reads('200', '200'),
  },
  {
    service: 'audit',
    method: 'GET',
    path: '/audit/events',
    variant: 'globex-billing',
    cast: 'records',
    request: () => ({ path: '/audit/events?workspace=globex-billing' }),
    expect: reads('403 wrong_workspace', '200'),
  },
  {
    service: 'audit',
    method: 'GET',
    path: '/audit/events',
    variant: 'workspace "*"',
    cast: 'records',
    request: () => ({ path: '/audit/events?workspace=*' }),
    expect: reads('403 wrong_workspace', '200'),
  },
  {
    service: 'audit',
    method: 'GET',
    path: '/audit/export',
    variant: 'acme-support',
    cast: 'records',
    request: () => ({ path: '/audit/export?workspace=acme-support' }),
    expect: reads('200', '200'),
  },
  {
    service: 'audit',
    method: 'GET',
    path: '/audit/export',
    variant: 'globex-billing',
    cast: 'records',
    request: () => ({ path: '/audit/export?workspace=globex-billing' }),
    expect: reads('403 wrong_workspace', '200'),
  },
  {
    service: 'audit',
    method: 'POST',
    path: '/audit/retention/run',
    cast: 'records',
    request: () => ({ path: '/audit/retention/run' }),
    expect: reads('403 admin_only', '200'),
  },

  // calibrator: reports and replay, by auditors of the workspace
  {
    service: 'calibrator',
    method: 'POST',
    path: '/reports',
    variant: 'acme-support',
    cast: 'records',
    request: () => ({ path: '/reports', body: { workspace: 'acme-support', window_days: 1 } }),
    expect: reads('201', '201'),
  },
  {
    service: 'calibrator',
    method: 'POST',
    path: '/reports',
    variant: 'globex-billing',
    cast: 'records',
    request: () => ({ path: '/reports', body: { workspace: 'globex-billing', window_days: 1 } }),
    expect: reads('403 wrong_workspace', '201'),
  },
  {
    service: 'calibrator',
    method: 'GET',
    path: '/reports',
    variant: 'acme-support',
    cast: 'records',
    request: () => ({ path: '/reports?workspace=acme-support' }),
    expect: reads('200', '200'),
  },
  {
    service: 'calibrator',
    method: 'GET',
    path: '/reports',
    variant: 'globex-billing',
    cast: 'records',
    request: () => ({ path: '/reports?workspace=globex-billing' }),
    expect: reads('403 wrong_workspace', '200'),
  },
  { service: 'calibrator', method: 'GET', path: '/reports/latest', cast: 'records', request: () => ({ path: '/reports/latest' }), expect: reads('200', '200') },
  {
    service: 'calibrator',
    method: 'GET',
    path: '/reports/{ref}',
    variant: 'acme-support',
    cast: 'records',
    request: (f) => ({ path: `/reports/${f.reports.acme}` }),
    expect: reads('200', '200'),
  },
  {
    service: 'calibrator',
    method: 'GET',
    path: '/reports/{ref}',
    variant: 'globex-billing',
    cast: 'records',
    request: (f) => ({ path: `/reports/${f.reports.globex}` }),
    expect: reads('403 wrong_workspace', '200'),
  },
  {
    service: 'calibrator',
    method: 'GET',
    path: '/reports/{id}/diagram/{file}',
    variant: 'acme-support (no labeled refunds: no diagram)',
    cast: 'records',
    request: (f) => ({ path: `/reports/${f.reports.acme}/diagram/process_refund.svg` }),
    expect: reads('404 diagram_not_found', '404 diagram_not_found'),
  },
  {
    service: 'calibrator',
    method: 'GET',
    path: '/reports/{id}/diagram/{file}',
    variant: 'globex-billing',
    cast: 'records',
    request: (f) => ({ path: `/reports/${f.reports.globex}/diagram/process_refund.svg` }),
    expect: reads('403 wrong_workspace', '404 diagram_not_found'),
  },
  {
    service: 'calibrator',
    method: 'GET',
    path: '/drift',
    variant: 'acme-support',
    cast: 'records',
    request: () => ({ path: '/drift?workspace=acme-support' }),
    expect: reads('200', '200'),
  },
  {
    service: 'calibrator',
    method: 'GET',
    path: '/drift',
    variant: 'globex-billing',
    cast: 'records',
    request: () => ({ path: '/drift?workspace=globex-billing' }),
    expect: reads('403 wrong_workspace', '200'),
  },
  {
    service: 'calibrator',
    method: 'GET',
    path: '/drift/alerts/{id}.patch',
    variant: 'an alert nobody raised',
    cast: 'records',
    request: () => ({ path: '/drift/alerts/00000000-0000-4000-8000-000000000000.patch' }),
    expect: reads('404 alert_not_found', '404 alert_not_found'),
  },
  {
    service: 'calibrator',
    method: 'GET',
    path: '/reports/{id}/suggestions.patch',
    variant: 'acme-support',
    cast: 'records',
    request: (f) => ({ path: `/reports/${f.reports.acme}/suggestions.patch` }),
    expect: reads('200', '200'),
  },
  {
    service: 'calibrator',
    method: 'GET',
    path: '/reports/{id}/suggestions.patch',
    variant: 'globex-billing',
    cast: 'records',
    request: (f) => ({ path: `/reports/${f.reports.globex}/suggestions.patch` }),
    expect: reads('403 wrong_workspace', '200'),
  },
  {
    service: 'calibrator',
    method: 'POST',
    path: '/replay',
    variant: 'workspace "*"',
    cast: 'records',
    request: (f) => ({ path: '/replay', body: { manifest_yaml: f.manifestYaml, since_days: 1, workspace: '*' } }),
    expect: reads('403 wrong_workspace', '200'),
  },
  {
    service: 'calibrator',
    method: 'POST',
    path: '/replay',
    variant: 'own workspaces',
    cast: 'records',
    request: (f) => ({ path: '/replay', body: { manifest_yaml: f.manifestYaml, since_days: 1 } }),
    expect: reads('200', '200'),
  },
  {
    service: 'calibrator',
    method: 'POST',
    path: '/replay',
    variant: 'globex-billing',
    cast: 'records',
    request: (f) => ({ path: '/replay', body: { manifest_yaml: f.manifestYaml, since_days: 1, workspace: 'globex-billing' } }),
    expect: reads('403 wrong_workspace', '200'),
  },
];

/** The token a role presents on a row (null: no Authorization header). */
export function tokenOf(row: Row, role: Role, tokens: Record<string, string>): string | null {
  if (role === 'anonymous') return null;
  if (role === 'agent') return AGENT_TOKEN;
  return tokens[CASTS[row.cast][role]];
}
