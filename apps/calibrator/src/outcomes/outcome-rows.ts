// What the calibrator keeps of each event it consumes, as table rows. Pure: events in,
// rows out, one exhaustive match on the event type.
import { AnyEvent, CanaryAnswer, CanaryExpected, DecisionProposedData, ResolutionStatus, ResolvedBy, UnreviewedReason } from '@hitl/contracts';
import { Verdict } from '@hitl/policy';

/** A decision as proposed; `routed_verdict` is what the router made of it, once known. */
export interface DecisionRow {
  decision_id: string;
  workspace: string;
  agent_id: string;
  action: string;
  confidence: number;
  proposal: DecisionProposedData;
  proposed_at: string;
  routed_verdict: Verdict | null;
}

/**
 * One resolution of a decision: by policy (no approval), or of one approval before the
 * action. `approval_key` is the approval id, or `policy`. A post-review ends on
 * approval.updated instead (PostReviewRow).
 */
export interface ResolutionRow {
  decision_id: string;
  approval_key: string;
  approval_id: string | null;
  workspace: string;
  action: string;
  confidence: number;
  status: ResolutionStatus;
  edited: boolean;
  resolved_by_kind: ResolvedBy['kind'];
  resolved_by_id: string;
  resolved_at: string;
  /** The parameters a reviewer approved when they edited them (what edit analysis compares to the proposal); null otherwise. */
  parameters: Record<string, unknown> | null;
}

/** One label as it arrived; a decision's effective label is its latest. */
export interface LabelRow {
  event_id: string;
  decision_id: string;
  workspace: string;
  correct: boolean;
  source: string;
  labeled_by: string | null;
  labeled_at: string;
}

/**
 * Where a post-review stands (route `post_review`: the action ran, auto-approved by
 * policy, and a person reviews it afterwards): `open` until a reviewer confirms it
 * (`reviewed`) or rolls it back, or it ends with nobody looking (`unreviewed`).
 */
export type PostReviewState = 'open' | 'reviewed' | 'rolled_back' | 'unreviewed';

/**
 * One post-review, from its request and from how it ended, whichever came first (they
 * come on different topics). `action` and `requested_at` are null until the request is
 * seen; `ended_*` are null while it is open.
 */
export interface PostReviewRow {
  approval_id: string;
  decision_id: string;
  workspace: string;
  action: string | null;
  requested_at: string | null;
  state: PostReviewState;
  /** Why nobody looked; only for `unreviewed`. */
  unreviewed_reason: UnreviewedReason | null;
  /** The reviewer who confirmed or rolled it back; null otherwise. */
  ended_by: string | null;
  ended_at: string | null;
}

/**
 * An agent's compensation of a rolled back action (action.executed with `compensation`): did
 * the undo work? A completed one counts towards promotion only when the escalation service's
 * own rolled_back event for the same approval is kept too (the repository joins them): an
 * agent cannot vouch for a rollback nobody made.
 */
export interface CompensationRow {
  approval_id: string;
  decision_id: string;
  workspace: string;
  action: string;
  succeeded: boolean;
  executed_at: string;
  /** The agent whose verified key signed it; it counts only when that is the decision's own agent. */
  signed_by: string | null;
}

/** Where a probation stands: `active` from its start until the router graduates it or an admin ends it early. */
export type ProbationState = 'active' | 'graduated' | 'ended';

/**
 * One probation (control.changed), from its start and how it ended, whichever came first.
 * The start's fields (reason, manifest_version, started_at) are null until it is seen; the
 * graduation's (reviewed, approved_unchanged, graduated_at) and the early end's (ended_by,
 * end_reason, ended_at) only for that state. `decisions` and `approved_unchanged_rate`, what
 * graduating asks, come from the start (else from the graduation; an early end says neither).
 */
export interface ProbationRow {
  id: string;
  workspace: string;
  action: string;
  reason: string | null;
  manifest_version: string | null;
  decisions: number | null;
  approved_unchanged_rate: number | null;
  started_at: string | null;
  state: ProbationState;
  reviewed: number | null;
  approved_unchanged: number | null;
  graduated_at: string | null;
  ended_by: string | null;
  end_reason: string | null;
  ended_at: string | null;
}

/** A reviewer's first opening of an approval they may decide (approval.updated opened): where review quality's time to decide starts. */
export interface OpeningRow {
  approval_id: string;
  reviewer_id: string;
  decision_id: string;
  workspace: string;
  opened_at: string;
}

