// Probation (seed 002: the first use of a new tool needs a human "until evals prove
// reliability"), as the escalation service keeps it: the router starts and graduates a
// probation (hitl.control.probation_started.v1 / probation_graduated.v1), an admin may end one
// early on the owner's word (hitl.control.probation_ended.v1, published here). Who may end one,
// the event that says so, and the fold of the three events, in any order. Pure: `now` is an input.
import {
  CONTROL_PROBATION_ENDED,
  CONTROL_PROBATION_GRADUATED,
  CONTROL_PROBATION_STARTED,
  CloudEvent,
  ControlProbationEndedData,
  ControlProbationGraduatedData,
  ControlProbationStartedData,
  newEvent,
} from '@hitl/contracts';
import { worksIn } from './approval';
import { ESCALATION_SOURCE } from './review';

export type ProbationState = 'active' | 'graduated' | 'ended';

/** A probation: active until the router graduates it or an admin ends it. */
export interface Probation {
  id: string;
  workspace: string;
  action: string;
  /** Why it started, in the router's words (new to the manifest, or which settings widened its autonomy). */
  reason: string;
  manifest_version: string;
  /** Reviewed decisions it needs, approved unchanged at least at this rate. */
  decisions: number;
  approved_unchanged_rate: number;
  started_at: string;
  state: ProbationState;
  /** The evidence of a graduation; null otherwise. */
  reviewed: number | null;
  approved_unchanged: number | null;
  /** Who ended it early, and why (the admin, acting for the owner); null unless ended. */
  ended_by: string | null;
  end_reason: string | null;
  /** When it stopped being active (graduated or ended); null while active. */
  ended_at: string | null;
}

/** Who asks to end a probation: an admin of the directory, in their workspaces (`*`: every one). */
export interface ProbationAdmin {
  id: string;
  admin: boolean;
  workspaces: string[];
}

/** Why an early end is refused: an HTTP status, a stable code, plain words. */
export interface ProbationRefusal {
  status: 403 | 409;
  code: 'not_admin' | 'wrong_workspace' | 'already_over';
  message: string;
}

export const probationRefusals = {
  notAdmin: (id: string) =>
    ({ status: 403, code: 'not_admin', message: `${id} is not an admin: only an admin may end a probation early` }) satisfies ProbationRefusal,
  wrongWorkspace: (id: string, workspace: string) =>
    ({ status: 403, code: 'wrong_workspace', message: `${id} is not an admin of workspace ${workspace}` }) satisfies ProbationRefusal,
  alreadyOver: (probation: Probation) =>
    ({
      status: 409,
      code: 'already_over',
      message:
        probation.state === 'graduated'
          ? `probation ${probation.id} (action ${probation.action}) graduated at ${probation.ended_at}: it is over`
          : `probation ${probation.id} (action ${probation.action}) was ended by ${probation.ended_by} at ${probation.ended_at}: it is over`,
    }) satisfies ProbationRefusal,
} as const;

/** Only an admin, of the probation's workspace, and only while it is active (an end is final: a second would put a second reason on the record). */
export function refuseEnd(admin: ProbationAdmin, probation: Probation): ProbationRefusal | null {
  if (!admin.admin) return probationRefusals.notAdmin(admin.id);
  if (!worksIn(admin, probation.workspace)) return probationRefusals.wrongWorkspace(admin.id, probation.workspace);
  if (probation.state !== 'active') return probationRefusals.alreadyOver(probation);
  return null;
}

/** The probation in plain words, e.g. "probation of action issue_refund in acme (new to the manifest), active". */
export function describeProbation(probation: Probation): string {
  const start = `probation of action ${probation.action} in ${probation.workspace} (${probation.reason})`;
  if (probation.state === 'graduated') return `${start}, graduated: ${probation.approved_unchanged} of ${probation.reviewed} reviewed approved unchanged`;
  if (probation.state === 'ended') return `${start}, ended early by ${probation.ended_by}: ${probation.end_reason}`;
  return `${start}, active: ${probation.decisions} reviewed decisions needed, ${probation.approved_unchanged_rate} approved unchanged`;
}

