// A decision's story in plain words: one short line per row of the record, from the
// (already redacted) event it keeps. Pure.
import { AnyEvent, DirectoryReviewerChangedData, REVIEWERS_FILE_ACTOR, Reason, ReviewerSnapshot, isEventType, pauseScopeWords } from '@hitl/contracts';
import { DEAD_LETTER_TYPE, RETENTION_EVENT_TYPE } from './record-types';

export type Step =
  | 'proposed'
  | 'routed'
  | 'assigned'
  | 'reassigned'
  | 'escalated'
  | 'clarification_requested'
  | 'clarified'
  | 'rolled_back'
  | 'reviewed'
  | 'unreviewed'
  | 'opened'
  | 'canary_scored'
  | 'resolved'
  | 'executed'
  | 'compensated'
  | 'labeled'
  | 'dead_letter'
  | 'retention'
  | 'refused'
  | 'directory_changed'
  | 'paused'
  | 'resumed'
  | 'probation_started'
  | 'probation_graduated'
  | 'probation_ended'
  | 'handoff_requested'
  | 'handoff_opened'
  | 'handoff_escalated'
  | 'handoff_taken'
  | 'handoff_returned'
  | 'other';

export interface Described {
  step: Step;
  summary: string;
}

/** What the timeline needs of a row. */
export interface RowContent {
  type: string;
  actor_kind: string;
  actor_id: string;
  action: string | null;
  event: Record<string, unknown>;
  /** false: the event's signature was refused (absent or null: not checked, e.g. a dead letter). */
  verified?: boolean | null;
  refusal?: string | null;
}

/** Where a row stands: its signature verified, was refused, or was never checked (dead letters, retention records, rows from before signatures). */
export type RowStatus = 'verified' | 'refused' | 'not_checked';

export function statusOf(verified: boolean | null | undefined): RowStatus {
  if (verified === true) return 'verified';
  return verified === false ? 'refused' : 'not_checked';
}

const why = (reasons: readonly Reason[] | undefined) => (reasons ?? []).map((r) => (r.detail ? `${r.rule} (${r.detail})` : r.rule)).join('; ');
const quoted = (text: unknown) => `"${String(text)}"`;
const field = (value: unknown, key: string): unknown => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined);

export function describeRow(row: RowContent): Described {
  // A refused event is never described as what it claims to be (no "approved by ..."): it is
  // not a step of the decision, only evidence that someone sent it.
  if (row.verified === false) {
    return {
      step: 'refused',
      summary: `refused, never acted on (${row.refusal ?? 'signature not verified'}): a ${row.type} claiming to come from ${row.actor_id}`,
    };
  }
  if (row.type === DEAD_LETTER_TYPE) {
    const from = field(row.event, 'from_topic');
    return {
      step: 'dead_letter',
      summary: `dead letter: ${row.actor_id} could not read a message${from ? ` from ${String(from)}` : ''} (${String(field(row.event, 'error_code') ?? 'unknown error')})`,
    };
  }
  if (row.type === RETENTION_EVENT_TYPE) {
    const e = row.event;
    return {
      step: 'retention',
      summary: `retention removed ${String(field(e, 'removed_count'))} rows through chain index ${String(field(e, 'removed_through_chain_index'))} (recorded before ${String(field(e, 'older_than'))})`,
    };
  }
  if (!isEventType(row.type)) return { step: 'other', summary: `${row.type} by ${row.actor_kind} ${row.actor_id}` };
  return describeEvent(row.event as unknown as AnyEvent);
}