/**
 * A canary (a known-answer item, never executed) answered or missed: scores its reviewer.
 * Canaries come only as this event, never as a decision or a resolution: calibration never sees them.
 */
export interface CanaryRow {
  approval_id: string;
  decision_id: string;
  workspace: string;
  reviewer_id: string | null;
  reviewer_role: string;
  action: string;
  expected: CanaryExpected;
  answered: CanaryAnswer | null;
  correct: boolean | null;
  scored_at: string;
}

export interface OutcomeRows {
  decisions: DecisionRow[];
  resolutions: ResolutionRow[];
  labels: LabelRow[];
  postReviews: PostReviewRow[];
  compensations: CompensationRow[];
  probations: ProbationRow[];
  openings: OpeningRow[];
  canaries: CanaryRow[];
}

export const POLICY_APPROVAL_KEY = 'policy';

/** The router's verdict a resolution by policy stands for (approved: auto_approve, blocked: block). */
export function policyVerdict(row: Pick<ResolutionRow, 'resolved_by_kind' | 'status'>): Verdict | null {
  if (row.resolved_by_kind !== 'policy') return null;
  return row.status === 'approved' ? 'auto_approve' : row.status === 'blocked' ? 'block' : null;
}

/**
 * How firmly each state says how a post-review ended. A person's act outranks nobody
 * looking (a rollback still allowed after the review window closed counts), and a rollback
 * outranks a confirmation: the action was undone. The repository applies the same order.
 */
export const POST_REVIEW_RANK: Record<PostReviewState, number> = { open: 0, unreviewed: 1, reviewed: 2, rolled_back: 3 };

/**
 * Two accounts of one post-review as one, whatever order they came in: what the request
 * says (action, time), and the end that ranks highest (the earlier of two equal ones).
 */
export function mergePostReview(known: PostReviewRow, next: PostReviewRow): PostReviewRow {
  const [a, b] = [POST_REVIEW_RANK[known.state], POST_REVIEW_RANK[next.state]];
  const ends = b > a || (b === a && b > 0 && Date.parse(next.ended_at ?? '') < Date.parse(known.ended_at ?? '')) ? next : known;
  return {
    ...known,
    action: known.action ?? next.action,
    requested_at: known.requested_at ?? next.requested_at,
    state: ends.state,
    unreviewed_reason: ends.unreviewed_reason,
    ended_by: ends.ended_by,
    ended_at: ends.ended_at,
  };
}

/** When a probation ended (graduated or ended early); null while active. */
const probationEndAt = (row: ProbationRow): string | null => (row.state === 'graduated' ? row.graduated_at : row.state === 'ended' ? row.ended_at : null);

/**
 * Whether `next`'s end replaces `known`'s: an end always replaces `active` (an ended or
 * graduated probation never becomes active again); of two ends the first stands, the earlier
 * by time, a graduation over an early end at the same instant. The repository applies the same order.
 */
export function probationEndOutranks(known: ProbationRow, next: ProbationRow): boolean {
  if (next.state === 'active') return false;
  if (known.state === 'active') return true;
  const [a, b] = [Date.parse(probationEndAt(known) ?? ''), Date.parse(probationEndAt(next) ?? '')];
  return b < a || (b === a && next.state === 'graduated' && known.state === 'ended');
}

/**
 * Two accounts of one probation as one, whatever order they came in: what the start says
 * (the earliest start; what graduating asks, from the start when known), and the end that stands.
 */
export function mergeProbation(known: ProbationRow, next: ProbationRow): ProbationRow {
  const ends = probationEndOutranks(known, next) ? next : known;
  const asks = known.started_at !== null ? known : next.decisions !== null ? next : known;
  const starts = known.started_at === null || (next.started_at !== null && Date.parse(next.started_at) < Date.parse(known.started_at)) ? next : known;
  return {
    ...known,
    reason: known.reason ?? next.reason,
    manifest_version: known.manifest_version ?? next.manifest_version,
    started_at: starts.started_at ?? known.started_at,
    decisions: asks.decisions,
    approved_unchanged_rate: asks.approved_unchanged_rate,
    state: ends.state,
    reviewed: ends.reviewed,
    approved_unchanged: ends.approved_unchanged,
    graduated_at: ends.graduated_at,
    ended_by: ends.ended_by,
    end_reason: ends.end_reason,
    ended_at: ends.ended_at,
  };
}

/** Who signed an event, as the transport verified it: an agent's or labeler's id, a service's name; null: unsigned. */
export type SignerOf = (eventId: string) => string | null;