/** An admin's early end on control.changed, keyed by the probation, for the router to end it and the audit to record. */
export function probationEndedEvent(probation: Probation, admin: { id: string }, reason: string, now: Date): CloudEvent<typeof CONTROL_PROBATION_ENDED> {
  const data = { probation_id: probation.id, action: probation.action, reason, ended_by: admin.id };
  return newEvent(CONTROL_PROBATION_ENDED, data, { source: ESCALATION_SOURCE, workspaceid: probation.workspace, time: now });
}

/** The three probation events, as the fold reads them. */
export type ProbationEvent =
  | { type: typeof CONTROL_PROBATION_STARTED; workspaceid: string; time: string; data: ControlProbationStartedData }
  | { type: typeof CONTROL_PROBATION_GRADUATED; workspaceid: string; time: string; data: ControlProbationGraduatedData }
  | { type: typeof CONTROL_PROBATION_ENDED; workspaceid: string; time: string; data: ControlProbationEndedData };

export const PROBATION_EVENT_TYPES: readonly string[] = [CONTROL_PROBATION_STARTED, CONTROL_PROBATION_GRADUATED, CONTROL_PROBATION_ENDED];

export function isProbationEvent<E extends { type: string }>(event: E): event is E & ProbationEvent {
  return PROBATION_EVENT_TYPES.includes(event.type);
}

/** What the start says, before it was read (its end came first: a replay, a reordering); the start, when read, replaces it. */
export const START_NOT_READ = '(its start was not read yet)';

type End = Pick<Probation, 'state' | 'reviewed' | 'approved_unchanged' | 'ended_by' | 'end_reason' | 'ended_at'>;

const ACTIVE: End = { state: 'active', reviewed: null, approved_unchanged: null, ended_by: null, end_reason: null, ended_at: null };

function endOf(event: ProbationEvent): End {
  const at = new Date(event.time).toISOString();
  if (event.type === CONTROL_PROBATION_GRADUATED) {
    const { reviewed, approved_unchanged } = event.data;
    return { state: 'graduated', reviewed, approved_unchanged, ended_by: null, end_reason: null, ended_at: at };
  }
  if (event.type === CONTROL_PROBATION_ENDED) {
    return { state: 'ended', reviewed: null, approved_unchanged: null, ended_by: event.data.ended_by, end_reason: event.data.reason, ended_at: at };
  }
  return ACTIVE;
}

/** Compares two ends: the earliest first; at the same instant a graduation, then by who and why (a total order: the fold ends the same whatever the order read). */
function earlier(a: End, b: End): boolean {
  const at = Date.parse(a.ended_at ?? '') - Date.parse(b.ended_at ?? '');
  if (at !== 0) return at < 0;
  if (a.state !== b.state) return a.state === 'graduated';
  const key = (e: End) => `${e.ended_by ?? ''}\u0000${e.end_reason ?? ''}\u0000${e.reviewed ?? ''}\u0000${e.approved_unchanged ?? ''}`;
  return key(a) < key(b);
}

/**
 * The probation after one of its events, whatever order they come in (and read again: the same
 * probation). The start sets what it says (the workspace, the action, the reason, the
 * thresholds, when); a graduation or an end ends it, for good: an ended or graduated probation
 * never becomes active again, and of two ends the earliest stands.
 */
export function mergeProbation(known: Probation | null, event: ProbationEvent): Probation {
  const at = new Date(event.time).toISOString();
  if (event.type === CONTROL_PROBATION_STARTED) {
    const { probation_id, action, reason, manifest_version, decisions, approved_unchanged_rate } = event.data;
    const start = { id: probation_id, workspace: event.workspaceid, action, reason, manifest_version, decisions, approved_unchanged_rate, started_at: at };
    return known === null ? { ...start, ...ACTIVE } : { ...known, ...start };
  }
  const end = endOf(event);
  if (known === null) {
    // Its end read before its start: kept as ended, so the start that follows cannot make it active.
    const thresholds =
      event.type === CONTROL_PROBATION_GRADUATED
        ? { decisions: event.data.decisions, approved_unchanged_rate: event.data.approved_unchanged_rate }
        : { decisions: 1, approved_unchanged_rate: 1 };
    return {
      id: event.data.probation_id,
      workspace: event.workspaceid,
      action: event.data.action,
      reason: START_NOT_READ,
      manifest_version: START_NOT_READ,
      ...thresholds,
      started_at: at,
      ...end,
    };
  }
  if (known.state === 'active' || earlier(end, known)) return { ...known, ...end };
  return known;
}