function describeEvent(event: AnyEvent): Described {
  switch (event.type) {
    case 'hitl.decision.proposed.v1': {
      const d = event.data;
      return { step: 'proposed', summary: `proposed by agent ${d.agent.id}: ${d.action}, confidence ${d.confidence}: ${quoted(d.summary)}` };
    }
    case 'hitl.approval.requested.v1': {
      const d = event.data;
      return {
        step: 'routed',
        summary: `routed to ${d.route} by manifest ${d.manifest_version}: ${why(d.reasons)}; waits for ${d.reviewer_role} until ${d.sla_deadline}, on timeout ${d.on_timeout}`,
      };
    }
    case 'hitl.approval.assigned.v1': {
      const d = event.data;
      return {
        step: 'assigned',
        summary: `assigned to ${d.reviewer_id ?? `the ${d.reviewer_role} queue`} (${d.reviewer_role}, tier ${d.tier}), SLA ${d.sla_deadline}`,
      };
    }
    case 'hitl.approval.reassigned.v1': {
      const d = event.data;
      return {
        step: 'reassigned',
        summary: `reassigned from ${d.previous_reviewer_id ?? 'the queue'} to ${d.reviewer_id ?? `the ${d.reviewer_role} queue`}: ${d.reason}`,
      };
    }
    case 'hitl.approval.escalated.v1': {
      const d = event.data;
      return {
        step: 'escalated',
        summary: `escalated from ${d.from_role} to ${d.reviewer_id ? `${d.reviewer_id} (${d.reviewer_role})` : `the ${d.reviewer_role} queue`}, tier ${d.tier}: ${d.reason}`,
      };
    }
    case 'hitl.approval.clarification_requested.v1':
      return { step: 'clarification_requested', summary: `${event.data.requested_by} asked: ${quoted(event.data.question)}` };
    case 'hitl.approval.clarification_provided.v1':
      return { step: 'clarified', summary: `${event.data.provided_by} answered: ${quoted(event.data.answer)}` };
    case 'hitl.approval.rolled_back.v1':
      return { step: 'rolled_back', summary: `rolled back by ${event.data.rolled_back_by}: ${event.data.reason}` };
    case 'hitl.approval.reviewed.v1': {
      const d = event.data;
      return { step: 'reviewed', summary: `reviewed by ${d.reviewed_by}: the action stands${d.notes ? `; notes: ${quoted(d.notes)}` : ''}` };
    }
    case 'hitl.approval.opened.v1':
      // Reading started: what review quality times a decision from; not a verdict.
      return { step: 'opened', summary: `opened by ${event.data.opened_by}` };
    case 'hitl.approval.canary_scored.v1': {
      // Synthetic: said first, so nobody reads it as a decision that ran.
      const d = event.data;
      const answer =
        d.answered === null
          ? `missed: nobody answered it in time${d.reviewer_id ? ` (assigned to ${d.reviewer_id})` : ''}`
          : `${d.reviewer_id ?? 'someone'} answered ${d.answered}: ${d.correct ? 'right' : 'wrong'}`;
      return { step: 'canary_scored', summary: `canary (a known-answer item, never executed): expected ${d.expected}; ${answer} (${d.why})` };
    }
    case 'hitl.approval.unreviewed.v1': {
      // Not a verdict: nobody looked, so nothing here may read as "reviewed" or "approved".
      const d = event.data;
      const why =
        d.reason === 'review_window_closed'
          ? `review window closed; ${d.reviewer_role} queue`
          : `never queued: ${d.reviewer_role} reviewers had no capacity left, sampling backed off`;
      return { step: 'unreviewed', summary: `ended unreviewed: ${d.detail} (${why})` };
    }
    case 'hitl.approval.resolved.v1': {
      const d = event.data;
      const extras = [
        d.edited ? 'with edited parameters' : null,
        d.chosen_option ? `chose ${d.chosen_option}` : null,
        d.notes ? `notes: ${quoted(d.notes)}` : null,
      ].filter(Boolean);
      return {
        step: 'resolved',
        summary: `${d.status} by ${d.resolved_by.kind} ${d.resolved_by.id}: ${why(d.reasons) || 'no reason given'}${extras.length ? `; ${extras.join('; ')}` : ''}`,
      };
    }
    case 'hitl.action.executed.v1': {
      const d = event.data;
      if (d.compensation) {
        const c = d.compensation;
        return {
          step: 'compensated',
          summary: d.succeeded
            ? `undid ${d.action} after ${c.rolled_back_by} rolled it back (${c.reason}): succeeded in ${d.duration_ms} ms`
            : `undoing ${d.action} after ${c.rolled_back_by} rolled it back (${c.reason}) failed after ${d.duration_ms} ms: ${d.error ?? 'no error given'}`,
        };
      }
      return {
        step: 'executed',
        summary: d.succeeded
          ? `executed ${d.action}: succeeded in ${d.duration_ms} ms`
          : `executed ${d.action}: failed after ${d.duration_ms} ms: ${d.error ?? 'no error given'}`,
      };
    }
    case 'hitl.outcome.labeled.v1': {
      const d = event.data;
      return {
        step: 'labeled',
        summary: `labeled ${d.correct ? 'correct' : 'incorrect'} by ${d.labeled_by ?? d.source} (${d.source})${d.notes ? `: ${quoted(d.notes)}` : ''}`,
      };
    }
    case 'hitl.directory.reviewer_changed.v1':
      return { step: 'directory_changed', summary: describeDirectoryChange(event.data) };
    case 'hitl.control.paused.v1': {
      const d = event.data;
      const what = pauseScopeWords({ workspace: event.workspaceid, ...d });
      return {
        step: 'paused',
        summary: `${d.paused_by} paused ${what}: every new proposal it covers ${d.effect === 'block' ? 'is blocked' : 'goes to a person'}: ${quoted(d.reason)}`,
      };
    }
    case 'hitl.control.resumed.v1':
      return { step: 'resumed', summary: `${event.data.resumed_by} resumed pause ${event.data.pause_id}: ${quoted(event.data.reason)}` };
    case 'hitl.control.probation_started.v1': {
      const d = event.data;
      return {
        step: 'probation_started',
        summary: `${d.action} on probation (${d.reason}): every decision to a person until ${d.decisions} reviewed decisions are approved unchanged at ${Math.round(d.approved_unchanged_rate * 100)}%`,
      };
    }
    case 'hitl.control.probation_graduated.v1': {
      const d = event.data;
      return {
        step: 'probation_graduated',
        summary: `${d.action} graduated from probation: ${d.approved_unchanged} of ${d.reviewed} reviewed decisions approved unchanged (needed ${d.decisions} at ${Math.round(d.approved_unchanged_rate * 100)}%)`,
      };
    }
    case 'hitl.control.probation_ended.v1':
      return { step: 'probation_ended', summary: `${event.data.ended_by} ended the probation of ${event.data.action} early: ${quoted(event.data.reason)}` };
    case 'hitl.handoff.requested.v1': {
      const d = event.data;
      return {
        step: 'handoff_requested',
        summary: `agent ${d.agent_id} asked for a person in session ${d.session_id} (${d.transcript.length} turns so far): ${quoted(d.reason)}`,
      };
    }
    case 'hitl.handoff.opened.v1':
      return { step: 'handoff_opened', summary: `waiting for ${event.data.reviewer_role} to take it over until ${event.data.sla_deadline}` };
    case 'hitl.handoff.escalated.v1':
      return {
        step: 'handoff_escalated',
        summary: `moved from ${event.data.from_role} to ${event.data.reviewer_role} (${event.data.reason}), until ${event.data.sla_deadline}`,
      };
    case 'hitl.handoff.taken.v1':
      return { step: 'handoff_taken', summary: `${event.data.taken_by} took the session over` };
    case 'hitl.handoff.returned.v1': {
      const d = event.data;
      const how = d.resolution === 'handed_back' ? 'handed the session back to the agent' : 'closed the session';
      return { step: 'handoff_returned', summary: `${d.returned_by} ${how}: ${quoted(d.notes)}${d.reply ? `; replied ${quoted(d.reply)}` : ''}` };
    }
    case 'hitl.audit.recorded.v1':
      // The audit's own stream: never on the record (the audit does not read it), told plainly should one be.
      return { step: 'other', summary: `the audit published record ${event.data.position} of ${event.data.workspace}` };
    default:
      return unhandled(event);
  }
}

