import { z } from 'zod';
import { NonEmpty, Uuid } from '../primitives';

// Controls for the people responsible: an operator's pause of an agent, an action or a whole
// workspace (the kill switch), and its resume. Published by the escalation service (where
// operators act, as admins of the reviewer directory) on control.changed, keyed by the pause;
// the router keeps every pause it reads and routes by it; the audit records each.

export const CONTROL_PAUSED = 'hitl.control.paused.v1';
export const CONTROL_RESUMED = 'hitl.control.resumed.v1';

/** What a pause does to a proposal it covers: a person reviews it, or it is blocked. Either way nothing it covers is auto-approved. */
export const PauseEffect = z.enum(['review', 'block']);
export type PauseEffect = z.infer<typeof PauseEffect>;

export const ControlPausedData = z.looseObject({
  /** The pause; the subject and key of its events. */
  pause_id: Uuid,
  /**
   * What it covers in the event's workspace: proposals of this agent (null: any), of this
   * action (null: any). Both null: the whole workspace.
   */
  agent_id: NonEmpty.nullable(),
  action: NonEmpty.nullable(),
  effect: PauseEffect,
  reason: NonEmpty,
  /** The admin's reviewer id. */
  paused_by: NonEmpty,
});
export type ControlPausedData = z.infer<typeof ControlPausedData>;

/** What a pause covers: proposals of this agent (null: any) and this action (null: any) in its workspace. */
export interface PauseScope {
  workspace: string;
  agent_id: string | null;
  action: string | null;
}

/** Whether a pause of this scope covers a proposal: the meaning of the event's fields, the same for every consumer. */
export function pauseCovers(scope: PauseScope, proposal: { workspace: string; agent_id: string; action: string }): boolean {
  return (
    scope.workspace === proposal.workspace &&
    (scope.agent_id === null || scope.agent_id === proposal.agent_id) &&
    (scope.action === null || scope.action === proposal.action)
  );
}

/** What a pause covers, in plain words: "action refund of agent refund-bot", "the whole workspace acme". */
export function pauseScopeWords(scope: PauseScope): string {
  if (scope.agent_id !== null && scope.action !== null) return `action ${scope.action} of agent ${scope.agent_id}`;
  if (scope.agent_id !== null) return `agent ${scope.agent_id}`;
  if (scope.action !== null) return `action ${scope.action}`;
  return `the whole workspace ${scope.workspace}`;
}

export const ControlResumedData = z.looseObject({
  pause_id: Uuid,
  reason: NonEmpty,
  resumed_by: NonEmpty,
});
export type ControlResumedData = z.infer<typeof ControlResumedData>;

// Probation (seed 002: the first use of a new tool needs a human "until evals prove
// reliability"). An action new to a workspace's manifest, or whose entry widened its autonomy,
// is on probation: every decision of it goes to a person until enough reviewed decisions were
// approved unchanged. The router starts and graduates probations (it routes and counts); an
// admin may end one early on the owner's word, through the escalation service.

export const CONTROL_PROBATION_STARTED = 'hitl.control.probation_started.v1';
export const CONTROL_PROBATION_GRADUATED = 'hitl.control.probation_graduated.v1';
export const CONTROL_PROBATION_ENDED = 'hitl.control.probation_ended.v1';

export const ControlProbationStartedData = z.looseObject({
  /** The probation; subject and key of its events. */
  probation_id: Uuid,
  action: NonEmpty,
  /** Why, in words: new to the manifest, or which settings widened its autonomy. */
  reason: NonEmpty,
  /** The manifest version that started it. */
  manifest_version: NonEmpty,
  /** Reviewed decisions it needs (`probation.decisions`)… */
  decisions: z.number().int().min(1),
  /** …approved unchanged at least at this rate (`probation.approved_unchanged_rate`). */
  approved_unchanged_rate: z.number().gt(0).max(1),
});
export type ControlProbationStartedData = z.infer<typeof ControlProbationStartedData>;

export const ControlProbationGraduatedData = z.looseObject({
  probation_id: Uuid,
  action: NonEmpty,
  /** The evidence: decisions reviewed during the probation, and how many were approved unchanged. */
  reviewed: z.number().int().min(0),
  approved_unchanged: z.number().int().min(0),
  decisions: z.number().int().min(1),
  approved_unchanged_rate: z.number().gt(0).max(1),
});
export type ControlProbationGraduatedData = z.infer<typeof ControlProbationGraduatedData>;

export const ControlProbationEndedData = z.looseObject({
  probation_id: Uuid,
  action: NonEmpty,
  reason: NonEmpty,
  /** The admin's reviewer id, acting for the action's owner. */
  ended_by: NonEmpty,
});
export type ControlProbationEndedData = z.infer<typeof ControlProbationEndedData>;