export function outcomeRows(events: readonly AnyEvent[], signerOf: SignerOf = () => null): OutcomeRows {
  const decisions = new Map<string, DecisionRow>();
  const resolutions = new Map<string, ResolutionRow>();
  const labels = new Map<string, LabelRow>();
  const postReviews = new Map<string, PostReviewRow>();
  const compensations = new Map<string, CompensationRow>();
  const probations = new Map<string, ProbationRow>();
  const openings = new Map<string, OpeningRow>();
  const canaries = new Map<string, CanaryRow>();
  const keepProbation = (event: AnyEvent & { data: { probation_id: string; action: string } }, row: Partial<ProbationRow>) => {
    const next: ProbationRow = {
      id: event.data.probation_id,
      workspace: event.workspaceid,
      action: event.data.action,
      reason: null,
      manifest_version: null,
      decisions: null,
      approved_unchanged_rate: null,
      started_at: null,
      state: 'active',
      reviewed: null,
      approved_unchanged: null,
      graduated_at: null,
      ended_by: null,
      end_reason: null,
      ended_at: null,
      ...row,
    };
    const known = probations.get(next.id);
    probations.set(next.id, known ? mergeProbation(known, next) : next);
  };
  const keepPostReview = (row: PostReviewRow) => {
    const known = postReviews.get(row.approval_id);
    postReviews.set(row.approval_id, known ? mergePostReview(known, row) : row);
  };
  const ended = (event: AnyEvent & { data: { decision_id: string; approval_id: string } }, end: Partial<PostReviewRow>) =>
    keepPostReview({
      approval_id: event.data.approval_id,
      decision_id: event.data.decision_id,
      workspace: event.workspaceid,
      action: null,
      requested_at: null,
      state: 'open',
      unreviewed_reason: null,
      ended_by: null,
      ended_at: event.time,
      ...end,
    });
  const keepDecision = (row: DecisionRow) => {
    // As the table does: the first proposal stands, the earliest time, the first verdict known.
    const known = decisions.get(row.decision_id);
    if (!known) decisions.set(row.decision_id, row);
    else
      decisions.set(row.decision_id, {
        ...known,
        proposed_at: Date.parse(known.proposed_at) <= Date.parse(row.proposed_at) ? known.proposed_at : row.proposed_at,
        routed_verdict: known.routed_verdict ?? row.routed_verdict,
      });
  };

  for (const event of events) {
    switch (event.type) {
      case 'hitl.decision.proposed.v1':
        keepDecision(decisionRow(event.data, event.workspaceid, event.time, null));
        break;
      case 'hitl.approval.requested.v1': {
        // A request carries the whole proposal: the decision is known even before its proposal is consumed.
        const { route, decision } = event.data;
        keepDecision(decisionRow(decision, event.workspaceid, event.time, route === 'post_review' ? null : route));
        if (route === 'post_review') {
          keepPostReview({
            approval_id: event.data.approval_id,
            decision_id: decision.decision_id,
            workspace: event.workspaceid,
            action: decision.action,
            requested_at: event.time,
            state: 'open',
            unreviewed_reason: null,
            ended_by: null,
            ended_at: null,
          });
        }
        break;
      }
      case 'hitl.approval.resolved.v1': {
        const d = event.data;
        const row: ResolutionRow = {
          decision_id: d.decision_id,
          approval_key: d.approval_id ?? POLICY_APPROVAL_KEY,
          approval_id: d.approval_id,
          workspace: event.workspaceid,
          action: d.action,
          confidence: d.confidence,
          status: d.status,
          edited: d.edited,
          resolved_by_kind: d.resolved_by.kind,
          resolved_by_id: d.resolved_by.id,
          resolved_at: event.time,
          parameters: d.edited ? d.parameters : null,
        };
        const key = `${row.decision_id}/${row.approval_key}`;
        if (!resolutions.has(key)) resolutions.set(key, row);
        break;
      }
      case 'hitl.outcome.labeled.v1': {
        const d = event.data;
        if (!labels.has(event.id)) {
          labels.set(event.id, {
            event_id: event.id,
            decision_id: d.decision_id,
            workspace: event.workspaceid,
            correct: d.correct,
            source: d.source,
            labeled_by: d.labeled_by,
            labeled_at: event.time,
          });
        }
        break;
      }
      // How a post-review ended. Only a post-review is confirmed or ends unreviewed; a rollback
      // is refused for any other route, so each of these is about a post-review.
      case 'hitl.approval.reviewed.v1':
        ended(event, { state: 'reviewed', ended_by: event.data.reviewed_by });
        break;
      case 'hitl.approval.rolled_back.v1':
        ended(event, { state: 'rolled_back', ended_by: event.data.rolled_back_by });
        break;
      case 'hitl.approval.unreviewed.v1':
        ended(event, { state: 'unreviewed', unreviewed_reason: event.data.reason });
        break;
      case 'hitl.action.executed.v1': {
        const d = event.data;
        if (d.compensation) {
          // One undo per rollback: a success stands over a failure, whichever came first.
          const known = compensations.get(d.compensation.approval_id);
          compensations.set(d.compensation.approval_id, {
            approval_id: d.compensation.approval_id,
            decision_id: d.decision_id,
            workspace: event.workspaceid,
            action: d.action,
            succeeded: (known?.succeeded ?? false) || d.succeeded,
            executed_at: known && (known.succeeded || !d.succeeded) ? known.executed_at : event.time,
            signed_by: known && (known.succeeded || !d.succeeded) ? known.signed_by : signerOf(event.id),
          });
        }
        break; // a run that is not an undo is not calibration material
      }
      // Probation: started and graduated by the router, ended early by an admin (escalation).
      case 'hitl.control.probation_started.v1': {
        const d = event.data;
        keepProbation(event, {
          reason: d.reason,
          manifest_version: d.manifest_version,
          decisions: d.decisions,
          approved_unchanged_rate: d.approved_unchanged_rate,
          started_at: event.time,
        });
        break;
      }
      case 'hitl.control.probation_graduated.v1': {
        const d = event.data;
        keepProbation(event, {
          state: 'graduated',
          decisions: d.decisions,
          approved_unchanged_rate: d.approved_unchanged_rate,
          reviewed: d.reviewed,
          approved_unchanged: d.approved_unchanged,
          graduated_at: event.time,
        });
        break;
      }
      case 'hitl.control.probation_ended.v1':
        keepProbation(event, { state: 'ended', ended_by: event.data.ended_by, end_reason: event.data.reason, ended_at: event.time });
        break;
      case 'hitl.approval.opened.v1': {
        // The first opening stands (the earliest, whichever came first).
        const key = `${event.data.approval_id}/${event.data.opened_by}`;
        const known = openings.get(key);
        if (!known || Date.parse(event.time) < Date.parse(known.opened_at))
          openings.set(key, {
            approval_id: event.data.approval_id,
            reviewer_id: event.data.opened_by,
            decision_id: event.data.decision_id,
            workspace: event.workspaceid,
            opened_at: event.time,
          });
        break;
      }
      case 'hitl.approval.canary_scored.v1': {
        const d = event.data;
        // A canary is scored once; the first score stands.
        if (!canaries.has(d.approval_id))
          canaries.set(d.approval_id, {
            approval_id: d.approval_id,
            decision_id: d.decision_id,
            workspace: event.workspaceid,
            reviewer_id: d.reviewer_id,
            reviewer_role: d.reviewer_role,
            action: d.action,
            expected: d.expected,
            answered: d.answered,
            correct: d.correct,
            scored_at: event.time,
          });
        break;
      }
      case 'hitl.approval.assigned.v1':
      case 'hitl.approval.reassigned.v1':
      case 'hitl.approval.escalated.v1':
      case 'hitl.approval.clarification_requested.v1':
      case 'hitl.approval.clarification_provided.v1':
      case 'hitl.directory.reviewer_changed.v1':
      case 'hitl.control.paused.v1':
      case 'hitl.control.resumed.v1':
      case 'hitl.handoff.requested.v1':
      case 'hitl.handoff.opened.v1':
      case 'hitl.handoff.escalated.v1':
      case 'hitl.handoff.taken.v1':
      case 'hitl.handoff.returned.v1':
      case 'hitl.audit.recorded.v1':
        break; // not calibration material
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event type ${(unhandled as AnyEvent).type}`);
      }
    }
  }
  return {
    decisions: [...decisions.values()],
    resolutions: [...resolutions.values()],
    labels: [...labels.values()],
    postReviews: [...postReviews.values()],
    compensations: [...compensations.values()],
    probations: [...probations.values()],
    openings: [...openings.values()],
    canaries: [...canaries.values()],
  };
}

function decisionRow(data: DecisionProposedData, workspace: string, time: string, verdict: Verdict | null): DecisionRow {
  return {
    decision_id: data.decision_id,
    workspace,
    agent_id: data.agent.id,
    action: data.action,
    confidence: data.confidence,
    proposal: data,
    proposed_at: time,
    routed_verdict: verdict,
  };
}