const list = (items: readonly string[]) => (items.length === 0 ? 'none' : items.join(', '));
const workspacesOf = (items: readonly string[]) => (items.includes('*') ? 'every workspace' : list(items));

/** What a reviewer may do, in a few words: roles, workspaces, and admin or auditor. */
function standing(r: ReviewerSnapshot): string {
  const extras = [r.admin ? 'admin' : null, r.auditor ? 'auditor' : null].filter(Boolean);
  return `roles ${list(r.roles)} in ${workspacesOf(r.workspaces)}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

/** Each field that differs, as `field: before → after` (a channel only by its fingerprint, a token only as whether there is one). */
function differences(before: ReviewerSnapshot, after: ReviewerSnapshot): string[] {
  const shown = (key: keyof ReviewerSnapshot, value: unknown): string => {
    if (Array.isArray(value)) return key === 'workspaces' ? workspacesOf(value as string[]) : list(value as string[]);
    if (key === 'capacity' && value === null) return 'no limit';
    if (key === 'granted_by' && value === null) return 'the reviewers file';
    if (key === 'own_channel' && value === null) return 'none';
    return String(value);
  };
  const keys: (keyof ReviewerSnapshot)[] = [
    'name',
    'roles',
    'workspaces',
    'available',
    'capacity',
    'admin',
    'auditor',
    'aliases',
    'own_channel',
    'can_sign_in',
    'granted_by',
  ];
  return keys
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k.replace(/_/g, ' ')}: ${shown(k, before[k])} → ${shown(k, after[k])}`);
}

/** A change of the reviewer directory in plain words: who did what to whom. */
export function describeDirectoryChange(d: DirectoryReviewerChangedData): string {
  const who = d.changed_by === REVIEWERS_FILE_ACTOR ? 'the reviewers file' : d.changed_by;
  switch (d.change) {
    case 'added':
      return `${who} added reviewer ${d.reviewer_id}${d.after ? `: ${standing(d.after)}` : ''}`;
    case 'removed':
      return `${who} removed reviewer ${d.reviewer_id}${d.before ? ` (had ${standing(d.before)})` : ''}`;
    case 'token_issued':
      return `${who} issued a new sign-in token for reviewer ${d.reviewer_id} (the previous one no longer works)`;
    case 'updated': {
      const changes = d.before && d.after ? differences(d.before, d.after) : [];
      return `${who} changed reviewer ${d.reviewer_id}: ${changes.length ? changes.join('; ') : 'nothing that shows'}`;
    }
  }
}

// A new event type in the contract breaks the build here until it is described.
function unhandled(event: never): Described {
  const { type } = event as { type: string };
  return { step: 'other', summary: type };
}
